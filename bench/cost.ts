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
import * as z from 'zod';
import { defineJob } from '../lib/job-definition.js';
import { defineHandler } from '../lib/worker/job-handler.js';
import { PermanentError } from '../lib/errors.js';
import { useAwsEnvironment } from '../lib/local/aws-environment.js';
import { ensureEmulator } from '../lib/local/emulator.js';
import type { BenchOptions, BenchSection } from './lib/result.js';
import { printSection } from './lib/report.js';
import { importScenario } from './cost/import-scenario.js';
import { PRICES } from './cost/meter.js';
import { defaults, KILOBYTE, PAYLOAD_BYTES, scenario, schema } from './cost/scenario.js';

const ROOT = new URL('../', import.meta.url).pathname;

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


const TRACKING_TARGETS = { full: 3, 'from-claim': 2, outcome: 1.2 } as const;

/**
 * Every cost table: enqueue styles, tracking levels, every path, flow control. Rows carry W
 * (write units, indexes included), R (read units), SQS requests, Lambda and Scheduler
 * invocations, S3 GETs and the DynamoDB requests the worker makes, per job (or per row).
 */
export async function run(options: BenchOptions): Promise<BenchSection[]> {
  defaults.jobs = Number(process.env.BENCH_JOBS ?? (options.quick ? 50 : 200));
  const DEFAULT_JOBS = defaults.jobs;
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
      ],
      notes: [
        `$ = ${PRICES.writeUnit}·W + ${PRICES.readUnit}·R + ${PRICES.sqsRequest}·SQS + ${PRICES.lambdaRequest}·Lambda invocations + ${PRICES.schedulerInvocation}·Scheduler invocations + ${PRICES.s3Get}·S3 GETs + ${PRICES.logGigabyte}·GB logged, per million (us-east-1 list prices, bench/prices.ts); Lambda compute (GB-s) is not in it (see break-even).`,
        'Log bytes: what the worker writes to stdout at its default level (INFO) — its log lines and its EMF metric lines, which CloudWatch Logs ingests and bills by the GB. A job that succeeds logs nothing of its own (its success line is DEBUG); retries and failures log a line each.',
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
  const emulator = await ensureEmulator({ projectDir: ROOT });
  useAwsEnvironment(emulator.endpoint);
  try {
    for (const section of await run({ quick: process.argv.includes('--quick') })) printSection(section);
  } finally {
    await emulator.stop();
  }
}

