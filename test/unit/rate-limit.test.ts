import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from 'jobline';
import { createTestQueue, MemoryRateStore } from 'jobline/testing';
import { defineHandler } from 'jobline/worker';
import { rateShards, rateSpacing } from '../../lib/flow-control/rate-store.js';

const sends = defineJob({ kind: 'mail.send', schema: z.object({ sender: z.string(), n: z.number() }), rateLimit: { limit: 1, periodSeconds: 10, key: (p) => p.sender } });

describe('rate limits', () => {
  it('spaces a limit\'s starts evenly over its period, with a cushion against timing jitter', () => {
    expect(rateSpacing({ limit: 5, periodSeconds: 10 })).toEqual({ intervalMs: 2100, lateToleranceMs: 250, shards: 1 });
    // The cushion is at least 100 ms, however short the period.
    expect(rateSpacing({ limit: 100, periodSeconds: 1 })).toEqual({ intervalMs: 11, lateToleranceMs: 50, shards: 1 });
  });

  it('spreads a limit over enough items to keep each under 400 starts a second, each with a whole share of the limit', () => {
    expect(rateShards({ limit: 400, periodSeconds: 1 })).toBe(1);
    expect(rateShards({ limit: 401, periodSeconds: 1 })).toBe(2);
    expect(rateShards({ limit: 5000, periodSeconds: 1 })).toBe(13);
    expect(rateShards({ limit: 10_000, periodSeconds: 1 })).toBe(25);
    expect(rateShards({ limit: 10_000, periodSeconds: 60 })).toBe(1);
    // 13 items of 384 starts each (4,992 in all: the 8 left over would not fit a whole share), 1,100 ms apart per item.
    expect(rateSpacing({ limit: 5000, periodSeconds: 1 })).toEqual({ intervalMs: 1100 / 384, lateToleranceMs: 50, shards: 13 });
    // Declared: 10 per 5 s over 2 items is 5 per 5.25 s on each.
    expect(rateSpacing({ limit: 10, periodSeconds: 5, shards: 2 })).toEqual({ intervalMs: 1050, lateToleranceMs: 125, shards: 2 });
  });

  it('refuses shards out of range, or more than the limit', () => {
    for (const shards of [0, 1.5, 101, 6]) expect(() => defineJob({ kind: 'k', schema: z.object({}), rateLimit: { limit: 5, periodSeconds: 1, shards } })).toThrow(/rateLimit.shards must be an integer from 1 to 100 and at most the limit/);
    expect(defineJob({ kind: 'k', schema: z.object({}), rateLimit: { limit: 5, periodSeconds: 1, shards: 5 } }).rateLimit?.shards).toBe(5);
  });

  it('takes each turn of a limit spread over items from one of them at random, and holds each item to its share', async () => {
    const spread = defineJob({ kind: 'mail.spread', schema: z.object({ n: z.number() }), rateLimit: { limit: 4, periodSeconds: 10, shards: 2 } });
    const draws = [0.1, 0.9, 0.2, 0.8, 0.3, 0.7, 0.4, 0.6];
    const now = new Date(Date.UTC(2026, 0, 1));
    const queue = createTestQueue({ jobs: [defineHandler(spread, async ({ n }) => ({ n }))], now: () => now, random: () => draws.shift() ?? 0 });
    const jobs = await Promise.all(Array.from({ length: 8 }, (_, n) => queue.client.enqueue(spread, { n })));
    for (const job of jobs) await queue.deliver(job.id);
    // Two items, four turns each: 0 and one interval (2 per 10.5 s: 5,250 ms) apart, and so on.
    const turns = [...queue.flowControl.rates.nextAt].sort();
    expect(turns).toEqual([['mail.spread#*#0', now.getTime() + 4 * 5250], ['mail.spread#*#1', now.getTime() + 4 * 5250]]);
    // The reserved turns, across both items: no 10 s window holds more than 4.
    const starts = jobs.map((j) => {
      const body = JSON.parse(queue.enqueued().filter((m) => m.id === j.id).at(-1)!.body) as { flow?: { reservedAt?: number } };
      return body.flow?.reservedAt ?? now.getTime();
    }).sort((a, b) => a - b);
    for (let i = 0; i + 4 < starts.length; i++) expect(starts[i + 4]! - starts[i]!).toBeGreaterThan(10_000);
  });

  it('gives each caller its own turn: now when the key is idle, then one interval after the last', async () => {
    const rates = new MemoryRateStore();
    const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);
    const turns = [];
    for (let i = 0; i < 3; i++) turns.push((await rates.reserve({ kind: 'k', key: 'a', intervalMs: 2000, now: at(0) })).getTime() - at(0).getTime());
    expect(turns).toEqual([0, 2000, 4000]);
    expect((await rates.reserve({ kind: 'k', key: 'b', intervalMs: 2000, now: at(0) })).getTime()).toBe(at(0).getTime());
    // Idle past its last turn: the next one is now again.
    expect((await rates.reserve({ kind: 'k', key: 'a', intervalMs: 2000, now: at(60_000) })).getTime()).toBe(at(60_000).getTime());
  });

  it('makes a job over the limit wait for its turn without an attempt, carrying the turn on its message', async () => {
    let clock = new Date(Date.UTC(2026, 0, 1));
    const started: number[] = [];
    const queue = createTestQueue({ jobs: [defineHandler(sends, async ({ n }) => { started.push(n); return { n }; })], now: () => clock });
    const first = await queue.client.enqueue(sends, { sender: 'ada', n: 1 });
    const second = await queue.client.enqueue(sends, { sender: 'ada', n: 2 });
    const other = await queue.client.enqueue(sends, { sender: 'bob', n: 3 });

    expect((await queue.deliver(first.id)).record).toMatchObject({ status: 'succeeded' });
    const waited = await queue.deliver(second.id);
    const turn = new Date(clock.getTime() + 10_500).toISOString();
    expect(waited).toMatchObject({ disposition: 'ack', record: { status: 'queued', attempt: 0, waitingFor: { limit: 'rateLimit', key: 'ada', until: turn } } });
    const copy = queue.enqueued().filter((m) => m.id === second.id).at(-1)!;
    // Back a second early (9 s for a turn 10.5 s away); the worker waits out the rest.
    expect(copy.delaySeconds).toBe(9);
    expect(JSON.parse(copy.body).flow).toEqual({ reservedAt: Date.parse(turn), noted: 'rateLimit' });
    // Another sender has its own limit.
    expect((await queue.deliver(other.id)).record).toMatchObject({ status: 'succeeded' });

    // Back on time: it runs on its turn, taking no new one.
    clock = new Date(Date.parse(turn) + 100);
    const ran = await queue.deliver(second.id);
    expect(ran.record).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(ran.record!.waitingFor).toBeUndefined();
    expect(started).toEqual([1, 3, 2]);
    expect(queue.flowControl.rates.nextAt.get('mail.send#ada')).toBe(Date.parse(turn) + 10_500);
  });

  it('gives a job that came back too late for its turn a new turn, so that it cannot crowd the next ones', async () => {
    let clock = new Date(Date.UTC(2026, 0, 1));
    const queue = createTestQueue({ jobs: [defineHandler(sends, async () => ({}))], now: () => clock });
    await queue.deliver((await queue.client.enqueue(sends, { sender: 'ada', n: 1 })).id);
    const late = await queue.client.enqueue(sends, { sender: 'ada', n: 2 });
    await queue.deliver(late.id);
    const turn = JSON.parse(queue.enqueued().filter((m) => m.id === late.id).at(-1)!.body).flow.reservedAt as number;
    // 1 s after its turn, past the 250 ms tolerance: it takes the next turn and waits again.
    clock = new Date(turn + 1000);
    expect((await queue.deliver(late.id)).record).toMatchObject({ status: 'queued', attempt: 0 });
    expect(JSON.parse(queue.enqueued().filter((m) => m.id === late.id).at(-1)!.body).flow.reservedAt).toBe(turn + 10_500);
  });

  it('waits in the worker for a turn a moment away, and times the attempt from its start', async () => {
    const clock = new Date(Date.UTC(2026, 0, 1));
    const slept: number[] = [];
    const fast = defineJob({ kind: 'fast.send', schema: z.object({}), rateLimit: { limit: 10, periodSeconds: 10 } });
    const queue = createTestQueue({ jobs: [defineHandler(fast, async () => ({}))], now: () => clock });
    const [a, b] = await queue.client.enqueueMany([{ job: fast, payload: {} }, { job: fast, payload: {} }]);
    const { processMessage } = await import('../../lib/worker/process-message.js');
    const deps = { ...queue.workerDependencies(), sleep: async (ms: number) => { slept.push(ms); } };
    for (const id of [a!.id, b!.id]) {
      const message = queue.enqueued().find((m) => m.id === id)!;
      await processMessage({ messageId: id, receiptHandle: id, body: message.body, lane: 'default', receiveCount: 1, sentTimestamp: clock.getTime() }, deps, clock.getTime() + 60_000);
    }
    expect(slept).toEqual([1050]);
    expect((await queue.get(b!.id))).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(queue.enqueued().filter((m) => m.id === b!.id)).toHaveLength(1);
  });
});

