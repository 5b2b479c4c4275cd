import { AssertionError } from 'node:assert';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob, PermanentError, type JobClient } from 'jobline';
import { defineHandler } from 'jobline/worker';
import { createTestQueue, expectEnqueued, expectNotEnqueued, runJob } from 'jobline/testing';

const NOW = new Date('2026-03-01T09:00:00Z');
const now = () => NOW;
const seconds = (s: number) => new Date(NOW.getTime() + s * 1000);

const greet = defineJob({ kind: 'greet', schema: z.object({ name: z.string() }), retry: { maxAttempts: 3, backoffBaseSeconds: 5, jitter: 0 } });
const chunk = defineJob({ kind: 'import.chunk', schema: z.object({ n: z.number() }) });
const importAll = defineJob({ kind: 'import.all', schema: z.object({ chunks: z.number() }) });
const notify = defineJob({ kind: 'notify', schema: z.object({ to: z.string(), template: z.string(), variables: z.object({ name: z.string(), plan: z.string() }).optional() }) });
const audit = defineJob({ kind: 'audit', schema: z.object({ action: z.string() }) });

let runs: number;
beforeEach(() => {
  runs = 0;
});

describe('runJob', () => {
  const flaky = defineHandler(greet, async () => {
    runs++;
    throw new Error('connection reset');
  });

  it('reports a transient error as retrying, with the error kept and the next run after the backoff', async () => {
    const run = await runJob(flaky, { name: 'Ada' }, { now });
    expect(runs).toBe(1);
    expect(run.status).toBe('retrying');
    expect(run.record).toMatchObject({ status: 'retrying', attempt: 1, kind: 'greet' });
    expect(run.error).toMatchObject({ message: 'connection reset', class: 'Error', permanent: false, attempt: 1 });
    // backoff: base × 2^(attempt − 1), jitter 0.
    expect(run.nextRunAt).toEqual(seconds(5));
    expect((await runJob(flaky, { name: 'Ada' }, { now, attempt: 2 })).nextRunAt).toEqual(seconds(10));
    expect(run.deadLettered).toBe(false);
    expect(run.followUps).toEqual([]);
  });

  it('fails the same handler on its last attempt and dead-letters it', async () => {
    const run = await runJob(flaky, { name: 'Ada' }, { now, attempt: 3 });
    expect(run.status).toBe('failed');
    expect(run.record.attempt).toBe(3);
    expect(run.error).toMatchObject({ message: 'connection reset (attempt 3 of 3, none left)', class: 'Error', permanent: false, attempt: 3 });
    expect(run.nextRunAt).toBeUndefined();
    expect(run.deadLettered).toBe(true);
    expect(run.record.payload).toEqual({ name: 'Ada' });
  });

  it('uses the full backoff step by default, without jitter, even for a kind with jitter', async () => {
    const jittery = defineJob({ kind: 'jittery', schema: z.object({}), retry: { backoffBaseSeconds: 10, jitter: 0.5 } });
    const run = await runJob(defineHandler(jittery, async () => { throw new Error('later'); }), {}, { now });
    expect(run.nextRunAt).toEqual(seconds(10));
    const lower = await runJob(defineHandler(jittery, async () => { throw new Error('later'); }), {}, { now, random: () => 0.5 });
    expect(lower.nextRunAt).toEqual(seconds(8)); // 10 × (1 − 0.5 × 0.5), rounded
  });

  it('fails a PermanentError at once on the first attempt, keeping the payload on the record', async () => {
    const run = await runJob(defineHandler(greet, async ({ name }) => {
      runs++;
      throw new PermanentError(`no user ${name}`);
    }), { name: 'Grace' }, { now });
    expect(runs).toBe(1);
    expect(run.status).toBe('failed');
    expect(run.record).toMatchObject({ attempt: 1, maxAttempts: 3, payload: { name: 'Grace' } });
    expect(run.error).toMatchObject({ message: 'no user Grace', class: 'PermanentError', permanent: true, attempt: 1 });
    expect(run.deadLettered).toBe(true);
    expect(run.nextRunAt).toBeUndefined();
  });

  it('fails a payload the schema refuses permanently, without running the handler', async () => {
    const run = await runJob(defineHandler(greet, async () => { runs++; }), { name: 42 }, { now });
    expect(runs).toBe(0);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ permanent: true, message: expect.stringContaining('name') });
    expect(run.deadLettered).toBe(true);
    expect(run.record.payload).toEqual({ name: 42 });
  });

  it('returns the result of a succeeded job', async () => {
    const run = await runJob(defineHandler(greet, async ({ name }) => ({ greeting: `hello ${name}` })), { name: 'Ada' }, { now });
    expect(run).toMatchObject({ status: 'succeeded', result: { greeting: 'hello Ada' }, deadLettered: false, error: undefined });
    expect(run.record.finishedAt).toBe(NOW.toISOString());
  });

  it('refuses an attempt the kind does not have', async () => {
    await expect(runJob(flaky, { name: 'Ada' }, { attempt: 4 })).rejects.toBeInstanceOf(RangeError);
    await expect(runJob(flaky, { name: 'Ada' }, { attempt: 0 })).rejects.toBeInstanceOf(RangeError);
  });

  it('leaves a parent waiting for the children it spawned, then succeeds it with their summary once they ran', async () => {
    const parentJob = defineHandler(importAll, async ({ chunks }, ctx) => {
      await ctx.spawn(chunk, Array.from({ length: chunks }, (_, i) => ({ n: i + 1 })));
      return { spawned: chunks };
    });
    const chunkJob = defineHandler(chunk, async ({ n }) => ({ imported: 10 * n, rows: [n] }));
    const run = await runJob(parentJob, { chunks: 3 }, { now, jobs: [chunkJob] });
    expect(run.status).toBe('waiting');
    expect(run.result).toEqual({ spawned: 3 });
    expect(run.children.map((c) => [c.kind, c.payload])).toEqual([['import.chunk', { n: 1 }], ['import.chunk', { n: 2 }], ['import.chunk', { n: 3 }]]);
    expect(new Set(run.children.map((c) => c.id)).size).toBe(3);
    expect(run.followUps).toEqual([]);

    const [first, ...rest] = run.children;
    expect((await run.queue.deliver(first!.id)).record).toMatchObject({ status: 'succeeded', result: { imported: 10 }, parentId: run.record.id });
    expect(await run.queue.get(run.record.id)).toMatchObject({ status: 'waiting', childrenDone: 1 });
    for (const child of rest) expect((await run.queue.deliver(child.id)).record?.status).toBe('succeeded');

    expect(await run.queue.get(run.record.id)).toMatchObject({
      status: 'succeeded',
      result: { spawned: 3, children: { total: 3, succeeded: 3, failed: 0 }, totals: { imported: 60 }, rows: [1, 2, 3] },
    });
  });

  it('reports a follow-up enqueued with ctx.then once the job succeeds, ready to run', async () => {
    const welcome = defineHandler(greet, async ({ name }, ctx) => {
      ctx.then(notify, { to: `${name}@example.com`, template: 'welcome' });
    });
    const sent: string[] = [];
    const notifyJob = defineHandler(notify, async ({ to }) => { sent.push(to); });
    const run = await runJob(welcome, { name: 'ada' }, { now, jobs: [notifyJob] });
    expect(run.status).toBe('succeeded');
    expect(run.followUps.map((f) => [f.kind, f.payload])).toEqual([['notify', { to: 'ada@example.com', template: 'welcome' }]]);
    expect(run.children).toEqual([]);
    expect(await run.queue.get(run.followUps[0]!.id)).toMatchObject({ status: 'queued', predecessorId: run.record.id });
    expect((await run.queue.deliver(run.followUps[0]!.id)).record?.status).toBe('succeeded');
    expect(sent).toEqual(['ada@example.com']);
  });

  it('enqueues no follow-up when the handler throws after ctx.then', async () => {
    const half = defineHandler(greet, async (_p, ctx) => {
      ctx.then(notify, { to: 'ada@example.com', template: 'welcome' });
      throw new Error('boom after then');
    });
    const retrying = await runJob(half, { name: 'ada' }, { now });
    expect(retrying.status).toBe('retrying');
    expect(retrying.followUps).toEqual([]);
    expect(retrying.queue.enqueued()).toEqual([]);
    const failed = await runJob(half, { name: 'ada' }, { now, attempt: 3 });
    expect(failed.status).toBe('failed');
    expect(failed.followUps).toEqual([]);
    expect(failed.queue.enqueued()).toEqual([]);
  });

  it('runs the function of ctx.once once per key, returning the stored result to a second call', async () => {
    let calls = 0;
    const charge = async () => ({ charge: ++calls });
    const run = await runJob(defineHandler(greet, async (_p, ctx) => {
      const a = await ctx.once('charge', charge);
      const b = await ctx.once('charge', charge);
      const c = await ctx.once('other-key', charge);
      return [a, b, c];
    }), { name: 'Ada' }, { now });
    expect(run.status).toBe('succeeded');
    expect(run.result).toEqual([{ charge: 1 }, { charge: 1 }, { charge: 2 }]);
    expect(calls).toBe(2);
  });
});

