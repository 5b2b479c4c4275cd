import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigurationError, defineJob, JoblineError, MAX_STORED_RESULT_BYTES, PermanentError } from 'jobline';
import { defineHandler } from 'jobline/worker';
import { createTestQueue, MemoryResultStore } from 'jobline/testing';
import { keepResult } from '../../lib/results/keep-result.js';
import { answerOf, pendingReason } from '../../lib/results/job-result.js';
import { awaitResult } from '../../lib/results/await-result.js';
import type { JobRecord } from '../../lib/job-record.js';

const text = (bytes: number) => ({ text: 'x'.repeat(bytes - '{"text":""}'.length) });

describe('keepResult: where a succeeded attempt\'s result lives', () => {
  it('keeps a result up to the inline limit on the record and writes nothing else', async () => {
    const store = new MemoryResultStore();
    expect(await keepResult(text(100), { inlineBytes: 100, store, key: 'results/A/1.json' })).toEqual({ result: text(100) });
    expect(store.objects.size).toBe(0);
    expect(await keepResult(undefined, { inlineBytes: 100, store, key: 'k' })).toEqual({});
  });

  it('puts a larger one in the store first and leaves a pointer with its size', async () => {
    const store = new MemoryResultStore();
    const kept = await keepResult(text(101), { inlineBytes: 100, store, key: 'results/A/1.json' });
    expect(kept).toEqual({ resultRef: { key: 'results/A/1.json', bytes: 101 } });
    expect(JSON.parse(store.objects.get('results/A/1.json')!)).toEqual(text(101));
  });

  it('drops a result with its size and why when there is no store, or it is over the largest kept', async () => {
    expect(await keepResult(text(101), { inlineBytes: 100, key: 'k' })).toEqual({ resultDropped: { bytes: 101, reason: expect.stringMatching(/no results bucket/) } });
    const store = new MemoryResultStore();
    const huge = text(MAX_STORED_RESULT_BYTES + 1);
    expect(await keepResult(huge, { inlineBytes: 100, store, key: 'k' })).toEqual({ resultDropped: { bytes: MAX_STORED_RESULT_BYTES + 1, reason: expect.stringMatching(/over the 4194304 bytes/) } });
    expect(store.objects.size).toBe(0);
  });
});

describe('maxInlineResultBytes', () => {
  it('is validated at definition, 0 to 32768', () => {
    expect(defineJob({ kind: 'a.b', schema: z.object({}) }).maxInlineResultBytes).toBe(4096);
    expect(defineJob({ kind: 'a.b', schema: z.object({}), maxInlineResultBytes: 0 }).maxInlineResultBytes).toBe(0);
    for (const bad of [-1, 32_769, 1.5, Number.NaN]) {
      expect(() => defineJob({ kind: 'a.b', schema: z.object({}), maxInlineResultBytes: bad })).toThrow(ConfigurationError);
    }
    expect(() => defineJob({ kind: 'a.b', schema: z.object({}), maxInlineResultBytes: 40_000 })).toThrow(/maxInlineResultBytes must be an integer from 0 to 32768.*got 40000/);
  });
});

const base: JobRecord = { id: '01JABCDEFGHJKMNPQRSTVWXYZ0', kind: 'k', lane: 'default', status: 'queued', attempt: 0, maxAttempts: 3, createdAt: '2026-12-04T10:00:00.000Z', updatedAt: '2026-12-04T10:00:00.000Z', payloadBytes: 2 };
const now = new Date('2026-12-04T10:00:10Z');

describe('answerOf: what a record says of its result', () => {
  it('says why a job that has not finished has no result yet', async () => {
    expect(await answerOf(base.id, { ...base, status: 'running', attempt: 2, startedAt: '2026-12-04T10:00:05.000Z' }, now, undefined, 'nf'))
      .toEqual({ id: base.id, state: 'pending', kind: 'k', status: 'running', reason: 'running attempt 2 of 3 since 2026-12-04T10:00:05.000Z' });
    const error = { message: 'smtp 421', class: 'Error', permanent: false, attempt: 1, at: now.toISOString() };
    expect(pendingReason({ ...base, status: 'retrying', attempt: 1, lastError: error, nextRunAt: '2026-12-04T10:01:00.000Z' })).toBe('attempt 1 of 3 failed (smtp 421); it runs again at 2026-12-04T10:01:00.000Z');
    expect(pendingReason({ ...base, waitingFor: { limit: 'concurrency', key: 'tenant-1', since: now.toISOString() } })).toBe('queued, waiting for its concurrency limit (key tenant-1)');
    expect(pendingReason({ ...base, status: 'waiting', childrenTotal: 4, childrenDone: 1 })).toBe('waiting for its children: 1 of 4 finished');
  });

  it('gives a failed or cancelled job\'s reason, and not found, expired and too large as such', async () => {
    const error = { message: 'no such template', class: 'PermanentError', permanent: true, attempt: 1, at: now.toISOString() };
    expect(await answerOf(base.id, { ...base, status: 'failed', lastError: error }, now, undefined, 'nf')).toEqual({ id: base.id, state: 'failed', kind: 'k', status: 'failed', reason: 'failed on attempt 1: no such template', error });
    expect(await answerOf(base.id, { ...base, status: 'cancelled', cancelReason: 'by ops' }, now, undefined, 'nf')).toMatchObject({ state: 'failed', status: 'cancelled', reason: 'cancelled: by ops' });
    expect(await answerOf(base.id, undefined, now, undefined, 'no record')).toEqual({ id: base.id, state: 'not_found', reason: 'no record' });
    const expired = { ...base, status: 'succeeded' as const, result: 1, expiresAt: now.getTime() / 1000 - 1 };
    expect(await answerOf(base.id, expired, now, undefined, 'nf')).toMatchObject({ state: 'expired', kind: 'k' });
    expect(await answerOf(base.id, { ...base, status: 'succeeded', resultDropped: { bytes: 9, reason: 'why' } }, now, undefined, 'nf')).toEqual({ id: base.id, state: 'too_large', kind: 'k', bytes: 9, reason: 'why' });
  });

  it('reads a result the record points at, and says expired when its object is gone', async () => {
    const store = new MemoryResultStore();
    await store.put('results/x.json', '{"rows":[1,2,3]}');
    const pointing = { ...base, status: 'succeeded' as const, resultRef: { key: 'results/x.json', bytes: 16 } };
    expect(await answerOf(base.id, pointing, now, store, 'nf')).toMatchObject({ state: 'succeeded', result: { rows: [1, 2, 3] } });
    expect(await answerOf(base.id, { ...pointing, resultRef: { key: 'results/gone.json', bytes: 16 } }, now, store, 'nf')).toMatchObject({ state: 'expired' });
    expect(await answerOf(base.id, pointing, now, undefined, 'nf')).toMatchObject({ state: 'too_large', bytes: 16, reason: expect.stringMatching(/does not name/) });
  });
});

