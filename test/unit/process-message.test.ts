import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PermanentError, RetryAfterError } from '../../lib/errors.js';
import { defineJob } from '../../lib/job-definition.js';
import { newJobId } from '../../lib/job-id.js';
import { cronJobId, encodeCronMessage } from '../../lib/cron-firing.js';
import { encodeJobMessage } from '../../lib/job-message.js';
import { createTestQueue, type TestQueue } from '../../lib/testing/test-queue.js';
import type { MemoryJobStore } from '../../lib/testing/memory-job-store.js';
import type { MemoryScheduler } from '../../lib/testing/memory-scheduler.js';
import type { MemoryTransport } from '../../lib/testing/memory-transport.js';
import { defineHandler, type JobContext } from '../../lib/worker/job-handler.js';
import { processMessage, type IncomingMessage, type MessageDisposition } from '../../lib/worker/process-message.js';

const greet = defineJob({ kind: 'greet', schema: z.object({ name: z.string() }), retry: { maxAttempts: 3, backoffBaseSeconds: 5, jitter: 0 }, timeoutSeconds: 1 });

let queue: TestQueue;
let store: MemoryJobStore;
let transport: MemoryTransport;
let scheduler: MemoryScheduler;
let clock: number;
let runs: number;
let behaviour: (attempt: number, signal: AbortSignal, ctx: JobContext) => Promise<unknown>;

async function enqueued(payload: unknown = { name: 'Ada' }): Promise<IncomingMessage> {
  const id = newJobId(4, clock);
  await store.insert([{ id, kind: 'greet', lane: 'default', status: 'queued', maxAttempts: 3, payloadBytes: 10, createdAt: new Date(clock) }]);
  return message(encodeJobMessage(id, 'greet', JSON.stringify(payload)));
}

function message(body: string): IncomingMessage {
  return { messageId: `m-${Math.random()}`, receiptHandle: `r-${Math.random()}`, body, lane: 'default', receiveCount: 1, sentTimestamp: clock };
}

const idOf = (m: IncomingMessage) => (JSON.parse(m.body) as { id: string }).id;
const deadline = () => clock + 60_000;
/** One delivery of `m` (its receipt handle kept, for the visibility assertions) to the queue's worker. */
const deliver = (m: IncomingMessage, end = deadline()): Promise<MessageDisposition> => processMessage(m, queue.workerDependencies(), end);

beforeEach(() => {
  clock = Date.parse('2026-01-01T00:00:00Z');
  runs = 0;
  behaviour = async () => ({ ok: true });
  queue = createTestQueue({
    jobs: [defineHandler(greet, async (_payload, ctx) => {
      runs++;
      return behaviour(ctx.attempt, ctx.signal, ctx);
    })],
    now: () => new Date(clock),
    random: () => 0,
  });
  ({ store, transport, scheduler } = queue);
});

