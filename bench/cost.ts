/**
 * Cost benchmark: write and read units, SQS requests, Lambda and Scheduler invocations per job
 * on every path a job can take, measured on the emulator with the real store, transport and
 * worker code. The emulator's DynamoDB reports
 * ConsumedCapacity by AWS's rules (item size before/after, index writes); SQS requests are
 * counted at the client. Lambda's event source is played by this script (ReceiveMessage of
 * up to 10, then DeleteMessageBatch of what the worker did not return), which is the traffic
 * AWS bills for it.
 *
 * Run: npm run bench:cost   (starts ministack when nothing answers at AWS_ENDPOINT_URL); it is
 * also a section of `npm run bench`.
 */
import { pathToFileURL } from 'node:url';
import { CreateTableCommand, DynamoDBClient, type ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteMessageBatchCommand, DeleteQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { Logger } from '@aws-lambda-powertools/logger';
import { JobClient } from '../lib/client/job-client.js';
import type { JoblineConfig } from '../lib/config.js';
import { defineJob, type AnyJobDefinition } from '../lib/job-definition.js';
import { createWorker } from '../lib/worker/create-worker.js';
import { defineHandler, type AnyBoundJob } from '../lib/worker/job-handler.js';
import { PermanentError } from '../lib/errors.js';
import { awsBackends } from '../lib/aws/clients.js';
import { dispatchKept } from '../lib/flows/dispatch.js';
import { encodeCronMessage, SCHEDULED_TIME_PLACEHOLDER } from '../lib/cron-firing.js';
import { useAwsEnvironment } from '../scripts/lib/aws-environment.js';
import { ensureEmulator } from '../scripts/lib/emulator.js';
import { createJobTables } from '../scripts/lib/job-tables.js';
import type { BenchOptions, BenchSection } from './lib/result.js';
import { printSection } from './lib/report.js';

const PAYLOAD_BYTES = 1024;
/** Jobs per scenario: BENCH_JOBS, else 200 (50 in quick mode); set by {@link run}. */
let DEFAULT_JOBS = 200;
// 1 KB of JSON: {"data":"xxx…"}
const KILOBYTE = { data: 'x'.repeat(PAYLOAD_BYTES - '{"data":""}'.length) };
/** $ per million, us-east-1 list prices (see bench/prices.ts for their sources). */
const PRICES = { writeUnit: 0.625, readUnit: 0.125, sqsRequest: 0.4, lambdaRequest: 0.2, schedulerInvocation: 1, s3Get: 0.4 };

const schema = z.object({ data: z.string(), key: z.string().default('k') });
const bench = defineJob({ kind: 'bench.noop', schema, retry: { backoffBaseSeconds: 1 } });
/** A kind per path a job can take (see `paths` below). */
const small = z.object({ data: z.string() });
const path = {
  retried: defineJob({ kind: 'bench.retried', schema, retry: { backoffBaseSeconds: 1, jitter: 0 } }),
  failed: defineJob({ kind: 'bench.failed', schema }),
  predecessor: defineJob({ kind: 'bench.predecessor', schema }),
  followUp: defineJob({ kind: 'bench.follow-up', schema: small }),
  parent: defineJob({ kind: 'bench.parent', schema: small }),
  child: defineJob({ kind: 'bench.child', schema: small }),
  unique: defineJob({ kind: 'bench.unique', schema, unique: { key: (p) => p.key, windowSeconds: 3600 } }),
  heartbeat: defineJob({ kind: 'bench.heartbeat', schema, heartbeatSeconds: 5, timeoutSeconds: 30 }),
  delayed: defineJob({ kind: 'bench.delayed', schema }),
  cron: defineJob({ kind: 'bench.cron', schema: small, schedules: [{ name: 'nightly', expression: 'cron(0 3 * * ? *)', payload: { data: 'x'.repeat(PAYLOAD_BYTES - '{"data":""}'.length) } }] }),
};
const CHILDREN = 100;
/** The plain kind at each tracking level below `full`. */
const fromClaim = defineJob({ kind: 'bench.from-claim', schema, retry: { backoffBaseSeconds: 1 }, tracking: 'from-claim' });
const outcomeOnly = defineJob({ kind: 'bench.outcome', schema, retry: { backoffBaseSeconds: 1 }, tracking: 'outcome' });
/** Flow control, one option per kind: what each costs on top of the plain kind. */
const limited = {
  concurrencyFree: defineJob({ kind: 'bench.concurrency', schema, concurrency: { limit: 100 } }),
  concurrencyContended: defineJob({ kind: 'bench.concurrency-2', schema, concurrency: { limit: 2 } }),
  rateFree: defineJob({ kind: 'bench.rate', schema, rateLimit: { limit: 100, periodSeconds: 1, key: (p) => p.key } }),
  rateContended: defineJob({ kind: 'bench.rate-10', schema, rateLimit: { limit: 10, periodSeconds: 1 } }),
  debounce: defineJob({ kind: 'bench.debounce', schema, debounce: { key: (p) => p.key, windowSeconds: 1 } }),
  group: defineJob({ kind: 'bench.group', schema, group: { key: (p) => p.key } }),
};

/** Counters filled by SDK middleware. */
const meter = {
  tableUnits: 0, indexUnits: 0, readUnits: 0, sqs: new Map<string, number>(),
  /** DynamoDB requests the worker made (the drain phase): what a job asks of DynamoDB once enqueued. */
  workerRequests: 0, draining: false,
  /** S3 GETs of the example import's handlers. */
  s3Gets: 0,
};

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
    const isRead = ['GetItemCommand', 'QueryCommand'].includes(context.commandName ?? '');
    if (isWrite || isRead) input.ReturnConsumedCapacity = isWrite ? 'INDEXES' : 'TOTAL';
    if (meter.draining) meter.workerRequests++;
    try {
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
      if (isWrite) addCapacity(consumed);
      // A read the emulator does not report is counted as AWS bills a strongly consistent read of a small item.
      if (isRead) meter.readUnits += consumed ? [consumed].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0) : 1;
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

async function createResources(name: string, dynamodb: DynamoDBClient, sqs: SQSClient, thresholdSeconds = 900): Promise<JoblineConfig & { drop: () => Promise<void> }> {
  // The jobs and claims tables with the construct's layout (keys, the sparse state index and the watch index).
  const tables = await createJobTables(dynamodb, name);
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '60' } }));
  const queueArn = `arn:aws:sqs:us-east-1:000000000000:${name}`;
  return {
    tableName: tables.tableName, idempotencyTableName: tables.claimsTableName, shardCount: 64, drop: tables.drop,
    lanes: { default: { queueUrl: queue.QueueUrl!, queueArn, deadLetterQueueUrl: dlq.QueueUrl! } },
    scheduler: { groupName: 'default', roleArn: 'arn:aws:iam::000000000000:role/unused', thresholdSeconds },
  };
}

