import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineJob } from 'jobline';
import * as z from 'zod';
import { AWS_PRICES } from '../../lib/cost/aws-prices.js';
import { trafficOfEmfLines } from '../../lib/cost/emf-traffic.js';
import { estimateKindCost } from '../../lib/cost/estimate-cost.js';
import { costProfileOf, type KindCostProfile } from '../../lib/cost/kind-profile.js';
import { kindCosts, laneCostsOf } from '../../lib/cost/kind-costs.js';
import { NO_TRAFFIC, type KindTraffic } from '../../lib/cost/kind-traffic.js';
import { MEASURED_PATHS } from '../../lib/cost/measured-paths.js';
import { dollarsPerMillion } from '../../lib/cost/path-units.js';
import { QUEUE_NAME_ENV } from '../../lib/metrics.js';
import { publishMetrics } from '../../lib/worker/create-worker.js';

const DAY = 86_400;
const plain: KindCostProfile = { lane: 'default', tracking: 'full' };
const context = { windowSeconds: DAY, workerMemoryMb: 1024 };
const traffic = (t: Partial<KindTraffic>): KindTraffic => ({ ...NO_TRAFFIC, ...t });

describe('a kind\'s cost profile (what its definition makes a job write and send)', () => {
  const schema = z.object({ id: z.string() });
  it('counts fixed tags, marks computed ones and notes each option that costs', () => {
    expect(costProfileOf(defineJob({ kind: 'a', schema }))).toEqual({ lane: 'default', tracking: 'full' });
    expect(costProfileOf(defineJob({ kind: 'b', schema, lane: 'bulk', tags: ['x:1', 'y:2', 'z:3'], unique: { key: (p) => p.id, windowSeconds: 60 }, heartbeatSeconds: 5, timeoutSeconds: 30 })))
      .toEqual({ lane: 'bulk', tracking: 'full', tags: 3, unique: true, heartbeat: true });
    expect(costProfileOf(defineJob({ kind: 'c', schema, tags: (p) => [`id:${p.id}`], concurrency: { key: (p) => p.id, limit: 2 }, rateLimit: { limit: 5, periodSeconds: 1 } })))
      .toEqual({ lane: 'default', tracking: 'full', tags: 'computed', concurrency: true, rateLimit: true });
    expect(costProfileOf(defineJob({ kind: 'd', schema, tracking: 'from-claim' }))).toEqual({ lane: 'default', tracking: 'from-claim' });
  });
});

describe('the cost formula', () => {
  it('prices every measured path as npm run bench:cost printed it (one formula, one price table)', () => {
    for (const [id, path] of Object.entries(MEASURED_PATHS)) expect(Math.abs(dollarsPerMillion(path) - path.dollarsPerMillion), id).toBeLessThan(0.006);
  });
});

