/**
 * One simulated run: callers enqueue a mix of jobs through the real JobClient, and the real
 * worker path (`processMessage`, what `createWorker` runs for each SQS record) claims, runs
 * and records them, on the real DynamoDB stores (awsBackends) whose client answers from
 * memory (fake-dynamodb.ts). Every write is counted against the partition key it lands on,
 * per simulated second. Time is simulated: ids, leases, delays and rate-limit turns all read
 * the simulated clock, and handlers "work" by sleeping on it.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { z } from 'zod';
import { awsBackends } from '../../lib/aws/aws-backends.js';
import { JobClient, type EnqueueRequest } from '../../lib/client/job-client.js';
import type { JoblineConfig } from '../../lib/config.js';
import { PermanentError } from '../../lib/errors.js';
import { settleParent } from '../../lib/continuations/children.js';
import { defineJob, type AnyJobDefinition } from '../../lib/job-definition.js';
import { JobRegistry } from '../../lib/job-registry.js';
import { isFinished, type JobStatus } from '../../lib/job-status.js';
import { DynamoSweepStore } from '../../lib/store/dynamo/dynamo-sweep-store.js';
import { jobKey } from '../../lib/store/dynamo/job-item.js';
import { sweep } from '../../lib/sweeper/sweep.js';
import { defineHandler, type AnyBoundJob } from '../../lib/worker/job-handler.js';
import { processMessage } from '../../lib/worker/process-message.js';
import { workerDependencies } from '../../lib/worker/worker-dependencies.js';
import { createJobTables } from '../../scripts/lib/job-tables.js';
import { MemoryDynamoDB } from './fake-dynamodb.js';
import { MemoryQueues } from './fake-sqs.js';
import { SimClock, settle } from './sim-clock.js';
import { WriteLog } from './write-log.js';

/** Share of jobs per kind (they add up to 1). */
export const MIX = { plain: 0.7, concurrency: 0.1, rate: 0.1, unique: 0.1 } as const;
/** Share of jobs (of every kind) whose first attempt fails with a transient error, and that then succeed. */
export const RETRY_SHARE = 0.05;
/** Share of jobs that fail permanently (dead-lettered, kept on the record with their payload). */
export const FAIL_SHARE = 0.01;
/** Per-tenant limits of the flow-controlled kinds. */
export const TENANT_CONCURRENCY = 5;
export const TENANT_RATE_PER_SECOND = 50;
/** The kind-wide rate limit of the variant that limits the rate-limited share per kind. */
export const KIND_RATE_PER_SECOND = 5000;
/** How long each attempt's handler works, in simulated ms. */
export const HANDLER_MS = 200;
/** Retry delay base: 2 s (jitter 20 %), so that retried jobs come back within a quick run. */
export const RETRY_BASE_SECONDS = 2;

const schema = z.object({ tenant: z.string(), ref: z.string(), outcome: z.enum(['ok', 'retry', 'fail']) });
type Payload = z.output<typeof schema>;
const retry = { backoffBaseSeconds: RETRY_BASE_SECONDS };

/** The kinds of the mix. Every kind is tracked in full (the default). */
export const KINDS = {
  plain: defineJob({ kind: 'sim.plain', schema, retry }),
  concurrency: defineJob({ kind: 'sim.tenant-concurrency', schema, retry, concurrency: { limit: TENANT_CONCURRENCY, key: (p) => p.tenant } }),
  rate: defineJob({ kind: 'sim.tenant-rate', schema, retry, rateLimit: { limit: TENANT_RATE_PER_SECOND, periodSeconds: 1, key: (p) => p.tenant } }),
  unique: defineJob({ kind: 'sim.unique', schema, retry, unique: { key: (p) => p.ref, windowSeconds: 3600 } }),
  kindRate: defineJob({ kind: 'sim.kind-rate', schema, retry, rateLimit: { limit: KIND_RATE_PER_SECOND, periodSeconds: 1 } }),
};

/** How tenants and limits are laid out. */
export type Variant =
  /** Tenants send evenly; the limits are per tenant. */
  | 'uniform'
  /** One tenant sends {@link HOT_TENANT_SHARE} of all jobs (its jobs run in full, never sampled). */
  | 'hot-tenant'
  /** The rate-limited share is limited per kind (one key for all tenants) at {@link KIND_RATE_PER_SECOND} (those jobs run in full). */
  | 'kind-wide-rate';