/** Code under test: enqueues through whatever client it is given. */
async function signup(client: JobClient, user: { email: string; name: string }, options: { remindLater?: boolean } = {}): Promise<void> {
  await client.enqueue(notify, { to: user.email, template: 'welcome', variables: { name: user.name, plan: 'free' } });
  if (options.remindLater) await client.enqueue(notify, { to: user.email, template: 'reminder' }, { runAt: new Date(NOW.getTime() + 3_600_000) });
}

describe('createTestQueue and expectEnqueued', () => {
  it('finds a job the code under test enqueued by a partial payload, nested fields included', async () => {
    const queue = createTestQueue({ jobs: [notify, audit], now });
    await signup(queue.client, { email: 'ada@example.com', name: 'Ada' });
    const [message, ...others] = expectEnqueued(queue, notify, { to: 'ada@example.com' });
    expect(others).toEqual([]);
    expect(message).toMatchObject({ kind: 'notify', lane: 'default', delaySeconds: 0, payload: { to: 'ada@example.com', template: 'welcome', variables: { name: 'Ada', plan: 'free' } } });
    expect(message!.scheduledFor).toBeUndefined();
    expect(expectEnqueued(queue, notify, { variables: { name: 'Ada' } })).toHaveLength(1);
    expect(expectEnqueued(queue, 'notify')).toHaveLength(1);
    expect(await queue.get(message!.id)).toMatchObject({ status: 'queued', kind: 'notify', createdBy: 'test' });
  });

  it('throws an AssertionError listing what was enqueued when no payload matches', async () => {
    const queue = createTestQueue({ jobs: [notify, audit], now });
    await signup(queue.client, { email: 'ada@example.com', name: 'Ada' });
    let thrown: unknown;
    try {
      expectEnqueued(queue, notify, { to: 'grace@example.com' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AssertionError);
    const { message } = thrown as AssertionError;
    expect(message).toContain('expected a "notify" job with payload matching');
    expect(message).toContain('grace@example.com');
    expect(message).toContain("notify { to: 'ada@example.com', template: 'welcome'");
    // A nested field that differs does not match either; nothing at all says so.
    expect(() => expectEnqueued(queue, notify, { variables: { name: 'Grace' } })).toThrow(AssertionError);
    expect(() => expectEnqueued(createTestQueue({ jobs: [notify] }), notify)).toThrow(/nothing was enqueued/);
  });

  it('expectNotEnqueued passes for a kind nobody enqueued and throws for one that was', async () => {
    const queue = createTestQueue({ jobs: [notify, audit], now });
    expect(() => expectNotEnqueued(queue, notify)).not.toThrow();
    await signup(queue.client, { email: 'ada@example.com', name: 'Ada' });
    expect(() => expectNotEnqueued(queue, audit)).not.toThrow();
    expect(() => expectNotEnqueued(queue, 'audit')).not.toThrow();
    expect(() => expectNotEnqueued(queue, notify)).toThrow(AssertionError);
    expect(() => expectNotEnqueued(queue, notify)).toThrow(/expected no "notify" job to be enqueued; found 1: .*ada@example\.com/);
  });

  it('lists a job delayed beyond the scheduler threshold as scheduled, and runs it when delivered', async () => {
    const delivered: string[] = [];
    const queue = createTestQueue({ jobs: [defineHandler(notify, async ({ template }) => { delivered.push(template); })], now });
    await signup(queue.client, { email: 'ada@example.com', name: 'Ada' }, { remindLater: true });
    expect(queue.transport.sent).toHaveLength(1);
    expect(queue.scheduler.schedules.size).toBe(1);
    const [reminder] = expectEnqueued(queue, notify, { template: 'reminder' });
    expect(reminder).toMatchObject({ kind: 'notify', delaySeconds: 0, scheduledFor: seconds(3600), payload: { to: 'ada@example.com', template: 'reminder' } });
    expect(queue.enqueued(notify).map((m) => m.scheduledFor)).toEqual([undefined, seconds(3600)]);
    expect(await queue.get(reminder!.id)).toMatchObject({ status: 'scheduled', runAt: seconds(3600).toISOString() });

    expect(await queue.deliver(reminder!.id)).toMatchObject({ disposition: 'ack', record: { status: 'succeeded' } });
    expect(delivered).toEqual(['reminder']);
  });

  it('fails a delivered job whose kind the queue only knows as a definition', async () => {
    const queue = createTestQueue({ jobs: [notify], now });
    const { id } = await queue.client.enqueue(notify, { to: 'ada@example.com', template: 'welcome' });
    const { record } = await queue.deliver(id);
    expect(record).toMatchObject({ status: 'failed', lastError: { permanent: true, message: expect.stringContaining('unknown job kind "notify"') } });
    await expect(queue.deliver('01J0000000000000000000000')).rejects.toThrow(/no message of job/);
  });
});