/**
 * Plays Lambda's SQS event source until the handler has run `runs` times: receive ≤ 10,
 * invoke, delete the rest. Empty receives (the event source's idle polling, billed per queue
 * whatever the load, not per job) are not counted.
 */
async function drain(config: JoblineConfig, sqs: SQSClient, dynamodb: DynamoDBClient, jobs: (ran: () => void) => AnyBoundJob[], runs: number, pollers = 1): Promise<{ invocations: number }> {
  let ran = 0;
  const worker = createWorker({ jobs: jobs(() => { ran++; }), config, ...awsBackends(config, { dynamodb, sqs }), logger: new Logger({ logLevel: 'SILENT' }), metrics: false });
  const queueUrl = config.lanes.default!.queueUrl;
  const arn = config.lanes.default!.queueArn;
  let invocations = 0;
  meter.draining = true;
  // Each poller is one concurrent Lambda invocation of the event source.
  const poll = async () => {
    while (ran < runs) {
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
      const messages = received.Messages ?? [];
      if (messages.length === 0) {
        meter.sqs.set('ReceiveMessageCommand', meter.sqs.get('ReceiveMessageCommand')! - 1);
        continue;
      }
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
    }
  };
  await Promise.all(Array.from({ length: pollers }, poll));
  meter.draining = false;
  return { invocations };
}

