/**
 * Every scenario the cost benchmark measures, as data: the tables of `npm run bench`'s cost
 * sections and their rows. `bench/cost.ts` runs them at the benchmark's size and saves the rows
 * (bench/results/bench.json); `test/integration/cost.test.ts` runs the same ones smaller and holds
 * each row's write units to the saved figure, so a figure the code no longer makes fails a test.
 */
import * as z from 'zod';
import { defineJob } from '../../lib/job-definition.js';
import { defineHandler } from '../../lib/worker/job-handler.js';
import { PermanentError } from '../../lib/errors.js';
import { CHUNK_ROWS } from '../../functions/jobs/definitions.js';
import { importScenario } from './import-scenario.js';
import { KILOBYTE, PAYLOAD_BYTES, schema, type Scenario } from './scenario.js';

/** A kind per path a job can take. */
const small = z.object({ data: z.string() });
const path = {
  retried: defineJob({ kind: 'bench.retried', schema, retry: { backoffBaseSeconds: 1, jitter: 0 } }),
  failed: defineJob({ kind: 'bench.failed', schema }),
  predecessor: defineJob({ kind: 'bench.predecessor', schema }),
  followUp: defineJob({ kind: 'bench.follow-up', schema: small }),
  parent: defineJob({ kind: 'bench.parent', schema: small }),
  child: defineJob({ kind: 'bench.child', schema: small }),
  unique: defineJob({ kind: 'bench.unique', schema, unique: { key: (p) => p.key, windowSeconds: 3600 } }),
  tagged: defineJob({ kind: 'bench.tagged', schema, tags: (p) => [`customer:${p.key}`, 'source:bench'] }),
  heartbeat: defineJob({ kind: 'bench.heartbeat', schema, heartbeatSeconds: 5, timeoutSeconds: 30 }),
  delayed: defineJob({ kind: 'bench.delayed', schema }),
  cron: defineJob({ kind: 'bench.cron', schema: small, schedules: [{ name: 'nightly', expression: 'cron(0 3 * * ? *)', payload: { data: 'x'.repeat(PAYLOAD_BYTES - '{"data":""}'.length) } }] }),
};
/** Children of the parent scenario. */
export const CHILDREN = 100;
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

/** A row of a cost table: its label, and the scenario measured (one scenario may stand in several tables). */
export interface CostRow {
  readonly label: string;
  readonly scenario: CostScenario;
  /**
   * Whether every job takes the same path ('exact'), or how many writes a job makes depends on
   * timing ('timing': how many jobs find a slot held or a turn taken, how many enqueues of a burst
   * reach a debounced job before it runs), so its figure moves from run to run; or
   * ('collisions') every job takes the same path but a batch's jobs, taking free slots at random,
   * can pick the same one at once, and one of them writes again (a few hundredths of a write per
   * job over 200 jobs, up to a quarter at 20).
   */
  readonly timing?: 'exact' | 'collisions' | 'timing';
}

/** A scenario, or one made when it runs (the import creates its bucket and table first). */
export type CostScenario = Scenario | { readonly make: () => Promise<Scenario> };

/** One cost table of the benchmark. */
export interface CostTable {
  readonly id: 'cost' | 'cost-tracking' | 'cost-enqueue' | 'cost-flow-control';
  readonly rows: readonly CostRow[];
}

/** The sizes a run uses: jobs per scenario (fewer where a scenario says so) and the import's rows. */
export interface CostSize {
  readonly jobs: number;
  readonly importRows: number;
}

