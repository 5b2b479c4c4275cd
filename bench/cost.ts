/**
 * Cost benchmark: write units and SQS requests per job on the happy path, measured on the
 * emulator with the real store, transport and worker code. The emulator's DynamoDB reports
 * ConsumedCapacity by AWS's rules (item size before/after, index writes); SQS requests are
 * counted at the client. Lambda's event source is played by this script (ReceiveMessage of
 * up to 10, then DeleteMessageBatch of what the worker did not return), which is the traffic
 * AWS bills for it.
 *
 * Run: npm run bench:cost   (starts ministack when nothing answers at AWS_ENDPOINT_URL)
 */
import { DynamoDBClient, type ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, DeleteMessageBatchCommand, DeleteQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { Logger } from '@aws-lambda-powertools/logger';
import { JobClient } from '../lib/client/job-client.js';
import type { JoblineConfig } from '../lib/config.js';
import { defineJob } from '../lib/job-definition.js';
import { createWorker } from '../lib/worker/create-worker.js';
import { defineHandler } from '../lib/worker/job-handler.js';
import { awsBackends } from '../lib/aws/clients.js';
import { dispatchKept } from '../lib/flows/dispatch.js';
import { useAwsEnvironment } from '../scripts/lib/aws-environment.js';
import { ensureEmulator } from '../scripts/lib/emulator.js';
import { createJobTables } from '../scripts/lib/job-tables.js';

const PAYLOAD_BYTES = 1024;
const JOBS = Number(process.env.BENCH_JOBS ?? 200);
const PRICES = { writeUnit: 0.625, sqsRequest: 0.4, lambdaRequest: 0.2 }; // $ per million, us-east-1 list

const bench = defineJob({ kind: 'bench.noop', schema: z.object({ data: z.string() }), retry: { backoffBaseSeconds: 1 } });

/** Counters filled by SDK middleware. */
const meter = { tableUnits: 0, indexUnits: 0, sqs: new Map<string, number>() };

function addCapacity(capacity: ConsumedCapacity | ConsumedCapacity[] | undefined): void {
  for (const c of [capacity ?? []].flat()) {
    meter.tableUnits += c.Table?.CapacityUnits ?? c.CapacityUnits ?? 0;
    for (const index of Object.values(c.GlobalSecondaryIndexes ?? {})) meter.indexUnits += index.CapacityUnits ?? 0;
  }
}

function meteredClients(): { dynamodb: DynamoDBClient; sqs: SQSClient } {
  const dynamodb = new DynamoDBClient({});
  dynamodb.middlewareStack.add((next, context) => async (args) => {
    const input = args.input as Record<string, unknown>;
    const isWrite = ['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand'].includes(context.commandName ?? '');
    if (isWrite) input.ReturnConsumedCapacity = 'INDEXES';
    try {
      const result = await next(args);
      if (isWrite) addCapacity((result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity);
      return result;
    } catch (error) {
      // A failed conditional write still consumes a write unit on AWS.
      if (isWrite) meter.tableUnits += 1;
      throw error;
    }
  }, { step: 'initialize', name: 'capacityMeter' });
  const sqs = new SQSClient({});
  sqs.middlewareStack.add((next, context) => async (args) => {
    meter.sqs.set(context.commandName ?? '?', (meter.sqs.get(context.commandName ?? '?') ?? 0) + 1);
    return next(args);
  }, { step: 'initialize', name: 'requestMeter' });
  return { dynamodb, sqs };
}

async function createResources(name: string, dynamodb: DynamoDBClient, sqs: SQSClient): Promise<JoblineConfig & { drop: () => Promise<void> }> {
  // The jobs and claims tables with the construct's layout (keys, the sparse state index and the watch index).
  const tables = await createJobTables(dynamodb, name);
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '60' } }));
  const queueArn = `arn:aws:sqs:us-east-1:000000000000:${name}`;
  return {
    tableName: tables.tableName, idempotencyTableName: tables.claimsTableName, shardCount: 64, drop: tables.drop,
    lanes: { default: { queueUrl: queue.QueueUrl!, queueArn, deadLetterQueueUrl: dlq.QueueUrl! } },
    scheduler: { groupName: 'default', roleArn: 'arn:aws:iam::000000000000:role/unused', thresholdSeconds: 900 },
  };
}