describe('estimating a kind\'s cost', () => {
  const near = (path: keyof typeof MEASURED_PATHS) => MEASURED_PATHS[path].dollarsPerMillion;

  it('is its tracking level\'s path when its jobs take no other', () => {
    expect(estimateKindCost('k', plain, traffic({ succeeded: 5 }), context).dollarsPerMillion).toBeCloseTo(near('full'), 2);
    expect(estimateKindCost('k', { lane: 'default', tracking: 'from-claim' }, traffic({ succeeded: 5 }), context).dollarsPerMillion).toBeCloseTo(near('from-claim'), 2);
    expect(estimateKindCost('k', { lane: 'default', tracking: 'outcome' }, traffic({ succeeded: 5 }), context).dollarsPerMillion).toBeCloseTo(near('outcome'), 2);
  });

  it('adds what each option adds: a tag per tag, a unique key, limits, a heartbeat', () => {
    expect(estimateKindCost('k', { ...plain, tags: 2 }, NO_TRAFFIC, context).dollarsPerMillion).toBeCloseTo(near('twoTags'), 2);
    const oneTag = estimateKindCost('k', { ...plain, tags: 1 }, NO_TRAFFIC, context).unitsPerJob.w;
    expect(oneTag).toBe(MEASURED_PATHS.full.w + (MEASURED_PATHS.twoTags.w - MEASURED_PATHS.full.w) / 2);
    expect(estimateKindCost('k', { ...plain, unique: true }, NO_TRAFFIC, context).dollarsPerMillion).toBeCloseTo(near('unique'), 2);
    expect(estimateKindCost('k', { ...plain, concurrency: true }, NO_TRAFFIC, context).dollarsPerMillion).toBeCloseTo(near('concurrency'), 2);
    expect(estimateKindCost('k', { ...plain, rateLimit: true }, NO_TRAFFIC, context).dollarsPerMillion).toBeCloseTo(near('rateLimit'), 2);
    expect(estimateKindCost('k', { ...plain, heartbeat: true }, NO_TRAFFIC, context).dollarsPerMillion).toBeCloseTo(near('heartbeat'), 2);
  });

  it('adds retries and failures at the rates the worker\'s metrics show', () => {
    // Every job retried once, then succeeded: bench:cost's "one retry" path.
    expect(estimateKindCost('k', plain, traffic({ succeeded: 40, retried: 40 }), context).dollarsPerMillion).toBeCloseTo(near('retry'), 2);
    // Every job failed at once: its "permanent failure" path.
    expect(estimateKindCost('k', plain, traffic({ failed: 40 }), context).dollarsPerMillion).toBeCloseTo(near('failure'), 2);
    // Half of them retried once: halfway between.
    const half = estimateKindCost('k', plain, traffic({ succeeded: 40, retried: 20 }), context);
    expect(half.retriesPerJob).toBe(0.5);
    expect(half.dollarsPerMillion).toBeCloseTo((near('full') + near('retry')) / 2, 2);
  });

  it('counts a parent whose attempt handed over to its children as a job (it finishes later with no attempt of its own)', () => {
    expect(estimateKindCost('k', plain, traffic({ succeeded: 2, waited: 3 }), context).jobsPerDay).toBe(5);
  });

  it('scales the window\'s jobs to a day and prices them, with the handlers\' compute beside', () => {
    const hour = estimateKindCost('k', plain, traffic({ succeeded: 9, failed: 1, durationMs: 3_600_000 }), { windowSeconds: 3600, workerMemoryMb: 2048 });
    expect(hour.jobsPerDay).toBe(240);
    expect(hour.failuresPerJob).toBe(0.1);
    expect(hour.dollarsPerDay).toBeCloseTo((hour.dollarsPerMillion * 240) / 1e6, 12);
    // An hour of handler time in an hour, at 2 GB: 7,200 GB-s an hour, 24 hours a day.
    expect(hour.computeDollarsPerDay).toBeCloseTo(7200 * 24 * AWS_PRICES.lambdaGbSecondArm.value, 9);
  });

  it('says what it leaves out: computed tags, waits for a limit, debounced enqueues, one enqueue call per job', () => {
    const notes = estimateKindCost('k', { ...plain, tags: 'computed', debounce: true }, traffic({ succeeded: 3, delayedByLimit: 7 }), context).notes.join('\n');
    expect(notes).toMatch(/tags computed per job are not counted: each adds \$0\.\d\d per million/);
    expect(notes).toContain('7 waits for a limit are not counted');
    expect(notes).toContain('enqueues a debounce folds into a pending job are not counted');
    expect(notes).toMatch(/one enqueue call per job adds \$0\.36 per million/);
  });
});