/**
 * How a scenario enqueues its jobs: in batches of 100, one call each, each in a transaction of
 * its own, delayed past the Scheduler threshold (one-time schedules), or as firings of a
 * recurring schedule (the message Scheduler sends, sent here one request per firing, as
 * Scheduler does); or by a function of its own.
 */
type Enqueue = 'batched' | 'single' | 'transactional' | 'delayed' | 'cron' | ((client: JobClient, config: JoblineConfig, sqs: SQSClient) => Promise<void>);

/**
 * Plays the dispatcher on the jobs enqueued in transactions, as the table's stream hands them
 * over (batches of 100 new images; reading a stream is free for a Lambda trigger): it sends
 * their messages and marks them dispatched. Returns its invocations.
 */
async function dispatchFromStream(client: JobClient, ids: readonly string[], config: JoblineConfig, backends: ReturnType<typeof awsBackends>): Promise<number> {
  let invocations = 0;
  for (let i = 0; i < ids.length; i += 100) {
    // The stream hands the dispatcher these images: reading them here is the harness's, not billed.
    const unbilled = meter.readUnits;
    const records = await Promise.all(ids.slice(i, i + 100).map((id) => client.get(id)));
    meter.readUnits = unbilled;
    const kept = records.map((record) => ({ record: record!, payloadJson: JSON.stringify(record!.payload) }));
    await dispatchKept(kept, new Date(), {
      transport: backends.transport, scheduler: backends.scheduler, thresholdSeconds: config.scheduler.thresholdSeconds,
      markDispatched: (id, status) => backends.store.markDispatched(id, status), logger: new Logger({ logLevel: 'SILENT' }),
    });
    invocations++;
  }
  return invocations;
}

/** One row of the table: a kind, how its jobs are enqueued, how many, and how many runs they come to. */
interface Scenario {
  readonly label: string;
  readonly enqueue: Enqueue;
  readonly definition?: AnyJobDefinition;
  /** Jobs enqueued. @default BENCH_JOBS */
  readonly jobs?: number;
  /** Handler runs they come to (fewer than jobs when debounced). @default jobs */
  readonly runs?: number;
  /** Jobs each enqueued one stands for, when it makes more (a parent and its children). @default 1 */
  readonly perJobOf?: number;
  /** Concurrent invocations of the worker. @default 1 */
  readonly pollers?: number;
  /** The payload of job i. @default 1 KB of JSON */
  readonly payload?: (i: number) => Record<string, unknown>;
  /** The kinds the worker runs, each counting its runs with `ran`. @default the kind, doing nothing */
  readonly handlers?: (ran: () => void) => AnyBoundJob[];
  /** What the figures are per, when not per job (e.g. "row"), and how many of them. */
  readonly per?: { readonly label: string; readonly count: number };
}

/** Billed per job outside what the clients here see: Scheduler's invocations and the SQS sends they make. */
function scheduledExtras(enqueue: Enqueue): { schedulerInvocations: number; sqsRequests: number } {
  return enqueue === 'delayed' || enqueue === 'cron' ? { schedulerInvocations: 1, sqsRequests: enqueue === 'delayed' ? 1 : 0 } : { schedulerInvocations: 0, sqsRequests: 0 };
}

