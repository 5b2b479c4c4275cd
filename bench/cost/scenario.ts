/**
 * One scenario of the cost benchmark: fresh tables and queues with the construct's layout, jobs
 * enqueued one way, the worker run by a harness that plays Lambda's SQS event source, and the
 * meter read per job.
 */
import { CreateQueueCommand, DeleteMessageBatchCommand, DeleteQueueCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { JobClient } from '../../lib/client/job-client.js';
import type { JoblineConfig } from '../../lib/config.js';
import * as z from 'zod';
import { defineJob, type AnyJobDefinition } from '../../lib/job-definition.js';
import { createWorker } from '../../lib/worker/create-worker.js';
import { defineHandler, type AnyBoundJob } from '../../lib/worker/job-handler.js';
import { awsBackends } from '../../lib/aws/aws-backends.js';
import { dispatchKept } from '../../lib/dispatcher/dispatch-kept.js';
import { encodeCronMessage, SCHEDULED_TIME_PLACEHOLDER } from '../../lib/cron-firing.js';
import { createJobTables } from '../../scripts/lib/job-tables.js';
import { dollarsPerMillion } from '../../lib/cost/path-units.js';
import { meter, meteredClients } from './meter.js';

export const PAYLOAD_BYTES = 1024;
// 1 KB of JSON: {"data":"xxx…"}
export const KILOBYTE = { data: 'x'.repeat(PAYLOAD_BYTES - '{"data":""}'.length) };
/** The payload of the benchmark's kinds: 1 KB of data and a key for the kinds that use one. */
export const schema = z.object({ data: z.string(), key: z.string().default('k') });
/** The plain kind, which a scenario runs unless it names another. */
const bench = defineJob({ kind: 'bench.noop', schema, retry: { backoffBaseSeconds: 1 } });
/** Jobs per scenario unless it says otherwise (set by the section's run). */
export const defaults = { jobs: 200 };

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
  // The worker logs and emits metrics as deployed (Powertools' default level, INFO); its lines are counted, not printed.
  const worker = createWorker({ jobs: jobs(() => { ran++; }), config, backends: awsBackends(config, { dynamodb, sqs }) });
  const queueUrl = config.lanes.default!.queueUrl;
  const arn = config.lanes.default!.queueArn;
  let invocations = 0;
  meter.draining = true;
  // Lambda sends both streams to CloudWatch Logs: INFO and metrics go to stdout, WARN and ERROR to stderr.
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => {
      meter.logBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      return true;
    }) as typeof stream.write;
  }
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
  try {
    await Promise.all(Array.from({ length: pollers }, poll));
  } finally {
    streams.forEach((stream, i) => { stream.write = writes[i]!; });
    meter.draining = false;
  }
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
export interface Scenario {
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

export async function scenario(spec: Scenario): Promise<Record<string, string | number>> {
  const { label, enqueue } = spec;
  const definition = spec.definition ?? bench;
  const enqueued = spec.jobs ?? defaults.jobs;
  // Figures are per job: a parent's children count as jobs too.
  const jobs = enqueued * (spec.perJobOf ?? 1);
  const per = spec.per?.count ?? jobs;
  const { dynamodb, sqs } = meteredClients();
  const name = `jobline-bench-${Date.now()}`;
  // Delayed jobs go through the Scheduler from 2 s on, so the scenario takes seconds.
  const config = await createResources(name, dynamodb, sqs, enqueue === 'delayed' ? 2 : 900);
  Object.assign(meter, { tableUnits: 0, indexUnits: 0, readUnits: 0, workerRequests: 0, s3Gets: 0, logBytes: 0, unreportedWrites: 0 });
  meter.sqs.clear();
  const backends = awsBackends(config, { dynamodb, sqs });
  const client = new JobClient({ jobs: [definition], config, backends });
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
  const logBytes = meter.logBytes / per;
  // The package's own formula and prices: the per-kind estimate operators see prices with them too.
  const dollars = dollarsPerMillion({ w, r, sqs: perJobSqs, lambda: invocations / per, scheduler, s3Gets: s3, logBytes });
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
    'log bytes/job': Math.round(logBytes),
    '$ per million': +dollars.toFixed(2),
  };
}