describe('reading traffic from the worker\'s EMF lines', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });
  /** The lines the worker's own publishMetrics writes for `events`, on queue `queue`. */
  const linesOf = (queue: string, events: Parameters<typeof publishMetrics>[0]) => {
    const written: string[] = [];
    vi.stubEnv(QUEUE_NAME_ENV, queue);
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    publishMetrics(events);
    spy.mockRestore();
    vi.unstubAllEnvs();
    return written.join('').split('\n').filter((line) => line.includes('{'));
  };

  it('sums each kind\'s counts and handler time, skipping the per-limit line, other queues and lines that are not EMF', () => {
    const lines = [
      ...linesOf('Q1', [
        { kind: 'a', outcome: 'succeeded', durationMs: 10 }, { kind: 'a', outcome: 'retried', durationMs: 20 }, { kind: 'a', outcome: 'failed', durationMs: 30 },
        { kind: 'a', outcome: 'delayed', limit: 'concurrency' }, { kind: 'b', outcome: 'succeeded', durationMs: 5 }, { kind: 'p', outcome: 'waiting', durationMs: 7 },
      ]),
      ...linesOf('Q2', [{ kind: 'a', outcome: 'succeeded', durationMs: 1000 }]),
      'START RequestId: 1', '{not json', '{"message":"a log line"}',
    ];
    expect(lines.filter((l) => l.includes('"Limit"'))).toHaveLength(1);
    const byKind = trafficOfEmfLines(lines, 'Q1');
    expect(Object.fromEntries(byKind)).toEqual({
      a: { succeeded: 1, retried: 1, failed: 1, waited: 0, delayedByLimit: 1, durationMs: 60 },
      b: { succeeded: 1, retried: 0, failed: 0, waited: 0, delayedByLimit: 0, durationMs: 5 },
      p: { succeeded: 0, retried: 0, failed: 0, waited: 1, delayedByLimit: 0, durationMs: 7 },
    });
  });

  it('keeps only the lines of the window, by the timestamp CloudWatch files them under', () => {
    const [line] = linesOf('Q3', [{ kind: 'a', outcome: 'succeeded', durationMs: 1 }]);
    const at = (JSON.parse(line!.slice(line!.indexOf('{'))) as { _aws: { Timestamp: number } })._aws.Timestamp;
    expect(trafficOfEmfLines([line!], 'Q3', { since: new Date(at), until: new Date(at + 1) }).get('a')?.succeeded).toBe(1);
    expect(trafficOfEmfLines([line!], 'Q3', { since: new Date(at + 1), until: new Date(at + 2) }).size).toBe(0);
    expect(trafficOfEmfLines([line!], 'Q3', { since: new Date(at - 2), until: new Date(at) }).size).toBe(0);
  });
});

describe('a queue\'s kinds priced together', () => {
  it('prices every kind of the config (a kind without traffic at its path), sorted, and sums them per lane', async () => {
    const source = { describe: 'test', traffic: async () => new Map([['b', traffic({ succeeded: 100 })], ['a', traffic({ succeeded: 50 })], ['gone', traffic({ succeeded: 9 })]]) };
    const until = new Date('2026-12-04T12:00:00Z');
    const report = await kindCosts({ queueName: 'Q', workerLogGroup: 'g', workerMemoryMb: 1024, kinds: { b: { lane: 'bulk', tracking: 'full' }, a: { lane: 'default', tracking: 'full' }, c: { lane: 'bulk', tracking: 'full', tags: 2 } } }, source, new Date(until.getTime() - DAY * 1000), until);
    expect(report.kinds.map((k) => [k.kind, k.jobsPerDay])).toEqual([['a', 50], ['b', 100], ['c', 0]]);
    const lanes = laneCostsOf(report);
    expect(lanes.get('bulk')?.jobsPerDay).toBe(100);
    expect(lanes.get('bulk')?.dollarsPerDay).toBeCloseTo(report.kinds[1]!.dollarsPerDay, 12);
    expect(lanes.get('default')?.dollarsPerDay).toBeCloseTo((50 * report.kinds[0]!.dollarsPerMillion) / 1e6, 12);
    // Each note once: the ones every kind has for all, the others with their kinds.
    expect(report.notes.filter((n) => n.kinds === 'all').map((n) => n.text)).toEqual([expect.stringContaining('per-path units'), expect.stringContaining('counted as enqueued in batches')]);
    const perKind = await kindCosts({ queueName: 'Q', workerLogGroup: 'g', workerMemoryMb: 1024, kinds: { a: { lane: 'default', tracking: 'full', tags: 'computed' }, b: { lane: 'default', tracking: 'full' } } }, source, new Date(until.getTime() - DAY * 1000), until);
    expect(perKind.notes.filter((n) => n.kinds !== 'all')).toEqual([{ text: expect.stringContaining('tags computed per job are not counted'), kinds: ['a'] }]);
  });
});