describe('processMessage', () => {
  it('runs a queued job once and records its success with three writes', async () => {
    const m = await enqueued();
    // Prepare / Act
    expect(await deliver(m)).toBe('ack');
    // Assess
    const record = await store.get(idOf(m));
    expect(record).toMatchObject({ status: 'succeeded', attempt: 1, result: { ok: true } });
    expect(store.writes.map((w) => w.split(' ')[0])).toEqual(['insert', 'claim', 'succeeded']);
  });

  it('drops a duplicate of a finished job without running the handler', async () => {
    const m = await enqueued();
    await deliver(m);
    expect(await deliver({ ...m, messageId: 'duplicate' })).toBe('ack');
    expect(runs).toBe(1);
  });

  it('sends a duplicate of a running job back until the lease ends', async () => {
    const m = await enqueued();
    await store.claim({ id: idOf(m), kind: 'greet', lane: 'default', maxAttempts: 3, payloadBytes: 1, now: new Date(clock), leaseUntil: new Date(clock + 10_000) });
    expect(await deliver(m)).toBe('keep');
    expect(runs).toBe(0);
    expect(transport.visibilityChanges).toEqual([{ lane: 'default', receiptHandle: m.receiptHandle, seconds: 11 }]);
  });

  it('takes over a job whose lease expired (a crashed worker) as a new attempt', async () => {
    const m = await enqueued();
    await store.claim({ id: idOf(m), kind: 'greet', lane: 'default', maxAttempts: 3, payloadBytes: 1, now: new Date(clock), leaseUntil: new Date(clock + 1000) });
    clock += 5000;
    expect(await deliver(m)).toBe('ack');
    expect(await store.get(idOf(m))).toMatchObject({ status: 'succeeded', attempt: 2 });
  });

  it('retries a transient error through the message visibility, keeping the error', async () => {
    const m = await enqueued();
    behaviour = async () => { throw new Error('connection reset'); };
    expect(await deliver(m)).toBe('keep');
    expect(transport.visibilityChanges).toEqual([{ lane: 'default', receiptHandle: m.receiptHandle, seconds: 5 }]);
    expect(await store.get(idOf(m))).toMatchObject({ status: 'retrying', lastError: { message: 'connection reset', attempt: 1 }, nextRunAt: new Date(clock + 5000).toISOString() });
  });

  it('uses the delay of a RetryAfterError', async () => {
    const m = await enqueued();
    behaviour = async () => { throw new RetryAfterError('slow down', 30); };
    await deliver(m);
    expect(transport.visibilityChanges[0]?.seconds).toBe(30);
  });

  it('sends a retry later than 12 h through a one-time schedule and lets the message go', async () => {
    const m = await enqueued();
    behaviour = async () => { throw new RetryAfterError('come back tomorrow', 86_400); };
    expect(await deliver(m)).toBe('ack');
    const [name, schedule] = [...scheduler.schedules][0]!;
    expect(name).toBe(`j-${idOf(m)}-2`);
    expect(schedule).toEqual({ at: new Date(clock + 86_400_000), lane: 'default', body: m.body });
    expect(await store.get(idOf(m))).toMatchObject({ status: 'retrying', scheduleName: name });
    expect(transport.visibilityChanges).toEqual([]);
  });

  it('drops a message of a cancelled job unrun, keeping its payload for a retry', async () => {
    const m = await enqueued({ name: 'Grace' });
    await store.cancel(idOf(m), { now: new Date(clock), reason: 'test', expiresAt: new Date(clock + 1000) });
    expect(await deliver(m)).toBe('ack');
    expect(runs).toBe(0);
    expect(await store.get(idOf(m))).toMatchObject({ status: 'cancelled', payload: { name: 'Grace' } });
  });

  it('runs the message of a cancelled job that was retried before the worker kept its payload', async () => {
    const m = await enqueued({ name: 'Grace' });
    await store.cancel(idOf(m), { now: new Date(clock), reason: 'test', expiresAt: new Date(clock + 1000) });
    // The operator's retry lands between the worker's claim and its keeping the payload.
    const realKeep = store.keepCancelledPayload.bind(store);
    store.keepCancelledPayload = async (id, payloadJson, now) => {
      await store.requeue(id, now);
      return realKeep(id, payloadJson, now);
    };
    expect(await deliver(m)).toBe('keep');
    expect(transport.visibilityChanges).toEqual([{ lane: 'default', receiptHandle: m.receiptHandle, seconds: 0 }]);
    // The message comes back and runs the revived job.
    expect(await deliver(m)).toBe('ack');
    expect(runs).toBe(1);
    expect(await store.get(idOf(m))).toMatchObject({ status: 'succeeded', attempt: 1 });
  });

  it('turns each schedule firing into exactly one job whose id derives from the schedule and the minute', async () => {
    const firing = encodeCronMessage('greet', 'greet/hourly', '{"name":"cron"}');
    const first = await queue.deliverBody(firing);
    const duplicate = await queue.deliverBody(firing);
    expect([first.disposition, duplicate.disposition]).toEqual(['ack', 'ack']);
    expect(runs).toBe(1);
    const [record] = [...store.records.values()];
    expect(record).toMatchObject({ status: 'succeeded', kind: 'greet', createdBy: 'schedule:greet/hourly' });
    expect(record!.id).toBe(cronJobId({ schedule: 'greet/hourly', scheduledTime: '' }, clock, 4));
  });

  it('enqueues a follow-up only when the job succeeds, with its payload validated and its predecessor recorded', async () => {
    const m = await enqueued();
    const ok = await enqueued();
    behaviour = async (_attempt, _signal, ctx) => {
      ctx.then(greet, { name: 'next' });
      if (ctx.id === idOf(m)) throw new PermanentError('no');
    };
    await deliver(m);
    await deliver(ok);
    const followUps = [...store.records.values()].filter((r) => r.predecessorId);
    expect(followUps).toEqual([expect.objectContaining({ predecessorId: idOf(ok), status: 'queued', kind: 'greet', createdBy: `job:${idOf(ok)}` })]);
    expect(transport.sent.map((s) => s.id)).toEqual([followUps[0]!.id]);
  });

  it('fails a permanent error at once: record failed with payload, message dead-lettered with a note', async () => {
    const m = await enqueued();
    behaviour = async () => { throw new PermanentError('no such user'); };
    expect(await deliver(m)).toBe('ack');
    expect(await store.get(idOf(m))).toMatchObject({ status: 'failed', attempt: 1, payload: { name: 'Ada' }, lastError: { message: 'no such user', permanent: true } });
    // The copy carries the claim token of the failure the record shows: a redrive moves it only while that is current.
    const { claimToken } = (await store.get(idOf(m)))!;
    expect(claimToken).toMatch(/^[\w-]{12}$/);
    expect(transport.deadLetters).toEqual([{ lane: 'default', body: m.body, note: { id: idOf(m), kind: 'greet', attempt: 1, error: 'no such user', errorClass: 'PermanentError', permanent: true, claimToken, groupId: undefined } }]);
  });

  it('fails after the last attempt with the error history', async () => {
    const m = await enqueued();
    behaviour = async (attempt) => { throw new Error(`down ${attempt}`); };
    for (let attempt = 1; attempt <= 3; attempt++) {
      await deliver(m);
      clock += 10_000;
    }
    const record = await store.get(idOf(m));
    expect(record).toMatchObject({ status: 'failed', attempt: 3, lastError: { message: 'down 3 (attempt 3 of 3, none left)' } });
    expect(record?.errors?.map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect(transport.deadLetters).toHaveLength(1);
  });

  it('times an attempt out at the kind timeout even when the handler ignores the signal', async () => {
    const m = await enqueued();
    behaviour = () => new Promise(() => {});
    expect(await deliver(m, Date.now() + 60_000)).toBe('keep');
    expect(await store.get(idOf(m))).toMatchObject({ status: 'retrying', lastError: { class: 'JobTimeoutError', timeout: true } });
  });

  it('dead-letters an unreadable message with the reason, writing no record', async () => {
    expect((await queue.deliverBody('not json at all')).disposition).toBe('ack');
    expect(transport.deadLetters[0]?.note).toMatchObject({ errorClass: 'UnreadableMessage', permanent: true, error: expect.stringContaining('not JSON') });
    expect(store.records.size).toBe(0);
  });

  it('fails an unknown kind and a schema-invalid payload permanently, without running anything', async () => {
    const unknown = message(encodeJobMessage(newJobId(4, clock), 'nope', '{}'));
    const invalid = await enqueued({ name: 42 });
    expect(await deliver(unknown)).toBe('ack');
    expect(await deliver(invalid)).toBe('ack');
    expect(runs).toBe(0);
    expect(await store.get(idOf(unknown))).toMatchObject({ status: 'failed', lastError: { message: expect.stringContaining('unknown job kind "nope"'), permanent: true } });
    expect(await store.get(idOf(invalid))).toMatchObject({ status: 'failed', lastError: { message: expect.stringContaining('name: Invalid input'), permanent: true } });
    expect(transport.deadLetters).toHaveLength(2);
  });
});
