import { memoryBackends } from '../../lib/testing/memory-backends.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JobClient } from '../../lib/client/job-client.js';
import { ConfigurationError, InvalidEnqueueOptionsError, InvalidPayloadError, PayloadTooLargeError, UnknownKindError } from '../../lib/errors.js';
import { defineJob } from '../../lib/job-definition.js';
import { decodeJobMessage } from '../../lib/job-message.js';
import { MemoryJobStore } from '../../lib/testing/memory-job-store.js';
import { MemoryScheduler } from '../../lib/testing/memory-scheduler.js';
import { MemoryTransport } from '../../lib/testing/memory-transport.js';
import { testConfig } from '../../lib/testing/test-config.js';

const note = defineJob({ kind: 'note.write', schema: z.object({ text: z.string() }), maxPayloadBytes: 100 });
const slow = defineJob({ kind: 'video.encode', schema: z.object({}), lane: 'bulk' });
const report = defineJob({ kind: 'report.generate', schema: z.object({ type: z.string(), from: z.string() }), unique: { key: (p) => `${p.type}:${p.from}`, windowSeconds: 600 } });
const config = testConfig(['default', 'bulk']);
let store: MemoryJobStore;
let transport: MemoryTransport;
let scheduler: MemoryScheduler;
let client: JobClient;
const now = new Date('2026-05-01T10:00:00Z');

beforeEach(() => {
  store = new MemoryJobStore();
  transport = new MemoryTransport();
  scheduler = new MemoryScheduler();
  client = new JobClient({ jobs: [note, slow, report], config, backends: { ...memoryBackends(), store, transport, scheduler }, createdBy: 'unit-test', now: () => now });
});

