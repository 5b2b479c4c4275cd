import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';

/**
 * One action of a DynamoDB transaction, as the DynamoDB document client takes it
 * (`TransactWriteCommand`): what a caller's own transaction holds beside its jobs. Part of the
 * store's contract (TransactionalJobStore), since transactional enqueue is a DynamoDB feature.
 */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Why DynamoDB cancelled a transaction, per item, in the order the items were given (`None` for items that were fine). */
export interface CancellationReason {
  readonly code: string;
  readonly message?: string | undefined;
}
