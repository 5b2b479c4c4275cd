/** The one call jobline makes of an SDK client. */
export interface Sender<C extends { send: (...args: never[]) => unknown }> {
  readonly send: C['send'];
}

/**
 * Stands in for an SDK client until its first `send`, which makes it. A worker whose jobs never
 * send a message or make a schedule then pays nothing for those clients at its cold start (about
 * a millisecond each; BENCHMARKS.md, section 6). `client()` makes (or gives) the client itself.
 */
export function onFirstSend<C extends { send: (...args: never[]) => unknown }>(make: () => C): Sender<C> & { readonly client: () => C } {
  let made: C | undefined;
  const client = () => (made ??= make());
  return { send: ((...args: never[]) => client().send(...args)) as C['send'], client };
}
