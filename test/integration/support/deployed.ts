import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { inject } from 'vitest';
import { JobApiClient } from '../../../lib/api/job-api-client.js';
import { JobClient } from '../../../lib/client/job-client.js';
import type { JobRecord } from '../../../lib/job-record.js';
import type { JobStatus } from '../../../lib/job-status.js';
import type { SweepReport } from '../../../lib/sweeper/sweep.js';
import { referenceJobs } from '../../../functions/jobs/definitions.js';
import { testJobs } from '../../../functions/testing/definitions.js';
import { useAwsEnvironment } from '../../../lib/local/aws-environment.js';
import { requireOutput } from '../../../scripts/lib/deploy.js';
import { sentMail, type SentMail } from '../../../lib/local/sent-mail.js';
import { waitFor } from './wait.js';

/** The deployed test stack and clients for it, shared by every integration test. */
export const stack = inject('stack');
useAwsEnvironment(inject('endpoint'));

export const sqs = new SQSClient({});
export const dynamodb = new DynamoDBClient({});
export const doc = DynamoDBDocumentClient.from(dynamodb);
const logs = new CloudWatchLogsClient({});
export const client = new JobClient({ jobs: [...referenceJobs, ...testJobs], config: stack.config, createdBy: 'integration-test' });
export const api = new JobApiClient({ baseUrl: stack.apiUrl! });
export const lane = stack.config.lanes.default!;

/** A value no other test run uses, starting with `prefix`. */
export const unique = (prefix: string) => `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

/** The value of the test stack's output whose key starts with `prefix`. */
export function stackOutput(prefix: string): string {
  return requireOutput(stack, prefix);
}

/** Mail the emulator's SES accepted for `to`, read back from the emulator. */
export async function mailTo(to: string): Promise<SentMail[]> {
  return (await sentMail(inject('endpoint'))).filter((m) => m.To?.includes(to));
}

/** Waits until the job's record reaches `status`; returns the record. */
export async function waitForStatus(id: string, status: JobStatus, timeoutMs = 60_000): Promise<JobRecord> {
  return waitFor(`job ${id} to be ${status}`, async () => {
    const record = await client.get(id);
    return record?.status === status ? record : undefined;
  }, { timeoutMs });
}

/** Runs a sweep now, by invoking the deployed sweeper (the construct also runs one every minute). */
export async function sweepNow(): Promise<SweepReport> {
  const output = await new LambdaClient({}).send(new InvokeCommand({ FunctionName: stack.sweeperFunctionName }));
  const text = new TextDecoder().decode(output.Payload);
  if (output.FunctionError) throw new Error(`sweeper failed: ${text}`);
  return JSON.parse(text) as SweepReport;
}

/** How many times the test handlers ran for a job (counted in the probe table by the handlers themselves). */
export async function handlerRuns(id: string): Promise<number> {
  const probeTable = stackOutput('ProbeTable');
  const output = await doc.send(new GetCommand({ TableName: probeTable, Key: { id }, ConsistentRead: true }));
  return Number(output.Item?.runs ?? 0);
}


/**
 * Finds a DLQ message: the one whose `jobline.id` attribute is `id`, or the first that
 * `match` accepts. Messages it reads stay hidden only briefly, so other tests looking at the
 * same DLQ still find theirs.
 */
export async function findDeadLetter(id: string | ((message: Message) => boolean), timeoutMs = 30_000): Promise<Message> {
  const match = typeof id === 'string' ? (m: Message) => m.MessageAttributes?.['jobline.id']?.StringValue === id : id;
  return waitFor(`a DLQ message for ${typeof id === 'string' ? `job ${id}` : 'the test'}`, async () => {
    const output = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: lane.deadLetterQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 2, MessageAttributeNames: ['All'],
    }));
    return output.Messages?.find(match);
  }, { timeoutMs, intervalMs: 0 });
}

/** The string value of a message attribute. */
export function attribute(message: Message, name: string): string | undefined {
  return message.MessageAttributes?.[name]?.StringValue;
}

/** Lines of the worker's logs that mention `text` (the emulator keeps Lambda output in CloudWatch Logs). */
export async function workerLogLines(text: string, since?: Date): Promise<string[]> {
  return logLines(stack.workerFunctionName, text, since);
}

/** Lines of a function's logs that mention `text` (logged since `since`, when given), every page of them. */
export async function logLines(functionName: string, text: string, since?: Date): Promise<string[]> {
  const lines: string[] = [];
  let nextToken: string | undefined;
  do {
    const output = await logs.send(new FilterLogEventsCommand({ logGroupName: await logGroupOf(functionName), filterPattern: `"${text}"`, limit: 10_000, startTime: since?.getTime(), nextToken }));
    lines.push(...(output.events ?? []).map((e) => e.message ?? '').filter((line) => line.includes(text)));
    nextToken = output.nextToken;
  } while (nextToken);
  return lines;
}

/** Every job record (any status) whose item holds `marker` anywhere, from a scan of the whole jobs table: what a refused call must not have written. */
export async function recordsHolding(marker: string): Promise<unknown[]> {
  const found: unknown[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: stack.config.tableName, ExclusiveStartKey: start }));
    found.push(...(page.Items ?? []).filter((item) => JSON.stringify(item).includes(marker)));
    start = page.LastEvaluatedKey;
  } while (start);
  return found;
}

const logGroups = new Map<string, Promise<string>>();

/** The log group a function writes to: its own (the construct gives each function one), as its configuration says. */
function logGroupOf(functionName: string): Promise<string> {
  if (!logGroups.has(functionName)) {
    logGroups.set(functionName, new LambdaClient({}).send(new GetFunctionConfigurationCommand({ FunctionName: functionName }))
      .then((config) => config.LoggingConfig?.LogGroup ?? `/aws/lambda/${functionName}`));
  }
  return logGroups.get(functionName)!;
}