/** The hot tenant's share of all jobs in the `hot-tenant` variant. */
export const HOT_TENANT_SHARE = 0.1;

export interface SimulationOptions {
  readonly variant: Variant;
  readonly shardCount: number;
  readonly jobsPerSecond: number;
  readonly seconds: number;
  /**
   * Share of each second's jobs run through the code (1: all); each write of theirs counts
   * 1/sample times. The variant's hot jobs (the hot tenant's, the kind-wide limited kind's) always run.
   */
  readonly sample: number;
  readonly tenants: number;
  /** A part of partition keys (e.g. `tenant-0`): the result also lists the busiest keys that contain it. */
  readonly focus?: string | undefined;
  /** Simulated ms per step of the loop (enqueue, deliver, wake sleepers). @default 100 */
  readonly tickMs?: number;
}

/** Writes on one (table or index, partition key). */
export interface KeyLoad {
  readonly target: string;
  readonly key: string;
  /** In its busiest second. */
  readonly peakWrites: number;
  readonly peakUnits: number;
  /** Mean over the window. */
  readonly meanWrites: number;
  /** Writes in each second of the window. */
  readonly series: readonly number[];
}

export interface SimulationResult {
  readonly options: SimulationOptions;
  /** Jobs enqueued through the code. */
  readonly jobsRun: number;
  /** Writes and write units per second on all keys (means over the window), and distinct keys written per second. */
  readonly writesPerSecond: number;
  readonly unitsPerSecond: number;
  readonly keysPerSecond: number;
  /** The key with the most writes in one second. */
  readonly busiest: KeyLoad;
  /** Per table and index: its writes per second and its busiest key. */
  readonly byTarget: readonly (KeyLoad & { readonly writesPerSecond: number })[];
  /** The keys containing `focus`, busiest first (at most 10). */
  readonly focused: readonly KeyLoad[];
  /** How deliveries ended: ack, keep (retry or wait), error. */
  readonly outcomes: Readonly<Record<string, number>>;
  readonly elapsedMs: number;
}

const START = Date.parse('2026-01-05T09:00:00.000Z');
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/000000000000/jobline-sim';
const LAMBDA_SECONDS = 900;
const VISIBILITY_SECONDS = 90;
/** Jobs per enqueueMany call. */
const CALL_SIZE = 100;