/** Plays Lambda's SQS event source until `jobs` jobs are done: receive ≤ 10, invoke, delete the rest. */
async function drain(config: JoblineConfig, sqs: SQSClient, dynamodb: DynamoDBClient, jobs: number): Promise<{ invocations: number }> {
  const worker = createWorker({ jobs: [defineHandler(bench, async () => undefined)], config, ...awsBackends(config, { dynamodb, sqs }), logger: new Logger({ logLevel: 'SILENT' }) });
  const queueUrl = config.lanes.default!.queueUrl;
  const arn = config.lanes.default!.queueArn;
  let done = 0;
  let invocations = 0;
  while (done < jobs) {
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    const messages = received.Messages ?? [];
    if (messages.length === 0) continue;
    invocations++;
    const event: SQSEvent = {
      Records: messages.map((m) => ({
        messageId: m.MessageId!, receiptHandle: m.ReceiptHandle!, body: m.Body!, attributes: { ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1' } as never,
        messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: arn, awsRegion: 'us-east-1',
      })),
    };
    const response = await worker(event, { getRemainingTimeInMillis: () => 60_000 } as Context);
    const kept = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const toDelete = messages.filter((m) => !kept.has(m.MessageId!));
    if (toDelete.length > 0) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: toDelete.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    done += toDelete.length;
  }
  return { invocations };
}

/** How a scenario enqueues its jobs. */
type Enqueue = 'batched' | 'single' | 'transactional';

/**
 * Plays the dispatcher on the jobs enqueued in transactions, as the table's stream hands them
 * over (batches of 100 new images; reading a stream is free for a Lambda trigger): it sends
 * their messages and marks them dispatched. Returns its invocations.
 */
async function dispatchFromStream(client: JobClient, ids: readonly string[], config: JoblineConfig, backends: ReturnType<typeof awsBackends>): Promise<number> {
  let invocations = 0;
  for (let i = 0; i < ids.length; i += 100) {
    const records = await Promise.all(ids.slice(i, i + 100).map((id) => client.get(id)));
    const kept = records.map((record) => ({ record: record!, payloadJson: JSON.stringify(record!.payload) }));
    await dispatchKept(kept, new Date(), {
      transport: backends.transport, scheduler: backends.scheduler, thresholdSeconds: config.scheduler.thresholdSeconds,
      markDispatched: (id, status) => backends.store.markDispatched(id, status), logger: new Logger({ logLevel: 'SILENT' }),
    });
    invocations++;
  }
  return invocations;
}

async function scenario(label: string, enqueue: Enqueue): Promise<Record<string, string | number>> {
  const { dynamodb, sqs } = meteredClients();
  const name = `jobline-bench-${Date.now()}`;
  const config = await createResources(name, dynamodb, sqs);
  meter.tableUnits = 0;
  meter.indexUnits = 0;
  meter.sqs.clear();
  const backends = awsBackends(config, { dynamodb, sqs });
  const client = new JobClient({ jobs: [bench], config, ...backends });
  // 1 KB of JSON: {"data":"xxx…"}
  const payload = { data: 'x'.repeat(PAYLOAD_BYTES - '{"data":""}'.length) };
  let dispatcherInvocations = 0;
  if (enqueue === 'batched') {
    for (let i = 0; i < JOBS; i += 100) await client.enqueueMany(Array.from({ length: Math.min(100, JOBS - i) }, () => ({ job: bench, payload })));
  } else if (enqueue === 'single') {
    for (let i = 0; i < JOBS; i++) await client.enqueue(bench, payload);
  } else {
    // Each job in a transaction of its own (the caller's business items would add their own cost).
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++) ids.push(...(await client.enqueueInTransaction([], [{ job: bench, payload }])).map((j) => j.id));
    dispatcherInvocations = await dispatchFromStream(client, ids, config, backends);
  }
  const { invocations: workerInvocations } = await drain(config, sqs, dynamodb, JOBS);
  const invocations = workerInvocations + dispatcherInvocations;
  const sqsRequests = [...meter.sqs.values()].reduce((a, b) => a + b, 0);
  const w = (meter.tableUnits + meter.indexUnits) / JOBS;
  const perJobSqs = sqsRequests / JOBS;
  const dollars = PRICES.writeUnit * w + PRICES.sqsRequest * perJobSqs + PRICES.lambdaRequest * (invocations / JOBS);
  const byCall = [...meter.sqs].map(([k, v]) => `${k.replace('Command', '')}=${v}`).join(' ');
  await config.drop();
  for (const lane of Object.values(config.lanes)) {
    await sqs.send(new DeleteQueueCommand({ QueueUrl: lane.queueUrl }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: lane.deadLetterQueueUrl }));
  }
  return {
    scenario: label,
    jobs: JOBS,
    'W (table)': +(meter.tableUnits / JOBS).toFixed(3),
    'W (index)': +(meter.indexUnits / JOBS).toFixed(3),
    'W total': +w.toFixed(3),
    'SQS req/job': +perJobSqs.toFixed(3),
    'SQS by call': byCall,
    'Lambda inv/job': +(invocations / JOBS).toFixed(3),
    '$ per million': +dollars.toFixed(2),
  };
}

const emulator = await ensureEmulator();
useAwsEnvironment(emulator.endpoint);
try {
  const rows = [
    await scenario('enqueueMany (batches of 100)', 'batched'),
    await scenario('enqueue (one call per job)', 'single'),
    await scenario('enqueueInTransaction (one job per transaction; dispatcher)', 'transactional'),
  ];
  console.log(`\nHappy path, ${PAYLOAD_BYTES}-byte payload, measured on ${emulator.endpoint}`);
  console.table(rows);
  console.log('Targets (DESIGN.md): W ≤ 3 index writes included, ≤ 0.35 SQS requests per job; $ = 0.625·W + 0.40·SQS + 0.20·Lambda invocations per job.');
  console.log('Transactional: the record carries the payload until dispatched and a transaction costs double; Lambda invocations include the dispatcher\'s (batches of 100 stream records, reading the stream is free for a Lambda trigger).');
} finally {
  await emulator.stop();
}
