import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

/**
 * The probe table of the test stack: test handlers count their runs there, so tests can see
 * how often a handler really ran (not what the job record claims).
 */
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));

function table(): string {
  const name = process.env.PROBE_TABLE;
  if (!name) throw new Error('PROBE_TABLE is not set: test kinds run only in the test stack');
  return name;
}

/** Counts one run of `jobId` and returns how many runs it has had. */
export async function recordRun(jobId: string, attempt: number): Promise<number> {
  const output = await doc.send(new UpdateCommand({
    TableName: table(),
    Key: { id: jobId },
    UpdateExpression: 'ADD runs :one SET attempts = list_append(if_not_exists(attempts, :empty), :attempt)',
    ExpressionAttributeValues: { ':one': 1, ':empty': [], ':attempt': [attempt] },
    ReturnValues: 'ALL_NEW',
  }));
  return Number(output.Attributes?.runs ?? 0);
}

/** How many runs `jobId` has had. */
export async function runsOf(jobId: string): Promise<number> {
  const output = await doc.send(new GetCommand({ TableName: table(), Key: { id: jobId }, ConsistentRead: true }));
  return Number(output.Item?.runs ?? 0);
}

/** Records when `jobId`'s handler started and ended (ms since the epoch), to see how runs overlapped. */
export async function recordSpan(jobId: string, startedAt: number, endedAt: number): Promise<void> {
  await doc.send(new UpdateCommand({
    TableName: table(),
    Key: { id: `span:${jobId}` },
    UpdateExpression: 'SET spans = list_append(if_not_exists(spans, :empty), :span)',
    ExpressionAttributeValues: { ':empty': [], ':span': [{ startedAt, endedAt }] },
  }));
}
