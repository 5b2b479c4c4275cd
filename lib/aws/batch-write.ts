import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Items per BatchWriteItem request (DynamoDB's limit). */
export const BATCH_WRITE_LIMIT = 25;
/** Times the items DynamoDB leaves unprocessed are sent again, with growing pauses, before giving up. */
export const BATCH_WRITE_RETRIES = 8;

/**
 * Puts `items` into `tableName` with BatchWriteItem, 25 at a time, sending again whatever
 * DynamoDB leaves unprocessed (throttling) after a growing pause. Throws, naming `what`, when
 * items are still unwritten after {@link BATCH_WRITE_RETRIES} retries.
 */
export async function putAll(doc: DynamoDBDocumentClient, tableName: string, items: readonly object[], what: string, signal?: AbortSignal): Promise<void> {
  for (let i = 0; i < items.length; i += BATCH_WRITE_LIMIT) {
    let requests = items.slice(i, i + BATCH_WRITE_LIMIT).map((Item) => ({ PutRequest: { Item } }));
    for (let round = 0; requests.length > 0; round++) {
      if (round > BATCH_WRITE_RETRIES) throw new Error(`DynamoDB left ${requests.length} ${what} unwritten after ${BATCH_WRITE_RETRIES} retries`);
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** round)));
      const output = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }), { abortSignal: signal });
      requests = (output.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  }
}
