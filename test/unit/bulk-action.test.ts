import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob, PermanentError } from 'jobline';
import { defineHandler } from 'jobline/worker';
import { JobInspector } from 'jobline/inspector';
import { createTestQueue } from 'jobline/testing';
import { CHANGED_SINCE_START, runBulk, startBulk, type BulkDependencies } from '../../lib/inspector/bulk-action.js';
import { MemoryBulkProgress } from '../../lib/inspector/bulk-progress.js';

const flaky = defineJob({ kind: 'bulk.flaky', schema: z.object({ n: z.number() }), retry: { maxAttempts: 1 } });
const other = defineJob({ kind: 'bulk.other', schema: z.object({ n: z.number() }), retry: { maxAttempts: 1 } });

/** A queue whose flaky jobs fail on their first run and succeed on a later one; other jobs always fail. */
function setup() {
  let clock = Date.parse('2026-12-04T10:00:00Z');
  const runs = new Map<string, number>();
  const count = (id: string) => runs.set(id, (runs.get(id) ?? 0) + 1).get(id)!;
  const queue = createTestQueue({
    now: () => new Date(clock += 10),
    jobs: [
      defineHandler(flaky, async (_p, ctx) => { if (count(ctx.id) === 1) throw new PermanentError('first run fails'); }),
      defineHandler(other, async (_p, ctx) => { count(ctx.id); throw new PermanentError('always fails'); }),
    ],
  });
  const inspector = new JobInspector({ config: queue.config, backends: queue.backends, now: queue.now });
  return { queue, inspector, runs };
}

async function failedJobs(queue: ReturnType<typeof setup>['queue'], kind: typeof flaky, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 0; n < count; n++) {
    const { id } = await queue.client.enqueue(kind, { n });
    await queue.deliver(id);
    ids.push(id);
  }
  return ids;
}

/** Delivers every message the queue holds for `ids` (a retry sends one). */
async function runRetried(queue: ReturnType<typeof setup>['queue'], ids: readonly string[]): Promise<void> {
  for (const message of queue.enqueued().filter((m) => ids.includes(m.id))) await queue.deliverBody(message.body);
  queue.transport.sent.length = 0;
}

describe('bulk actions by filter', () => {
  it('retries exactly the failed jobs of a kind; a dry run counts them and changes nothing; a second run finds nothing', async () => {
    const { queue, inspector, runs } = setup();
    const mine = await failedJobs(queue, flaky, 12);
    const others = await failedJobs(queue, other, 8);
    queue.transport.sent.length = 0;
    const dry = await inspector.bulk('retry', { kind: 'bulk.flaky' }, { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, selected: 12, done: 0, complete: true });
    expect(dry.sample).toHaveLength(10);
    expect(queue.transport.sent).toEqual([]);
    expect((await queue.get(mine[0]!))?.status).toBe('failed');

    const report = await inspector.bulk('retry', { kind: 'bulk.flaky' }, { pageSize: 5, perSecond: 10_000, maxBacklog: Infinity });
    expect(report).toMatchObject({ selected: 12, done: 12, skipped: {}, complete: true });
    await runRetried(queue, mine);
    for (const id of mine) expect([runs.get(id), (await queue.get(id))?.status]).toEqual([2, 'succeeded']);
    for (const id of others) expect([runs.get(id), (await queue.get(id))?.status]).toEqual([1, 'failed']);
    expect(await inspector.bulk('retry', { kind: 'bulk.flaky' }, { perSecond: 10_000, maxBacklog: Infinity })).toMatchObject({ selected: 0, done: 0, complete: true });
    // Resuming the finished operation does nothing either.
    expect(await inspector.resumeBulk(report.id)).toMatchObject({ done: 12, complete: true });
  });

  it('stops when aborted and resumes over its own selection: each job once, never one its own retry sent back to failed', async () => {
    const { queue, inspector, runs } = setup();
    const ids = await failedJobs(queue, other, 10);
    queue.transport.sent.length = 0;
    const controller = new AbortController();
    const first = await inspector.bulk('retry', { kind: 'bulk.other' }, {
      pageSize: 3, perSecond: 10_000, maxBacklog: Infinity, signal: controller.signal,
      onProgress: (progress) => { if (progress.done >= 5) controller.abort(); },
    });
    expect(first).toMatchObject({ done: 6, complete: false });
    // The retried ones run and fail again (bulk.other always fails): failed, but changed since the operation started.
    await runRetried(queue, ids);
    // Meanwhile an operator retries one it has not reached; it fails again too.
    await inspector.retry(ids[0]!);
    await runRetried(queue, ids);
    const resumed = await inspector.resumeBulk(first.id, { perSecond: 10_000, maxBacklog: Infinity });
    expect(resumed).toMatchObject({ selected: 9, done: 9, complete: true, skipped: { [CHANGED_SINCE_START]: 1 }, skippedExamples: [{ id: ids[0], reason: CHANGED_SINCE_START }] });
    await runRetried(queue, ids);
    for (const id of ids) expect(runs.get(id)).toBe(2);
  });

  it('skips a job it may no longer act on, with the reason, and refuses a status the action cannot take', async () => {
    const { queue, inspector } = setup();
    const [id] = await failedJobs(queue, other, 1);
    const progress = new MemoryBulkProgress();
    const deps: BulkDependencies = {
      list: (query) => inspector.list(query), waitingIn: async () => 0, progress, now: queue.now,
      act: async (_action, jobId) => { await inspector.discard(jobId); return inspector.retry(jobId); },
    };
    const report = await runBulk(deps, startBulk('retry', { kind: 'bulk.other' }, queue.now()), { perSecond: 10_000 });
    expect(report).toMatchObject({ done: 0, skippedExamples: [{ id, reason: expect.stringContaining('the job') }] });
    expect(progress.states.get(report.id)).toMatchObject({ complete: true });
    expect(() => startBulk('retry', { status: 'running' }, new Date())).toThrow('a bulk retry acts on failed or cancelled jobs, not running ones');
    expect(() => startBulk('cancel', { status: 'failed' }, new Date())).toThrow(/a bulk cancel acts on/);
  });

  it('paces its actions and waits while the lane\'s backlog is over the limit', async () => {
    const { queue, inspector } = setup();
    await failedJobs(queue, other, 4);
    let clock = queue.now().getTime();
    const sleeps: number[] = [];
    let backlog = 3;
    const deps: BulkDependencies = {
      list: (query) => inspector.list(query), act: (action, id) => inspector[action](id), progress: new MemoryBulkProgress(),
      waitingIn: async () => backlog--, now: () => new Date(clock), sleep: async (ms) => { sleeps.push(ms); clock += ms; },
    };
    const report = await runBulk(deps, startBulk('retry', { kind: 'bulk.other', since: new Date(0) }, new Date(clock + 1)), { perSecond: 2, maxBacklog: 1 });
    expect(report.done).toBe(4);
    // Two 2 s pauses for the backlog (3, then 2, over 1), then one action every 500 ms.
    expect(sleeps).toEqual([2000, 2000, 500, 500, 500]);
  });
});