export async function simulate(options: SimulationOptions): Promise<SimulationResult> {
  const started = performance.now();
  const tickMs = options.tickMs ?? 100;
  const clock = new SimClock(START);
  const log = new WriteLog(() => clock.second());
  const db = new MemoryDynamoDB(log, (name) => (name.includes('-claims-') ? 'idempotency' : 'jobs'));
  const queues = new MemoryQueues(clock, tickMs);
  const sqs = queues.client();
  const logger = silentLogger();

  // The tables as the construct lays them out (keys and indexes from lib/store/dynamo/job-item.ts, via the test harness's CreateTable).
  const tables = await createJobTables(db.client(), 'sim');
  const config: JoblineConfig = {
    tableName: tables.tableName, idempotencyTableName: tables.claimsTableName, shardCount: options.shardCount,
    lanes: { default: { queueUrl: QUEUE_URL, queueArn: 'arn:aws:sqs:us-east-1:000000000000:jobline-sim', deadLetterQueueUrl: `${QUEUE_URL}-dlq` } },
    scheduler: { groupName: 'default', roleArn: 'arn:aws:iam::000000000000:role/jobline-sim', thresholdSeconds: 900 },
  };
  const rateKind = options.variant === 'kind-wide-rate' ? KINDS.kindRate : KINDS.rate;
  const definitions: AnyJobDefinition[] = [KINDS.plain, KINDS.concurrency, rateKind, KINDS.unique];
  const registry = new JobRegistry(definitions);
  const outcomes: Record<string, number> = {};
  const count = (what: string) => { outcomes[what] = (outcomes[what] ?? 0) + 1; };
  const handler = async (payload: Payload, ctx: { attempt: number }) => {
    await clock.sleep(HANDLER_MS);
    if (payload.outcome === 'retry' && ctx.attempt === 1) throw new Error('transient failure');
    if (payload.outcome === 'fail') throw new PermanentError('bad input');
  };
  const bound: AnyBoundJob[] = definitions.map((d) => defineHandler(d, handler));

  /**
   * A caller and a worker on their own DynamoDB client, whose writes count `weight` times: one
   * for the jobs that always run, one for the sampled rest. Both share the tables and the queue.
   */
  const side = (weight: number) => {
    const backends = awsBackends(config, { dynamodb: db.client(weight), sqs, scheduler: new SchedulerClient({ region: 'us-east-1' }) });
    const client = new JobClient({ jobs: definitions, config, backends, now: clock.now });
    const deps = workerDependencies({ jobs: bound, registry, backends, config, logger, now: clock.now, sleep: clock.sleep });
    return { backends, client, deps };
  };
  const whole = side(1);
  const sampled = side(1 / options.sample);
  const sweepStore = new DynamoSweepStore(db.client(), config.tableName);

  const queue = queues.queue(QUEUE_URL);
  let ref = 0;
  let jobsRun = 0;
  let inFlight = 0;
  /** The next job of the mix, and whether it always runs (a hot one) or is sampled. */
  const nextJob = (): { request: EnqueueRequest; always: boolean } | undefined => {
    const roll = Math.random();
    const job = roll < MIX.plain ? KINDS.plain : roll < MIX.plain + MIX.concurrency ? KINDS.concurrency : roll < MIX.plain + MIX.concurrency + MIX.rate ? rateKind : KINDS.unique;
    const hot = options.variant === 'hot-tenant' && Math.random() < HOT_TENANT_SHARE;
    const tenant = hot ? 0 : Math.floor(Math.random() * options.tenants);
    const always = hot || (options.variant === 'kind-wide-rate' && job === rateKind);
    if (!always && Math.random() >= options.sample) return undefined;
    const fate = Math.random();
    const outcome = fate < RETRY_SHARE ? 'retry' : fate < RETRY_SHARE + FAIL_SHARE ? 'fail' : 'ok';
    // The ref says which side runs the job (its message is routed by it).
    return { request: { job: job as AnyJobDefinition, payload: { tenant: `tenant-${tenant}`, ref: `${always ? 'w' : 's'}-${++ref}`, outcome } }, always };
  };
  const enqueue = (requests: EnqueueRequest[], client: JobClient) => {
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < requests.length; i += CALL_SIZE) calls.push(client.enqueueMany(requests.slice(i, i + CALL_SIZE)));
    return calls;
  };

  const sweepAt = Math.floor(options.seconds / 2) * 1000;
  const ticks = Math.round((options.seconds * 1000) / tickMs);
  let carry = 0;
  for (let tick = 0; tick < ticks; tick++) {
    clock.advanceTo(START + tick * tickMs);
    await settle();

    // The sweeper runs once a minute: once in the window, half-way.
    if (tick * tickMs === sweepAt) {
      const settleOne = (parentId: string) => settleParent(parentId, { store: whole.backends.store, registry, shardCount: config.shardCount, now: clock.now }, logger);
      await sweep({ store: sweepStore, settleParent: settleOne, transport: whole.backends.transport, scheduler: whole.backends.scheduler, config, logger, now: clock.now }, { stuckAfterSeconds: 900 });
    }

    // Callers: this tick's share of the rate, in enqueueMany calls of up to 100 jobs.
    carry += (options.jobsPerSecond * tickMs) / 1000;
    const due = Math.floor(carry);
    carry -= due;
    const always: EnqueueRequest[] = [];
    const some: EnqueueRequest[] = [];
    for (let i = 0; i < due; i++) {
      const next = nextJob();
      if (next) (next.always ? always : some).push(next.request);
    }
    jobsRun += always.length + some.length;
    await Promise.all([...enqueue(always, whole.client), ...enqueue(some, sampled.client)]);

    // Lambda's event source: every visible message goes to a worker; acknowledged ones are deleted.
    for (const message of queue.receive(clock.ms(), VISIBILITY_SECONDS)) {
      inFlight++;
      const handle = message.receiptHandle;
      const incoming = {
        messageId: message.messageId, receiptHandle: handle, body: message.body, lane: 'default',
        receiveCount: message.receiveCount, sentTimestamp: message.sentTimestamp, groupId: message.groupId,
      };
      const { deps } = message.body.includes('"ref":"s-') ? sampled : whole;
      void processMessage(incoming, deps, clock.ms() + LAMBDA_SECONDS * 1000).then((disposition) => {
        count(disposition);
        if (disposition !== 'ack') return;
        queue.delete(handle);
        // A finished job's record is written no more: forget it (memory), without counting a write.
        const id = message.attributes['jobline.id'];
        if (!id) return;
        const key = jobKey(id);
        const item = db.table(config.tableName).get(key);
        if (item && isFinished(item.status as JobStatus)) db.forget(config.tableName, key);
      }, () => count('error')).finally(() => { inFlight--; });
    }
    await settle();
  }
  // Let the attempts in flight finish (their writes fall after the window and are not counted).
  for (let i = 0; i < 50 && inFlight > 0; i++) {
    clock.wakeAll();
    await settle();
  }

  const targets = db.specs().flatMap((spec) => [db.table(spec.name).label, ...spec.indexes.map((index) => `${db.table(spec.name).label}/${index.name}`)]);
  return { ...summarize(log, options, targets), jobsRun, outcomes, elapsedMs: performance.now() - started };
}

