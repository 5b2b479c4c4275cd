/** The one call jobline makes of an SDK client: what SqsTransport and EventBridgeScheduler need of theirs. */
export interface Sender<C extends { send: (...args: never[]) => unknown }> {
  readonly send: C['send'];
}