/** Every cost table, at a size. */
export function costTables({ jobs, importRows }: CostSize): CostTable[] {
  const tenants = (i: number) => ({ ...KILOBYTE, key: `tenant-${i % 20}` });
  const parents = Math.max(1, Math.round(jobs / 100));
  const enqueueMany: Scenario = { label: 'enqueueMany (batches of 100)', enqueue: 'batched' };
  const transactional: Scenario = { label: 'enqueueInTransaction (one job per transaction; dispatcher)', enqueue: 'transactional' };
  const concurrencyFree: Scenario = { label: 'concurrency limit, never full (slot taken + freed)', enqueue: 'batched', definition: limited.concurrencyFree };
  const rateFree: Scenario = { label: 'rate limit 100/s per sender, 20 senders, never reached (one turn)', enqueue: 'batched', definition: limited.rateFree, payload: tenants };
  const row = (scenario: CostScenario, label = 'label' in scenario ? scenario.label : '', timing: CostRow['timing'] = 'exact'): CostRow => ({ label, scenario, timing });
  return [
    {
      id: 'cost',
      rows: [
        row(enqueueMany, 'happy path (enqueueMany)'),
        row({
          label: 'one retry (first attempt fails, transient)', enqueue: 'batched', definition: path.retried, runs: jobs * 2,
          handlers: (ran) => [defineHandler(path.retried, async (_p, ctx) => { ran(); if (ctx.attempt === 1) throw new Error('transient'); })],
        }),
        row({
          label: 'permanent failure (DLQ, payload kept on the record)', enqueue: 'batched', definition: path.failed,
          handlers: (ran) => [defineHandler(path.failed, async () => { ran(); throw new PermanentError('bad input'); })],
        }),
        row({ label: 'delayed past the threshold (one-time Scheduler schedule)', enqueue: 'delayed', definition: path.delayed }),
        row({ label: 'a cron firing (recurring schedule → job)', enqueue: 'cron', definition: path.cron }),
        row({
          label: 'with a follow-up (ctx.then; both jobs, per predecessor)', enqueue: 'batched', definition: path.predecessor, runs: jobs * 2,
          handlers: (ran) => [
            defineHandler(path.predecessor, async (_p, ctx) => { ran(); ctx.then(path.followUp, { data: 'next' }); }),
            defineHandler(path.followUp, async () => { ran(); }),
          ],
        }),
        row({
          label: `a parent with ${CHILDREN} children (ctx.spawn; per job, parent and children)`, enqueue: 'batched', definition: path.parent, jobs: parents, runs: parents * (CHILDREN + 1),
          payload: () => ({ data: 'parent' }), perJobOf: CHILDREN + 1,
          handlers: (ran) => [
            defineHandler(path.parent, async (_p, ctx) => { ran(); await ctx.spawn(path.child, Array.from({ length: CHILDREN }, (_, i) => ({ data: `child ${i}` }))); }),
            defineHandler(path.child, async () => { ran(); }),
          ],
        }),
        row({ make: () => importScenario(importRows) }, `CSV import, per row (1 start + 1 chunk per ${CHUNK_ROWS} rows; the app's contact writes included, 1 W per row)`),
        row({ label: 'unique key (claim item written with the record, in a transaction)', enqueue: 'batched', definition: path.unique, payload: (i) => ({ ...KILOBYTE, key: `unique-${i}` }) }),
        row({ label: 'two tags (an item per tag, written with the record)', enqueue: 'batched', definition: path.tagged, payload: tenants }),
        row({
          label: 'heartbeat kind, one heartbeat', enqueue: 'batched', definition: path.heartbeat,
          handlers: (ran) => [defineHandler(path.heartbeat, async (_p, ctx) => { ran(); await ctx.heartbeat({ step: 1 }); })],
        }),
        row(transactional, 'transactional enqueue (enqueueInTransaction; dispatcher)'),
        row(concurrencyFree, 'flow control: concurrency limit, never full', 'collisions'),
        row(rateFree, 'flow control: rate limit, never reached'),
      ],
    },
    {
      id: 'cost-tracking',
      rows: [
        row(enqueueMany, 'tracking "full", enqueueMany (batches of 100)'),
        row({ label: 'tracking "from-claim", enqueueMany (batches of 100)', enqueue: 'batched', definition: fromClaim }),
        row({ label: 'tracking "from-claim", enqueue (one call per job)', enqueue: 'single', definition: fromClaim }),
        row({ label: 'tracking "outcome", enqueueMany (batches of 100)', enqueue: 'batched', definition: outcomeOnly }),
      ],
    },
    {
      id: 'cost-enqueue',
      rows: [row(enqueueMany), row({ label: 'enqueue (one call per job)', enqueue: 'single' }), row(transactional)],
    },
    {
      id: 'cost-flow-control',
      rows: [
        row(concurrencyFree, undefined, 'collisions'),
        row({ label: 'concurrency limit 2, batches of 10 (most wait)', enqueue: 'batched', definition: limited.concurrencyContended, jobs: Math.min(jobs, 40) }, undefined, 'timing'),
        row(rateFree),
        row({ label: 'rate limit 10/s, one worker (turns waited for in it)', enqueue: 'batched', definition: limited.rateContended }, undefined, 'timing'),
        row({ label: 'rate limit 10/s, 5 workers at once (most wait by message)', enqueue: 'batched', definition: limited.rateContended, pollers: 5 }, undefined, 'timing'),
        row({ label: 'debounce: bursts of 10 enqueues per key (per enqueue)', enqueue: 'single', definition: limited.debounce, payload: (i) => ({ ...KILOBYTE, key: `report-${Math.floor(i / 10)}` }), runs: Math.ceil(jobs / 10) }, undefined, 'timing'),
        row({ label: 'fair group (MessageGroupId, 20 tenants)', enqueue: 'batched', definition: limited.group, payload: tenants }),
      ],
    },
  ];
}
