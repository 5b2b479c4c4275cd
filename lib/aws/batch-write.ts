import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Items per BatchWriteItem request (DynamoDB's limit). */
export const BATCH_WRITE_LIMIT = 25;
/** Times the items DynamoDB leaves unprocessed are sent again, with growing pauses, before giving up. */
export const BATCH_WRITE_RETRIES = 8;

/** BatchWriteItem requests of one call in flight at once. */
export const BATCH_WRITE_DEPTH = 4;

/**
 * Puts `items` into `tableName` with BatchWriteItem, 25 at a time and up to
 * `BATCH_WRITE_DEPTH` requests at once, sending again whatever DynamoDB leaves
 * unprocessed (throttling) after a growing pause. Throws, naming `what`, when items are still
 * unwritten after `BATCH_WRITE_RETRIES` retries. The items' keys must be distinct (as
 * within one BatchWriteItem): requests in flight together have no order.
 */
export async function putAll(doc: DynamoDBDocumentClient, tableName: string, items: readonly object[], what: string, signal?: AbortSignal): Promise<void> {
  const chunks: object[][] = [];
  for (let i = 0; i < items.length; i += BATCH_WRITE_LIMIT) chunks.push(items.slice(i, i + BATCH_WRITE_LIMIT));
  let next = 0;
  const lane = async () => {
    while (next < chunks.length) await putChunk(doc, tableName, chunks[next++]!, what, signal);
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_WRITE_DEPTH, chunks.length) }, lane));
}

async function putChunk(doc: DynamoDBDocumentClient, tableName: string, chunk: readonly object[], what: string, signal?: AbortSignal): Promise<void> {
  let requests = chunk.map((Item) => ({ PutRequest: { Item } }));
  for (let round = 0; requests.length > 0; round++) {
    if (round > BATCH_WRITE_RETRIES) throw new Error(`DynamoDB left ${requests.length} ${what} unwritten after ${BATCH_WRITE_RETRIES} retries`);
    if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** round)));
    const output = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }), { abortSignal: signal });
    requests = (output.UnprocessedItems?.[tableName] ?? []) as typeof requests;
  }
}
