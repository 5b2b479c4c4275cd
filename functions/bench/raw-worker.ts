import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));

/**
 * The emulator's ceilings, for `npm run bench`: a Lambda fed by a queue with the jobline
 * worker's batch size and concurrency. A message `{"calls":false}` is done with at once: what
 * SQS → Lambda itself allows on this machine. A message `{"calls":true,"key":…}` makes the two
 * DynamoDB writes a job's claim and outcome make, with the bare SDK (a conditional put, then a
 * conditional update, on the table in RAW_TABLE), the batch's records side by side as the
 * jobline worker runs them: the same AWS calls without jobline's code.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  await Promise.all(event.Records.map(async (record) => {
    const message = JSON.parse(record.body) as { calls?: boolean; key?: string };
    if (!message.calls) return;
    const TableName = process.env.RAW_TABLE!;
    const Key = { pk: `RAW#${message.key}`, sk: record.messageId };
    await doc.send(new PutCommand({ TableName, Item: { ...Key, status: 'running', receivedAt: Date.now() }, ConditionExpression: 'attribute_not_exists(pk)' }));
    await doc.send(new UpdateCommand({
      TableName, Key, UpdateExpression: 'SET #s = :done, finishedAt = :now', ConditionExpression: '#s = :running',
      ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':done': 'succeeded', ':running': 'running', ':now': Date.now() },
    }));
  }));
  return { batchItemFailures: [] };
}
