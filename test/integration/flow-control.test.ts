import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { client, dynamodb, handlerRuns, stack, stackOutput, unique, workerLogLines } from './support/deployed.js';
import { saveReliabilityFigures } from './support/reliability.js';
import { waitFor } from './support/wait.js';

const doc = DynamoDBDocumentClient.from(dynamodb);
const spansOf = async (id: string) => ((await doc.send(new GetCommand({ TableName: stackOutput('ProbeTable'), Key: { id: `span:${id}` }, ConsistentRead: true }))).Item?.spans ?? []) as Array<{ startedAt: number; endedAt: number }>;

/** The most spans that overlap at any moment. */
function maxOverlap(spans: ReadonlyArray<{ startedAt: number; endedAt: number }>): number {
  const events = spans.flatMap((s) => [[s.startedAt, 1], [s.endedAt, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, delta] of events) most = Math.max(most, (now += delta));
  return most;
}

describe('a concurrency limit per key (test.limited: 2 per tenant)', () => {
  it('never runs more than 2 of one tenant at once, lets another tenant through meanwhile, and uses no attempt for waiting', async () => {
    const since = new Date();
    const busy = unique('busy');
    const quiet = unique('quiet');
    const backlog = await client.enqueueMany(Array.from({ length: 30 }, () => ({ job: 'test.limited', payload: { tenant: busy, holdMs: 400 } })));
    // Two, the tenant's limit: none of them has a reason to wait.
    const others = await client.enqueueMany(Array.from({ length: 2 }, () => ({ job: 'test.limited', payload: { tenant: quiet, holdMs: 400 } })));
    const all = [...backlog, ...others];
    const records = await waitFor('all 32 limited jobs to succeed', async () => {
      const found = await Promise.all(all.map((j) => client.get(j.id)));
      return found.every((r) => r?.status === 'succeeded') && found.map((r) => r!);
    }, { timeoutMs: 150_000, intervalMs: 2000 });

    const spans = await Promise.all(all.map(async (j) => (await spansOf(j.id))[0]!));
    const busySpans = spans.slice(0, 30);
    expect(maxOverlap(busySpans)).toBeLessThanOrEqual(2);
    expect(maxOverlap(busySpans)).toBe(2);
    // The quiet tenant's jobs, enqueued after the backlog, never waited for a slot (the limit is
    // per tenant, not per kind) and were done before half the backlog was.
    expect(await workerLogLines(quiet, since).then((lines) => lines.filter((line) => line.includes('waiting for flow control')))).toEqual([]);
    const busyEnds = busySpans.map((s) => s.endedAt).sort((a, b) => a - b);
    expect(Math.max(...spans.slice(30).map((s) => s.endedAt))).toBeLessThan(busyEnds[15]!);
    // Waiting used no attempt: every job ran once, on its first attempt.
    expect(records.map((r) => r.attempt)).toEqual(all.map(() => 1));
    expect(spans.every((s) => s !== undefined)).toBe(true);
  }, 180_000);
});

describe('a long line of one key (test.limited: 2 per tenant)', () => {
  it('runs 200 jobs of one tenant, never more than 2 at once, every one on its first attempt; each took at most one ticket, and the line item took at most 2 writes per job', async () => {
    const since = new Date();
    const tenant = unique('line');
    const jobs = await client.enqueueMany(Array.from({ length: 200 }, () => ({ job: 'test.limited', payload: { tenant, holdMs: 50 } })));
    const records = await allSucceeded(jobs.map((j) => j.id), 'all 200 jobs of one tenant to succeed', 400_000);
    const spans = await Promise.all(jobs.map(async (j) => (await spansOf(j.id))[0]!));
    expect(spans.every((s) => s !== undefined)).toBe(true);
    expect(maxOverlap(spans)).toBe(2);
    expect(records.map((r) => r.attempt)).toEqual(jobs.map(() => 1));

    // The line's item: one write per ticket (issued) and one per job admitted from the line (front).
    const line = (await doc.send(new GetCommand({ TableName: stack.config.idempotencyTableName, Key: { pk: `line#test.limited#${tenant}` }, ConsistentRead: true }))).Item;
    const issued = Number(line?.issued);
    const front = Number(line?.front);
    const waits = (await workerLogLines(tenant, since)).filter((l) => l.includes('waiting for flow control')).length;
    console.log(`line of 200 jobs at limit 2: ${issued} tickets, ${front} admitted from the line, ${(issued + front) / 200} line writes per job, ${waits / 200} waits per job; first start to last end ${((Math.max(...spans.map((s) => s.endedAt)) - Math.min(...spans.map((s) => s.startedAt))) / 1000).toFixed(1)} s`);
    // Most of the 200 found the slots held; none took two tickets, and only a ticket holder moves the front.
    expect(issued).toBeGreaterThan(100);
    expect(issued).toBeLessThanOrEqual(200);
    expect(front).toBeLessThanOrEqual(issued);
    expect((issued + front) / 200).toBeLessThanOrEqual(2);
  }, 420_000);
});

/** Waits until every job succeeded; returns their records. */
async function allSucceeded(ids: readonly string[], what: string, timeoutMs: number) {
  return waitFor(what, async () => {
    const found = await Promise.all(ids.map((id) => client.get(id)));
    return found.every((r) => r?.status === 'succeeded') && found.map((r) => r!);
  }, { timeoutMs, intervalMs: 1000 });
}

describe('a slot held by a worker that died (test.limited: 2 per tenant)', () => {
  it('is free again once its lease ends, and the backlog drains; the dead job runs again', async () => {
    const tenant = unique('killed');
    // Its rerun holds its slot 3 s too, so that the overlap check below covers it.
    const doomed = await client.enqueue('test.limited', { tenant, holdMs: 3000, crashOnFirstAttempt: true });
    // The worker exits once the job has recorded its run, holding one of the tenant's 2 slots.
    await waitFor('the doomed job to start', async () => (await handlerRuns(doomed.id)) >= 1, { timeoutMs: 30_000, intervalMs: 250 });
    // 8 jobs of 3 s: through the one slot left they would take 24 s, well past the dead slot's 12 s lease.
    const backlog = await client.enqueueMany(Array.from({ length: 8 }, () => ({ job: 'test.limited', payload: { tenant, holdMs: 3000 } })));
    const records = await allSucceeded([...backlog.map((j) => j.id), doomed.id], 'the backlog and the dead job to succeed', 150_000);

    // Were the dead worker's slot kept, only one of the tenant's jobs could run at a time; the
    // dead job's rerun counts among the 2.
    const spans = await Promise.all([...backlog, doomed].map(async (j) => (await spansOf(j.id))[0]!));
    expect(maxOverlap(spans)).toBe(2);
    expect(records.slice(0, 8).map((r) => r.attempt)).toEqual(backlog.map(() => 1));
    // The dead job came back after its message's visibility timeout and ran on its second attempt.
    expect(records[8]).toMatchObject({ status: 'succeeded', attempt: 2 });
  }, 180_000);
});

describe('a line whose front job dies holding the slot the line gave it, while an operator cancels jobs in the line (test.limited: 2 per tenant)', () => {
  it('loses no job, runs every job it was not told to cancel, passes every ticket, and leaves no slot held past its lease', async () => {
    const tenant = unique('handover');
    const waiting = async (id: string) => (await workerLogLines(id)).some((line) => line.includes('waiting for flow control'));
    // Two jobs hold both slots; the doomed job lines up behind them and gets its slot from the line.
    const blockers = await client.enqueueMany(Array.from({ length: 2 }, () => ({ job: 'test.limited', payload: { tenant, holdMs: 4000 } })));
    await waitFor('both slots to be held', async () => (await Promise.all(blockers.map((j) => handlerRuns(j.id)))).every((n) => n >= 1), { timeoutMs: 30_000, intervalMs: 250 });
    const doomed = await client.enqueue('test.limited', { tenant, holdMs: 3000, crashOnFirstAttempt: true });
    await waitFor('the doomed job to line up', () => waiting(doomed.id), { timeoutMs: 30_000, intervalMs: 250 });
    const behind = await client.enqueueMany(Array.from({ length: 10 }, () => ({ job: 'test.limited', payload: { tenant, holdMs: 1000 } })));
    // The operator cancels two jobs waiting in the line, right behind the doomed one.
    const cancelled = behind.slice(0, 2);
    await waitFor('the two jobs to line up', async () => (await Promise.all(cancelled.map((j) => waiting(j.id)))).every(Boolean), { timeoutMs: 30_000, intervalMs: 250 });
    for (const job of cancelled) expect((await client.cancel(job.id)).status).toBe('cancelled');
    const running = [...blockers, doomed, ...behind.slice(2)];
    const records = await allSucceeded(running.map((j) => j.id), 'the line to drain', 150_000);

    // The dead job ran again after its message came back; the cancelled never. Its death kills the
    // worker process, and with it any job of the same batch that had been claimed (the slot the
    // first blocker freed can go to the job behind it in that batch): such a job runs again too.
    expect(records.map((r) => r.attempt)).toEqual(running.map((j) => (j.id === doomed.id ? 2 : expect.toSatisfy((a: number) => a === 1 || a === 2))));
    expect(await Promise.all(cancelled.map(async (j) => [(await client.get(j.id))?.status, await handlerRuns(j.id)]))).toEqual([['cancelled', 0], ['cancelled', 0]]);
    const spans = await Promise.all(running.map(async (j) => (await spansOf(j.id))[0]!));
    expect(maxOverlap(spans)).toBeLessThanOrEqual(2);
    // Every ticket was passed: the front counts each job the line let through (the cancelled ones
    // too, dropped at their claim), and the doomed job's rerun moved it once more.
    const line = (await doc.send(new GetCommand({ TableName: stack.config.idempotencyTableName, Key: { pk: `line#test.limited#${tenant}` }, ConsistentRead: true }))).Item;
    expect(Number(line?.issued)).toBeGreaterThanOrEqual(3);
    expect(Number(line?.front)).toBeGreaterThanOrEqual(Number(line?.issued));
    // No slot is left held: each is released (deleted) or its lease is over.
    const now = new Date().toISOString();
    for (const index of [0, 1]) {
      const slot = (await doc.send(new GetCommand({ TableName: stack.config.idempotencyTableName, Key: { pk: `slot#test.limited#${tenant}#${index}` }, ConsistentRead: true }))).Item;
      expect(slot === undefined || String(slot.leaseUntil) < now, `slot ${index}: ${JSON.stringify(slot)}`).toBe(true);
    }
  }, 200_000);
});

describe('a rate limit per key (test.rate-limited: 5 per 10 s per tenant)', () => {
  it('starts 20 jobs with no more than 5 in any 10-second window, spread evenly, close to the ideal time, using no attempts for waiting', async () => {
    const tenant = unique('rate');
    const enqueuedAt = Date.now();
    const jobs = await client.enqueueMany(Array.from({ length: 20 }, () => ({ job: 'test.rate-limited', payload: { tenant } })));
    const records = await allSucceeded(jobs.map((j) => j.id), 'the 20 rate-limited jobs to succeed', 120_000);

    const starts = (await Promise.all(jobs.map(async (j) => (await spansOf(j.id))[0]!.startedAt))).sort((a, b) => a - b);
    // No 10-second window holds more than 5 starts: the 6th start after any start is 10 s or more after it.
    const windows = starts.slice(5).map((start, i) => start - starts[i]!);
    expect(Math.min(...windows)).toBeGreaterThanOrEqual(10_000);
    // Even spacing: 5 per 10 s plus the 5 % cushion is one start every 2.1 s; ideally the 20th starts 19 × 2.1 = 39.9 s after the first.
    const ideal = 19 * 2100;
    const took = starts.at(-1)! - starts[0]!;
    console.log(`rate limit 5/10 s, 20 jobs: first start ${starts[0]! - enqueuedAt} ms after enqueue, last start ${took} ms after the first (ideal ${ideal} ms, ${(took / ideal).toFixed(3)}×); tightest 6-start window ${Math.min(...windows)} ms`);
    expect(took).toBeLessThanOrEqual(ideal * 1.1);
    expect(records.map((r) => r.attempt)).toEqual(jobs.map(() => 1));
    saveReliabilityFigures('rate-limit', { jobs: 20, limit: 5, periodSeconds: 10, lastStartAfterFirstSeconds: took / 1000, idealSeconds: ideal / 1000, tightestSixStartWindowSeconds: Math.min(...windows) / 1000 });
    expect(records.every((r) => r.waitingFor === undefined)).toBe(true);
  }, 150_000);
});

describe('a rate limit spread over items (test.rate-sharded: 10 per 5 s, no key, 2 items)', () => {
  it('starts 30 jobs with no more than 10 in any 5-second window, taking turns from both items, using no attempts for waiting', async () => {
    const run = unique('sharded');
    const jobs = await client.enqueueMany(Array.from({ length: 30 }, () => ({ job: 'test.rate-sharded', payload: { run } })));
    const records = await allSucceeded(jobs.map((j) => j.id), 'the 30 jobs of the sharded rate limit to succeed', 120_000);
    const starts = (await Promise.all(jobs.map(async (j) => (await spansOf(j.id))[0]!.startedAt))).sort((a, b) => a - b);
    // The 11th start after any start is 5 s or more after it.
    const windows = starts.slice(10).map((start, i) => start - starts[i]!);
    const items = await Promise.all([0, 1].map(async (i) => (await doc.send(new GetCommand({ TableName: stack.config.idempotencyTableName, Key: { pk: `rate#test.rate-sharded#*#${i}` }, ConsistentRead: true }))).Item));
    // Evenly spread, 10 per 5.25 s would take 29 × 525 ms; drawn at random, one item may take more than its half.
    const took = starts.at(-1)! - starts[0]!;
    console.log(`sharded rate limit 10/5 s on 2 items, 30 jobs: tightest 11-start window ${Math.min(...windows)} ms; last start ${took} ms after the first (evenly spread: ${29 * 525} ms)`);
    expect(Math.min(...windows)).toBeGreaterThanOrEqual(5000);
    expect(items.every((item) => typeof item?.nextAt === 'number')).toBe(true);
    expect(await doc.send(new GetCommand({ TableName: stack.config.idempotencyTableName, Key: { pk: 'rate#test.rate-sharded#*' } })).then((o) => o.Item)).toBeUndefined();
    expect(records.map((r) => r.attempt)).toEqual(jobs.map(() => 1));
  }, 150_000);
});

describe('debounce (test.debounced: 3 s per key)', () => {
  it('runs a burst of 10 enqueues once, with the last payload; a second burst after the window runs once more', async () => {
    const key = unique('report');
    const burst = async (from: number) => {
      const out = [];
      for (let seq = from; seq < from + 10; seq++) out.push(await client.enqueue('test.debounced', { key, seq }));
      return out;
    };
    const first = await burst(0);
    expect(new Set(first.map((j) => j.id)).size).toBe(1);
    expect(first.slice(1).every((j) => j.debounced === true)).toBe(true);
    const [ran] = await allSucceeded([first[0]!.id], 'the debounced job to run', 60_000);
    expect(ran).toMatchObject({ attempt: 1, result: { seq: 9 } });
    expect(await handlerRuns(`debounced:${key}`)).toBe(1);

    const second = await burst(10);
    expect(new Set(second.map((j) => j.id)).size).toBe(1);
    expect(second[0]!.id).not.toBe(first[0]!.id);
    const [again] = await allSucceeded([second[0]!.id], 'the second burst to run', 60_000);
    expect(again).toMatchObject({ result: { seq: 19 } });
    expect(await handlerRuns(`debounced:${key}`)).toBe(2);
  }, 150_000);
});