describe('awaitResult', () => {
  it('reads again, each pause longer up to 1 s, until the job finishes or the wait is over', async () => {
    let clock = 0;
    const pauses: number[] = [];
    let reads = 0;
    const source = {
      get: async () => ({ ...base, ...(++reads >= 8 ? { status: 'succeeded' as const, result: 'done' } : {}) }),
      notFound: 'nf', now: () => new Date(clock),
      sleep: async (ms: number) => { pauses.push(ms); clock += ms; },
    };
    expect(await awaitResult(base.id, source, { waitSeconds: 60 })).toMatchObject({ state: 'succeeded', result: 'done' });
    expect(pauses).toEqual([100, 150, 225, 338, 507, 761, 1000]);
    reads = -1_000;
    clock = 0;
    pauses.length = 0;
    expect(await awaitResult(base.id, source, { waitSeconds: 2 })).toMatchObject({ state: 'pending' });
    expect(pauses.reduce((a, b) => a + b, 0)).toBe(2000);
    expect(await awaitResult(base.id, source)).toMatchObject({ state: 'pending' });
  });

  it('refuses a wait out of range and an id that is not one', async () => {
    const source = { get: async () => undefined, notFound: 'nf', now: () => now };
    await expect(awaitResult(base.id, source, { waitSeconds: 901 })).rejects.toThrow(/waitSeconds must be a number of seconds from 0 to 900/);
    await expect(awaitResult(base.id, source, { waitSeconds: -1 })).rejects.toThrow(JoblineError);
    await expect(awaitResult('nope', source)).rejects.toThrow(/"nope" is not a job id/);
  });
});

describe('JobClient.result through a worker', () => {
  const report = defineJob({ kind: 'report.build', schema: z.object({ rows: z.number(), fail: z.boolean().default(false) }), maxInlineResultBytes: 1024, retry: { maxAttempts: 1 } });
  const build = defineHandler(report, async ({ rows, fail }) => {
    if (fail) throw new PermanentError('the source table is gone');
    return { rows: Array.from({ length: rows }, (_, i) => ({ i, name: `row ${i}` })) };
  });

  it('returns a small result from the record and a large one from the result store, whole', async () => {
    const queue = createTestQueue({ jobs: [build] });
    const small = await queue.client.enqueue(report, { rows: 2 });
    const large = await queue.client.enqueue(report, { rows: 5_000 });
    expect(await queue.client.result(small.id)).toMatchObject({ state: 'pending', status: 'queued' });
    await queue.deliver(small.id);
    await queue.deliver(large.id);
    expect(await queue.client.result(small.id)).toMatchObject({ state: 'succeeded', result: { rows: [{ i: 0 }, { i: 1 }] } });
    const record = await queue.get(large.id);
    expect(record?.result).toBeUndefined();
    expect(record?.resultRef?.bytes).toBeGreaterThan(100_000);
    expect(queue.backends.results.objects.has(record!.resultRef!.key)).toBe(true);
    const answer = await queue.client.result<{ rows: unknown[] }>(large.id);
    expect(answer.state === 'succeeded' && answer.result?.rows).toHaveLength(5_000);
  });

  it('says why a failed job has no result', async () => {
    const queue = createTestQueue({ jobs: [build] });
    const job = await queue.client.enqueue(report, { rows: 1, fail: true });
    await queue.deliver(job.id);
    expect(await queue.client.result(job.id)).toMatchObject({ state: 'failed', status: 'failed', reason: 'failed on attempt 1: the source table is gone' });
  });

  it('waits for a job that finishes while it waits', async () => {
    const queue = createTestQueue({ jobs: [build] });
    const job = await queue.client.enqueue(report, { rows: 3 });
    const waiting = queue.client.result(job.id, { waitSeconds: 10 });
    setTimeout(() => void queue.deliver(job.id), 300);
    expect(await waiting).toMatchObject({ state: 'succeeded', result: { rows: [{ i: 0 }, { i: 1 }, { i: 2 }] } });
  });

  it('retries an attempt whose result the store could not take, rather than lose the result', async () => {
    const queue = createTestQueue({ jobs: [defineHandler(defineJob({ kind: 'report.retry', schema: z.object({}), maxInlineResultBytes: 0 }), async () => ({ ok: true }))] });
    queue.backends.results.put = async () => { throw new Error('S3 is down'); };
    const job = await queue.client.enqueue('report.retry', {});
    await queue.deliver(job.id);
    expect(await queue.get(job.id)).toMatchObject({ status: 'retrying', lastError: { message: 'the result could not be kept in the results bucket: S3 is down' } });
  });
});