/**
 * A logger that drops everything. Powertools' Logger, even SILENT, costs a console and an
 * environment read per child logger (one per message): at this scale most of the run.
 */
function silentLogger(): Logger {
  const logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, critical: () => {}, createChild: () => logger };
  return logger as unknown as Logger;
}

/** One key's writes while the log is read. */
interface KeyTally {
  readonly target: string;
  readonly key: string;
  peakWrites: number;
  peakUnits: number;
  total: number;
}

function summarize(log: WriteLog, options: SimulationOptions, targets: readonly string[]): Omit<SimulationResult, 'jobsRun' | 'outcomes' | 'elapsedMs'> {
  const seconds = options.seconds;
  let writes = 0;
  let units = 0;
  const keysBySecond = new Array<number>(seconds).fill(0);
  const perKey = new Map<string, KeyTally>();
  const perTarget = new Map<string, number>(targets.map((t) => [t, 0]));
  for (const entry of log.entries(seconds)) {
    writes += entry.writes;
    units += entry.units;
    keysBySecond[entry.second]!++;
    perTarget.set(entry.target, (perTarget.get(entry.target) ?? 0) + entry.writes);
    const id = `${entry.target}\u0000${entry.key}`;
    const load = perKey.get(id);
    if (!load) perKey.set(id, { target: entry.target, key: entry.key, peakWrites: entry.writes, peakUnits: entry.units, total: entry.writes });
    else {
      load.total += entry.writes;
      if (entry.writes > load.peakWrites) {
        load.peakWrites = entry.writes;
        load.peakUnits = entry.units;
      }
    }
  }
  const loadOf = (l: KeyTally): KeyLoad => ({
    target: l.target, key: l.key, peakWrites: l.peakWrites, peakUnits: l.peakUnits, meanWrites: l.total / seconds, series: log.series(l.target, l.key, seconds),
  });
  const busiestOf = (target?: string) => {
    let best: KeyTally | undefined;
    for (const l of perKey.values()) if ((!target || l.target === target) && (!best || l.peakWrites > best.peakWrites)) best = l;
    return best ? loadOf(best) : { target: target ?? '-', key: '-', peakWrites: 0, peakUnits: 0, meanWrites: 0, series: [] };
  };
  return {
    options,
    writesPerSecond: writes / seconds,
    unitsPerSecond: units / seconds,
    keysPerSecond: keysBySecond.reduce((a, b) => a + b, 0) / seconds,
    busiest: busiestOf(),
    focused: options.focus ? [...perKey.values()].filter((l) => l.key.includes(options.focus!)).sort((a, b) => b.peakWrites - a.peakWrites).slice(0, 10).map(loadOf) : [],
    byTarget: [...perTarget].sort(([a], [b]) => a.localeCompare(b)).map(([target, total]) => ({ ...busiestOf(target), writesPerSecond: total / seconds })),
  };
}
