import type { InitializeHandler, InitializeHandlerArguments, MetadataBearer, MiddlewareStack } from '@smithy/types';

/** A running count of the calls an SDK client made (each call once, however often the SDK retried it). */
export interface CallCounter {
  /** Calls since the last `take`, and a fresh start. */
  take(): number;
}

/**
 * Counts the calls `client` makes from now on: what a dashboard request costs in DynamoDB
 * calls, reported with the answer so a test can hold it to a bound on a deployed stack.
 */
export function countCalls(client: { middlewareStack: MiddlewareStack<object, MetadataBearer> }): CallCounter {
  let calls = 0;
  client.middlewareStack.add(
    (next: InitializeHandler<object, MetadataBearer>) => (args: InitializeHandlerArguments<object>) => {
      calls++;
      return next(args);
    },
    { step: 'initialize', name: 'joblineCallCounter' },
  );
  return { take: () => { const taken = calls; calls = 0; return taken; } };
}
