import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Keys per BatchGetItem request (DynamoDB's limit). */
export const BATCH_GET_LIMIT = 100;
/** Times the keys DynamoDB leaves unprocessed are asked for again, with growing pauses, before giving up. */
const BATCH_GET_RETRIES = 8;

/**
 * The items at `keys` in `tableName` that exist (in no particular order), read with
 * BatchGetItem — 100 keys a request, strongly consistent — asking again for whatever
 * DynamoDB leaves unprocessed. Throws, naming `what`, when keys are still unread after the retries.
 */
export async function getAll(doc: DynamoDBDocumentClient, tableName: string, keys: readonly Record<string, unknown>[], what: string): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_LIMIT) {
    let pending = keys.slice(i, i + BATCH_GET_LIMIT);
    for (let round = 0; pending.length > 0; round++) {
      if (round > BATCH_GET_RETRIES) throw new Error(`DynamoDB left ${pending.length} ${what} unread after ${BATCH_GET_RETRIES} retries`);
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** round)));
      const output = await doc.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }));
      found.push(...(output.Responses?.[tableName] ?? []));
      pending = (output.UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<string, unknown>[];
    }
  }
  return found;
}