async function scenario(spec: Scenario): Promise<Record<string, string | number>> {
  const { label, enqueue } = spec;
  const definition = spec.definition ?? bench;
  const enqueued = spec.jobs ?? DEFAULT_JOBS;
  // Figures are per job: a parent's children count as jobs too.
  const jobs = enqueued * (spec.perJobOf ?? 1);
  const per = spec.per?.count ?? jobs;
  const { dynamodb, sqs } = meteredClients();
  const name = `jobline-bench-${Date.now()}`;
  // Delayed jobs go through the Scheduler from 2 s on, so the scenario takes seconds.
  const config = await createResources(name, dynamodb, sqs, enqueue === 'delayed' ? 2 : 900);
  Object.assign(meter, { tableUnits: 0, indexUnits: 0, readUnits: 0, workerRequests: 0, s3Gets: 0 });
  meter.sqs.clear();
  const backends = awsBackends(config, { dynamodb, sqs });
  const client = new JobClient({ jobs: [definition], config, ...backends });
  const payload = spec.payload ?? (() => KILOBYTE);
  let dispatcherInvocations = 0;
  if (enqueue === 'batched') {
    for (let i = 0; i < enqueued; i += 100) await client.enqueueMany(Array.from({ length: Math.min(100, enqueued - i) }, (_, j) => ({ job: definition, payload: payload(i + j) })));
  } else if (enqueue === 'single') {
    for (let i = 0; i < enqueued; i++) await client.enqueue(definition, payload(i));
  } else if (enqueue === 'delayed') {
    for (let i = 0; i < enqueued; i += 100) await client.enqueueMany(Array.from({ length: Math.min(100, enqueued - i) }, (_, j) => ({ job: definition, payload: payload(i + j), options: { delaySeconds: 3 } })));
  } else if (enqueue === 'cron') {
    const schedule = definition.schedules[0]!;
    const body = encodeCronMessage(definition.kind, `${definition.kind}/${schedule.name}`, JSON.stringify(schedule.payload));
    // Each firing has its own scheduled time, as Scheduler fills it in.
    const start = Date.UTC(2026, 0, 1);
    for (let i = 0; i < enqueued; i++) {
      await sqs.send(new SendMessageCommand({ QueueUrl: config.lanes.default!.queueUrl, MessageBody: body.replace(SCHEDULED_TIME_PLACEHOLDER, new Date(start + i * 60_000).toISOString()) }));
    }
  } else if (typeof enqueue === 'function') {
    await enqueue(client, config, sqs);
  } else {
    // Each job in a transaction of its own (the caller's business items would add their own cost).
    const ids: string[] = [];
    for (let i = 0; i < enqueued; i++) ids.push(...(await client.enqueueInTransaction([], [{ job: definition, payload: payload(i) }])).map((j) => j.id));
    dispatcherInvocations = await dispatchFromStream(client, ids, config, backends);
  }
  const handlers = spec.handlers ?? ((ran: () => void) => [defineHandler(definition, async () => { ran(); })]);
  const { invocations: workerInvocations } = await drain(config, sqs, dynamodb, handlers, spec.runs ?? jobs, spec.pollers);
  const invocations = workerInvocations + dispatcherInvocations;
  const extras = scheduledExtras(enqueue);
  const sqsRequests = [...meter.sqs.values()].reduce((a, b) => a + b, 0) + extras.sqsRequests * jobs;
  const w = (meter.tableUnits + meter.indexUnits) / per;
  const perJobSqs = sqsRequests / per;
  const r = meter.readUnits / per;
  const scheduler = (extras.schedulerInvocations * jobs) / per;
  const s3 = meter.s3Gets / per;
  const dollars = PRICES.writeUnit * w + PRICES.readUnit * r + PRICES.sqsRequest * perJobSqs + PRICES.lambdaRequest * (invocations / per)
    + PRICES.schedulerInvocation * scheduler + PRICES.s3Get * s3;
  const byCall = [...meter.sqs].map(([k, v]) => `${k.replace('Command', '')}=${v}`).join(' ');
  await config.drop();
  for (const lane of Object.values(config.lanes)) {
    await sqs.send(new DeleteQueueCommand({ QueueUrl: lane.queueUrl }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: lane.deadLetterQueueUrl }));
  }
  return {
    scenario: label,
    jobs,
    per: spec.per?.label ?? 'job',
    'W (table)': +(meter.tableUnits / per).toFixed(3),
    'W (index)': +(meter.indexUnits / per).toFixed(3),
    'W total': +w.toFixed(3),
    'R/job': +r.toFixed(3),
    'SQS req/job': +perJobSqs.toFixed(3),
    'SQS by call': byCall + (extras.sqsRequests ? ' +Scheduler\'s SendMessage' : ''),
    'Lambda inv/job': +(invocations / per).toFixed(3),
    'Scheduler inv/job': +scheduler.toFixed(3),
    'S3 GET/job': +s3.toFixed(3),
    'DDB req/job (worker)': +(meter.workerRequests / per).toFixed(3),
    '$ per million': +dollars.toFixed(2),
  };
}