describe('a kind with both a concurrency limit and a rate limit', () => {
  const both = defineJob({ kind: 'sync.both', schema: z.object({ n: z.number() }), concurrency: { limit: 1 }, rateLimit: { limit: 1, periodSeconds: 60 } });

  it('gives its slot back while a job waits for its turn, so the next job is held by the rate limit, not by a slot nobody uses', async () => {
    let clock = new Date(Date.UTC(2026, 0, 1));
    const queue = createTestQueue({ jobs: [defineHandler(both, async ({ n }) => ({ n }))], now: () => clock });
    const [a, b, c] = await Promise.all([1, 2, 3].map((n) => queue.client.enqueue(both, { n })));
    expect((await queue.deliver(a!.id)).record).toMatchObject({ status: 'succeeded' });
    // b takes the free slot, finds its turn a minute away, and waits — without the slot.
    expect((await queue.deliver(b!.id)).record).toMatchObject({ status: 'queued', waitingFor: { limit: 'rateLimit' } });
    // c finds the slot free (b gave it back) and waits for its own, later turn.
    expect((await queue.deliver(c!.id)).record).toMatchObject({ status: 'queued', waitingFor: { limit: 'rateLimit' } });
    // b's turn comes: it runs, holding the slot only while it does.
    clock = new Date(clock.getTime() + 61_000);
    expect((await queue.deliver(b!.id)).record).toMatchObject({ status: 'succeeded' });
  });
});
