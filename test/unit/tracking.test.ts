import { memoryBackends } from '../../lib/testing/memory-backends.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JobClient } from '../../lib/client/job-client.js';
import { EnqueueError } from '../../lib/errors.js';
import { InvalidEnqueueOptionsError, type ConfigurationError } from '../../lib/errors.js';
import { defineJob } from '../../lib/job-definition.js';
import { decodeJobMessage } from '../../lib/job-message.js';
import { createTestQueue } from '../../lib/testing/test-queue.js';
import { MemoryJobStore } from '../../lib/testing/memory-job-store.js';
import { MemoryScheduler } from '../../lib/testing/memory-scheduler.js';
import { MemoryTransport } from '../../lib/testing/memory-transport.js';
import { testConfig } from '../../lib/testing/test-config.js';
import { listingNotes } from '../../lib/tracking.js';
import { defineHandler } from '../../lib/worker/job-handler.js';

const ping = defineJob({ kind: 'ping.send', schema: z.object({ to: z.string() }), tracking: 'from-claim' });

describe('tracking levels', () => {
  it('are "full" unless a kind says otherwise; unknown levels, and from-claim with unique or debounce, are refused by name', () => {
    expect(defineJob({ kind: 'a.b', schema: z.object({}) }).tracking).toBe('full');
    expect(ping.tracking).toBe('from-claim');
    expect(() => defineJob({ kind: 'a.b', schema: z.object({}), tracking: 'none' as 'full' })).toThrow(/tracking must be one of "full", "from-claim", "outcome", got "none"/);
    const refused = (options: object) => {
      try {
        defineJob({ kind: 'a.b', schema: z.object({ k: z.string() }), tracking: 'from-claim', ...options });
        return [];
      } catch (error) {
        return (error as ConfigurationError).problems;
      }
    };
    expect(refused({ unique: { key: (p: { k: string }) => p.k, windowSeconds: 60 } })).toEqual([expect.stringMatching(/from-claim" cannot be unique/)]);
    expect(refused({ debounce: { key: (p: { k: string }) => p.k, windowSeconds: 5 } })).toEqual([expect.stringMatching(/from-claim" cannot be debounced/)]);
  });

  it('from-claim: the enqueue writes no record, only the message (carrying who enqueued it); the claim writes the record, and a duplicate never runs twice', async () => {
    let runs = 0;
    const queue = createTestQueue({ jobs: [defineHandler(ping, async () => { runs++; return { ok: true }; })] });
    const job = await queue.client.enqueue(ping, { to: 'ada' });
    expect(job).toMatchObject({ kind: 'ping.send', status: 'queued' });
    expect(await queue.store.get(job.id)).toBeUndefined();
    expect(queue.store.writes).toEqual([]);
    const [message] = queue.transport.sent;
    expect(decodeJobMessage(message!.body)).toMatchObject({ ok: true, message: { id: job.id, by: 'test', payload: { to: 'ada' } } });

    const first = await queue.deliver(job.id);
    expect(first.record).toMatchObject({ status: 'succeeded', attempt: 1, createdBy: 'test' });
    // Claim and outcome: the two writes of a from-claim job.
    expect(queue.store.writes).toEqual([`claim ${job.id}`, `succeeded ${job.id}`]);
    await queue.deliver(job.id, { receiveCount: 2 });
    expect(runs).toBe(1);
  });

  it('from-claim: a send that fails is the caller\'s error (there is no record for the sweeper), and so is a schedule that cannot be made', async () => {
    const store = new MemoryJobStore();
    const refusing = Object.assign(new MemoryTransport(), { send: async (_lane: string, messages: readonly { id: string }[]) => ({ failedIds: messages.map((m) => m.id) }) });
    const client = new JobClient({ jobs: [ping], config: testConfig(), backends: { ...memoryBackends(), store, transport: refusing } });
    await expect(client.enqueue(ping, { to: 'ada' })).rejects.toThrow(EnqueueError);
    expect(store.writes).toEqual([]);
    const failingScheduler = Object.assign(new MemoryScheduler(), { scheduleOnce: async () => { throw new Error('Scheduler is down'); } });
    const scheduling = new JobClient({ jobs: [ping], config: testConfig(), backends: { ...memoryBackends(), store, scheduler: failingScheduler } });
    await expect(scheduling.enqueue(ping, { to: 'ada' }, { delaySeconds: 86_400 })).rejects.toThrow(EnqueueError);
    expect(store.writes).toEqual([]);
  });

  it('from-claim: a delayed job waits as a message or a schedule only; a transactional enqueue is refused', async () => {
    const queue = createTestQueue({ jobs: [ping] });
    const soon = await queue.client.enqueue(ping, { to: 'ada' }, { delaySeconds: 30 });
    const later = await queue.client.enqueue(ping, { to: 'bob' }, { delaySeconds: 86_400 });
    expect([soon.status, later.status]).toEqual(['scheduled', 'scheduled']);
    expect(queue.store.writes).toEqual([]);
    expect(queue.scheduler.schedules.size).toBe(1);
    expect(() => queue.client.transactionItems(ping, { to: 'ada' })).toThrow(InvalidEnqueueOptionsError);
    expect(() => queue.client.transactionItems(ping, { to: 'ada' })).toThrow(/tracked "from-claim": it has no record to write in a transaction/);
  });

  it('tells operators what a listing cannot show: queued and scheduled jobs of kinds tracked from their claim', () => {
    const tracking = { 'ping.send': 'from-claim' };
    expect(listingNotes(tracking, 'queued', undefined)).toEqual([expect.stringMatching(/^ping\.send is tracked from its claim: its queued and scheduled jobs have no record yet/)]);
    expect(listingNotes(tracking, 'scheduled', 'ping.send')).toHaveLength(1);
    expect(listingNotes(tracking, 'queued', 'email.send')).toEqual([]);
    expect(listingNotes(tracking, 'failed', undefined)).toEqual([]);
    expect(listingNotes(undefined, 'queued', undefined)).toEqual([]);
  });

  it('outcome: one write — the final record — for a success; duplicates of a finished job are dropped, but one that runs beside it runs the handler again', async () => {
    const fire = defineJob({ kind: 'event.fire', schema: z.object({ n: z.number() }), tracking: 'outcome' });
    let runs = 0;
    let release = () => {};
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const queue = createTestQueue({ jobs: [defineHandler(fire, async ({ n }) => { runs++; if (n === 2) await gate; return { n }; })] });
    const job = await queue.client.enqueue(fire, { n: 1 });
    expect(queue.store.writes).toEqual([]);
    const first = await queue.deliver(job.id);
    expect(first.record).toMatchObject({ status: 'succeeded', attempt: 1, result: { n: 1 }, createdBy: 'test' });
    expect(queue.store.writes).toEqual([`untracked succeeded ${job.id}`]);
    // A duplicate of a finished job is dropped by its record.
    await queue.deliver(job.id, { receiveCount: 2 });
    expect(runs).toBe(1);
    // What it gives up: two copies delivered together both run (no claim fences them); one record is written.
    const slow = await queue.client.enqueue(fire, { n: 2 });
    const both = Promise.all([queue.deliver(slow.id), queue.deliver(slow.id)]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    release();
    await both;
    expect(runs).toBe(3);
    expect(queue.store.writes.filter((w) => w.endsWith(slow.id))).toEqual([`untracked succeeded ${slow.id}`]);
  });

  it('outcome: a retry writes nothing and counts attempts by SQS receives; the last attempt\'s failure is recorded with its payload and dead-lettered', async () => {
    const flaky = defineJob({ kind: 'event.flaky', schema: z.object({}), tracking: 'outcome', retry: { maxAttempts: 2, backoffBaseSeconds: 1 } });
    const queue = createTestQueue({ jobs: [defineHandler(flaky, async () => { throw new Error('upstream timed out'); })] });
    const job = await queue.client.enqueue(flaky, {});
    const first = await queue.deliver(job.id, { receiveCount: 1 });
    expect(first.disposition).toBe('keep');
    expect(queue.store.writes).toEqual([]);
    const last = await queue.deliver(job.id, { receiveCount: 2 });
    expect(last.record).toMatchObject({ status: 'failed', attempt: 2, payload: {}, lastError: { message: 'upstream timed out (attempt 2 of 2, none left)' } });
    expect(queue.transport.deadLetters.map((d) => d.note.id)).toEqual([job.id]);
  });

  it('outcome: ctx.spawn and ctx.then are refused with the reason (no record to hang them on); unfit options are refused at definition', async () => {
    const parent = defineJob({ kind: 'event.parent', schema: z.object({}), tracking: 'outcome' });
    const queue = createTestQueue({ jobs: [defineHandler(parent, async (_p, ctx) => { ctx.then(parent, {}); })] });
    const run = await queue.deliver((await queue.client.enqueue(parent, {})).id);
    expect(run.record).toMatchObject({ status: 'failed', lastError: { message: expect.stringMatching(/^ctx\.then:[\s\S]*tracked by its outcome only/), permanent: true } });
    const problems = (options: object) => {
      try {
        defineJob({ kind: 'a.b', schema: z.object({}), tracking: 'outcome', ...options });
        return [];
      } catch (error) {
        return (error as ConfigurationError).problems;
      }
    };
    expect(problems({ heartbeatSeconds: 5 })).toEqual([expect.stringMatching(/cannot take heartbeatSeconds/)]);
    expect(problems({ concurrency: { limit: 2 } })).toEqual([expect.stringMatching(/cannot take concurrency or rateLimit/)]);
    expect(problems({ retry: { backoffCapSeconds: 86_400 } })).toEqual([expect.stringMatching(/backoffCapSeconds of at most 43200/)]);
    expect(listingNotes({ 'event.parent': 'outcome' }, 'running', undefined)).toEqual([expect.stringMatching(/tracked by its outcome only/)]);
    expect(listingNotes({ 'event.parent': 'outcome' }, 'failed', undefined)).toEqual([]);
  });
});