/** A contacts CSV for the import scenario: `rows` valid rows over a few days. */
function contactsCsv(rows: number): string {
  const lines = ['email,name,country,signed_up_on'];
  for (let i = 0; i < rows; i++) lines.push(`bench-${i}@example.com,Person ${i},${['GB', 'US', 'FI'][i % 3]},2026-03-0${1 + (i % 5)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The reference app's CSV import (import.start spawning one import.chunk per 500 rows) on a
 * bucket and contacts table of its own; its S3 GETs are counted, and so are the contacts
 * table's writes (the app's own: one unit per row), through the app's clients.
 */
async function importScenario(rows: number): Promise<Scenario> {
  const [{ startImportJob }, { importChunkJob }, { startImport, CHUNK_ROWS }, data] = await Promise.all([
    import('../functions/jobs/import-start.js'), import('../functions/jobs/import-chunk.js'), import('../functions/jobs/definitions.js'), import('../functions/jobs/example-data.js'),
  ]);
  const suffix = Date.now().toString(36);
  const bucket = `jobline-bench-files-${suffix}`;
  const table = `jobline-bench-contacts-${suffix}`;
  await data.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const ddb = new DynamoDBClient({});
  await ddb.send(new CreateTableCommand({
    TableName: table, BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'day', KeyType: 'HASH' }, { AttributeName: 'email', KeyType: 'RANGE' }],
    AttributeDefinitions: [{ AttributeName: 'day', AttributeType: 'S' }, { AttributeName: 'email', AttributeType: 'S' }],
  }));
  process.env.FILES_BUCKET = bucket;
  process.env.CONTACTS_TABLE = table;
  await data.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'imports/bench.csv', Body: contactsCsv(rows) }));
  if (!metered.has(data.s3)) {
    metered.add(data.s3);
    data.s3.middlewareStack.add((next, context) => async (args) => {
      if (context.commandName === 'GetObjectCommand') meter.s3Gets++;
      return next(args);
    }, { step: 'initialize', name: 's3Meter' });
    data.contacts.middlewareStack.add((next) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'INDEXES';
      const result = await next(args);
      addCapacity((result.output as { ConsumedCapacity?: ConsumedCapacity[] }).ConsumedCapacity);
      return result;
    }, { step: 'initialize', name: 'contactsMeter' });
  }
  const chunks = Math.ceil(rows / CHUNK_ROWS);
  return {
    label: `CSV import of ${rows} rows (1 start + ${chunks} chunks; the app's contact writes included, 1 W per row)`, definition: startImport, jobs: 1, perJobOf: chunks + 1,
    per: { label: 'row', count: rows },
    enqueue: async (client) => { await client.enqueue(startImport, { fileId: `bench-${suffix}`, key: 'imports/bench.csv', uploadedBy: 'bench' }); },
    handlers: (ran) => [startImportJob, importChunkJob].map((bound: AnyBoundJob) => defineHandler(bound.definition, async (payload, ctx) => { ran(); return bound.handler(payload, ctx); })),
  };
}
const metered = new Set<unknown>();

const TRACKING_TARGETS = { full: 3, 'from-claim': 2, outcome: 1.2 } as const;

/**
 * Every cost table: enqueue styles, tracking levels, every path, flow control. Rows carry W
 * (write units, indexes included), R (read units), SQS requests, Lambda and Scheduler
 * invocations, S3 GETs and the DynamoDB requests the worker makes, per job (or per row).
 */
export async function run(options: BenchOptions): Promise<BenchSection[]> {
  DEFAULT_JOBS = Number(process.env.BENCH_JOBS ?? (options.quick ? 50 : 200));
  const rows = [
    await scenario({ label: 'enqueueMany (batches of 100)', enqueue: 'batched' }),
    await scenario({ label: 'enqueue (one call per job)', enqueue: 'single' }),
    await scenario({ label: 'enqueueInTransaction (one job per transaction; dispatcher)', enqueue: 'transactional' }),
  ];
  const trackingRows = [
    { ...rows[0]!, scenario: 'tracking "full", enqueueMany (batches of 100)' },
    await scenario({ label: 'tracking "from-claim", enqueueMany (batches of 100)', enqueue: 'batched', definition: fromClaim }),
    await scenario({ label: 'tracking "from-claim", enqueue (one call per job)', enqueue: 'single', definition: fromClaim }),
    await scenario({ label: 'tracking "outcome", enqueueMany (batches of 100)', enqueue: 'batched', definition: outcomeOnly }),
  ];
  const tenants = (i: number) => ({ ...KILOBYTE, key: `tenant-${i % 20}` });
  const flowRows = [
    await scenario({ label: 'concurrency limit, never full (slot taken + freed)', enqueue: 'batched', definition: limited.concurrencyFree }),
    await scenario({ label: 'concurrency limit 2, batches of 10 (most wait)', enqueue: 'batched', definition: limited.concurrencyContended, jobs: Math.min(DEFAULT_JOBS, 40) }),
    await scenario({ label: 'rate limit 100/s per sender, 20 senders, never reached (one turn)', enqueue: 'batched', definition: limited.rateFree, payload: tenants }),
    await scenario({ label: 'rate limit 10/s, one worker (turns waited for in it)', enqueue: 'batched', definition: limited.rateContended }),
    await scenario({ label: 'rate limit 10/s, 5 workers at once (most wait by message)', enqueue: 'batched', definition: limited.rateContended, pollers: 5 }),
    await scenario({ label: 'debounce: bursts of 10 enqueues per key (per enqueue)', enqueue: 'single', definition: limited.debounce, payload: (i) => ({ ...KILOBYTE, key: `report-${Math.floor(i / 10)}` }), runs: Math.ceil(DEFAULT_JOBS / 10) }),
    await scenario({ label: 'fair group (MessageGroupId, 20 tenants)', enqueue: 'batched', definition: limited.group, payload: tenants }),
  ];
  const unique = (i: number) => ({ ...KILOBYTE, key: `unique-${i}` });
  const parents = Math.max(1, Math.round(DEFAULT_JOBS / 100));
  const pathRows = [
    { ...rows[0]!, scenario: 'happy path (enqueueMany)' },
    await scenario({
      label: 'one retry (first attempt fails, transient)', enqueue: 'batched', definition: path.retried, runs: DEFAULT_JOBS * 2,
      handlers: (ran) => [defineHandler(path.retried, async (_p, ctx) => { ran(); if (ctx.attempt === 1) throw new Error('transient'); })],
    }),
    await scenario({
      label: 'permanent failure (DLQ, payload kept on the record)', enqueue: 'batched', definition: path.failed,
      handlers: (ran) => [defineHandler(path.failed, async () => { ran(); throw new PermanentError('bad input'); })],
    }),
    await scenario({ label: 'delayed past the threshold (one-time Scheduler schedule)', enqueue: 'delayed', definition: path.delayed }),
    await scenario({ label: 'a cron firing (recurring schedule → job)', enqueue: 'cron', definition: path.cron }),
    await scenario({
      label: 'with a follow-up (ctx.then; both jobs, per predecessor)', enqueue: 'batched', definition: path.predecessor, runs: DEFAULT_JOBS * 2,
      handlers: (ran) => [
        defineHandler(path.predecessor, async (_p, ctx) => { ran(); ctx.then(path.followUp, { data: 'next' }); }),
        defineHandler(path.followUp, async () => { ran(); }),
      ],
    }),
    await scenario({
      label: `a parent with ${CHILDREN} children (ctx.spawn; per job, parent and children)`, enqueue: 'batched', definition: path.parent, jobs: parents, runs: parents * (CHILDREN + 1),
      payload: () => ({ data: 'parent' }), perJobOf: CHILDREN + 1,
      handlers: (ran) => [
        defineHandler(path.parent, async (_p, ctx) => { ran(); await ctx.spawn(path.child, Array.from({ length: CHILDREN }, (_, i) => ({ data: `child ${i}` }))); }),
        defineHandler(path.child, async () => { ran(); }),
      ],
    }),
    await scenario(await importScenario(options.quick ? 1000 : 5000)),
    await scenario({ label: 'unique key (claim item written with the record, in a transaction)', enqueue: 'batched', definition: path.unique, payload: unique }),
    await scenario({
      label: 'heartbeat kind, one heartbeat', enqueue: 'batched', definition: path.heartbeat,
      handlers: (ran) => [defineHandler(path.heartbeat, async (_p, ctx) => { ran(); await ctx.heartbeat({ step: 1 }); })],
    }),
    { ...rows[2]!, scenario: 'transactional enqueue (enqueueInTransaction; dispatcher)' },
    { ...flowRows[0]!, scenario: 'flow control: concurrency limit, never full' },
    { ...flowRows[2]!, scenario: 'flow control: rate limit, never reached' },
  ];
  const full = rows[0]!;
  const trackingTarget = (row: Record<string, string | number>, level: keyof typeof TRACKING_TARGETS) => ({ name: `tracking "${level}": write units per job`, value: Number(row['W total']), comparison: '<=' as const, limit: TRACKING_TARGETS[level], unit: 'W' });
  return [
    {
      id: 'cost',
      title: `Cost of every path, per job (${PAYLOAD_BYTES}-byte payload; the import per row), measured on the emulator`,
      rows: pathRows,
      targets: [
        trackingTarget(full, 'full'),
        { name: 'happy path: SQS requests per job', value: Number(full['SQS req/job']), comparison: '<=', limit: 0.35, unit: 'requests' },
        { name: 'happy path: $ per million jobs', value: Number(full['$ per million']), comparison: '<=', limit: 2.05, unit: '$' },
      ],
      notes: [
        `$ = ${PRICES.writeUnit}·W + ${PRICES.readUnit}·R + ${PRICES.sqsRequest}·SQS + ${PRICES.lambdaRequest}·Lambda invocations + ${PRICES.schedulerInvocation}·Scheduler invocations + ${PRICES.s3Get}·S3 GETs, per million (us-east-1 list prices); Lambda compute (GB-s) is not in it (see break-even).`,
        'W counts table and index write units as DynamoDB reports them (ReturnConsumedCapacity INDEXES); a failed conditional write counts 1 W; a read the emulator does not report counts 1 R.',
        'Lambda\'s SQS event source is played by the harness (receive ≤ 10, invoke, delete what succeeded); its empty polls are per queue, not per job, and are not counted.',
        'A delayed job\'s one-time schedule and a cron firing are billed as one Scheduler invocation each, and the delayed job\'s message is sent by Scheduler (one SQS request added; a cron firing\'s message is sent here, one request per firing, as Scheduler does). Scheduler API calls (create, delete) are not billed.',
        'The import row includes the app\'s own writes (its contacts, 1 W per row) and S3 range GETs: jobline\'s share is its jobs (1 start + 1 per 500 rows), about a parent with children per 500 rows.',
        'Tags: jobline has no per-job tags feature, so there is nothing to measure.',
      ],
    },
    {
      id: 'cost-tracking',
      title: 'Tracking levels (the plain kind, 1 KB payload, per job)',
      rows: trackingRows,
      targets: [trackingTarget(trackingRows[0]!, 'full'), trackingTarget(trackingRows[1]!, 'from-claim'), trackingTarget(trackingRows[3]!, 'outcome')],
      notes: ['"outcome" reads the record once per delivery instead of claiming it (R).'],
    },
    { id: 'cost-enqueue', title: 'Enqueue styles, happy path, per job', rows, targets: [], notes: ['Transactional: the record carries the payload until dispatched and a transaction costs double; Lambda invocations include the dispatcher\'s (batches of 100 stream records; reading the stream is free for a Lambda trigger).'] },
    {
      id: 'cost-flow-control', title: 'Flow control, per job enqueued', rows: flowRows, targets: [],
      notes: ['Only kinds that declare flow control pay. A contended limit adds, per wait, a fresh message (send, receive, delete) and, once per job and limit, a note on its record of what it waits for. Debounced enqueues update the key\'s item (its size grows with the payload) and only the last payload runs.'],
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const emulator = await ensureEmulator();
  useAwsEnvironment(emulator.endpoint);
  try {
    for (const section of await run({ quick: process.argv.includes('--quick') })) printSection(section);
  } finally {
    await emulator.stop();
  }
}