describe('JobClient', () => {
  it('writes the record, then sends the message carrying the payload', async () => {
    const job = await client.enqueue(note, { text: 'hello' });
    expect(job).toMatchObject({ kind: 'note.write', status: 'queued' });
    expect(await store.get(job.id)).toMatchObject({ status: 'queued', attempt: 0, payloadBytes: 16, createdBy: 'unit-test' });
    expect((await store.get(job.id))?.payload).toBeUndefined();
    expect(transport.sent).toHaveLength(1);
    expect(decodeJobMessage(transport.sent[0]!.body)).toEqual({ ok: true, message: { v: 1, id: job.id, kind: 'note.write', recorded: true, payload: { text: 'hello' } } });
  });

  it('marks a delayed job scheduled and hands the delay to SQS', async () => {
    const job = await client.enqueue('note.write', { text: 'later' }, { delaySeconds: 30 });
    expect(job.status).toBe('scheduled');
    expect(transport.sent[0]?.delaySeconds).toBe(30);
  });

  it('hands a delay past the threshold to a one-time schedule instead of SQS', async () => {
    const job = await client.enqueue(note, { text: 'tomorrow' }, { delaySeconds: 86_400 });
    expect(job).toMatchObject({ status: 'scheduled', runAt: '2026-05-02T10:00:00.000Z' });
    expect(transport.sent).toEqual([]);
    const schedule = scheduler.schedules.get(`j-${job.id}-1`);
    expect(schedule).toMatchObject({ at: new Date('2026-05-02T10:00:00Z'), lane: 'default' });
    expect(decodeJobMessage(schedule!.body)).toMatchObject({ ok: true, message: { id: job.id, payload: { text: 'tomorrow' } } });
    expect(await store.get(job.id)).toMatchObject({ status: 'scheduled', scheduleName: `j-${job.id}-1` });
  });

  it('takes an absolute runAt, and runs a past one now', async () => {
    expect(await client.enqueue(note, { text: 'a' }, { runAt: '2026-05-01T10:00:10Z' })).toMatchObject({ status: 'scheduled' });
    expect(transport.sent[0]?.delaySeconds).toBe(10);
    expect(await client.enqueue(note, { text: 'b' }, { runAt: new Date('2020-01-01') })).toMatchObject({ status: 'queued' });
  });

  it('cancels a scheduled job and deletes its schedule; refuses a running one', async () => {
    const job = await client.enqueue(note, { text: 'never' }, { delaySeconds: 7200 });
    expect(await client.cancel(job.id, 'changed my mind')).toMatchObject({ status: 'cancelled', cancelReason: 'changed my mind' });
    expect(scheduler.schedules.size).toBe(0);
    // The schedule held the only copy of the payload: it is kept on the record for a retry.
    expect(await store.get(job.id)).toMatchObject({ status: 'cancelled', payload: { text: 'never' } });
    await expect(client.cancel(job.id)).rejects.toThrow(/is cancelled; only scheduled, queued or retrying jobs can be cancelled/);
    await expect(client.cancel('01M80VT4N002GN3JWN515DN8JQ')).rejects.toThrow(/no job/);
  });

  it('keeps the payload when a schedule cannot be created', async () => {
    scheduler.scheduleOnce = async () => { throw new Error('throttled'); };
    const job = await client.enqueue(note, { text: 'kept' }, { delaySeconds: 7200 });
    expect(await store.get(job.id)).toMatchObject({ status: 'scheduled', payload: { text: 'kept' } });
  });

  it('returns the existing job for a duplicate of a unique kind within its window, sending nothing', async () => {
    const first = await client.enqueue(report, { type: 'sales', from: '2026-01' });
    const again = await client.enqueue(report, { type: 'sales', from: '2026-01' });
    const other = await client.enqueue(report, { type: 'sales', from: '2026-02' });
    expect(again).toMatchObject({ id: first.id, duplicate: true, status: 'queued' });
    expect(other.id).not.toBe(first.id);
    expect(transport.sent.map((m) => m.id)).toEqual([first.id, other.id]);
    expect(await store.get(first.id)).toMatchObject({ uniqueKey: 'sales:2026-01' });
  });

  it('routes each job to its lane', async () => {
    await client.enqueueMany([{ job: note, payload: { text: 'a' } }, { job: slow, payload: {} }]);
    expect(transport.sent.map((m) => m.lane).sort()).toEqual(['bulk', 'default']);
  });

  it('rejects bad input with typed errors and writes nothing', async () => {
    await expect(client.enqueue('nope', {})).rejects.toBeInstanceOf(UnknownKindError);
    await expect(client.enqueue(note, { text: 7 } as never)).rejects.toBeInstanceOf(InvalidPayloadError);
    await expect(client.enqueue(note, { text: 'x'.repeat(200) })).rejects.toBeInstanceOf(PayloadTooLargeError);
    await expect(client.enqueue(note, { text: 'x' }, { delaySeconds: -1 })).rejects.toBeInstanceOf(InvalidEnqueueOptionsError);
    await expect(client.enqueue(note, { text: 'x' }, { delaySeconds: 400 * 86_400 })).rejects.toThrow(/from 0 to 31536000 \(a year\)/);
    await expect(client.enqueue(note, { text: 'x' }, { runAt: 'next tuesday' })).rejects.toThrow(/runAt must be a Date or an ISO-8601 time/);
    await expect(client.enqueue(note, { text: 'x' }, { runAt: new Date(), delaySeconds: 5 })).rejects.toThrow(/either delaySeconds or runAt/);
    expect(store.writes).toEqual([]);
    expect(transport.sent).toEqual([]);
  });

  it('validates a whole batch before writing any of it, naming the bad position', async () => {
    await expect(client.enqueueMany([{ job: note, payload: { text: 'ok' } }, { job: note, payload: {} }])).rejects.toThrow(/^job 1: invalid payload for "note.write": text:/);
    expect(store.writes).toEqual([]);
  });

  it('keeps the payload on the record when the message cannot be sent, so nothing is lost', async () => {
    const failing = new JobClient({ jobs: [note], config, backends: { ...memoryBackends(), store, scheduler, transport: Object.assign(transport, { send: async (_lane: string, messages: readonly { id: string }[]) => ({ failedIds: messages.map((m) => m.id) }) }) } });
    const job = await failing.enqueue(note, { text: 'keep me' });
    expect(await store.get(job.id)).toMatchObject({ status: 'queued', payload: { text: 'keep me' } });
  });

  it('refuses a config that lacks a kind\'s lane', () => {
    expect(() => new JobClient({ jobs: [slow], config: testConfig(['default']), backends: { ...memoryBackends(), store, transport, scheduler } })).toThrow(ConfigurationError);
  });
});
