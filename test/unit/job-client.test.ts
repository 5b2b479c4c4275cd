import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JobClient } from '../../lib/client/job-client.js';
import { ConfigurationError, InvalidEnqueueOptionsError, InvalidPayloadError, PayloadTooLargeError, UnknownKindError } from '../../lib/errors.js';
import { defineJob } from '../../lib/job-definition.js';
import { decodeJobMessage } from '../../lib/job-message.js';
import { MemoryJobStore } from '../../lib/testing/memory-job-store.js';
import { MemoryTransport } from '../../lib/testing/memory-transport.js';

const note = defineJob({ kind: 'note.write', schema: z.object({ text: z.string() }), maxPayloadBytes: 100 });
const slow = defineJob({ kind: 'video.encode', schema: z.object({}), lane: 'bulk' });
const config = {
  tableName: 'jobs',
  shardCount: 4,
  lanes: { default: { queueUrl: 'http://q/default', deadLetterQueueUrl: 'http://q/default-dlq' }, bulk: { queueUrl: 'http://q/bulk', deadLetterQueueUrl: 'http://q/bulk-dlq' } },
};
let store: MemoryJobStore;
let transport: MemoryTransport;
let client: JobClient;

beforeEach(() => {
  store = new MemoryJobStore();
  transport = new MemoryTransport();
  client = new JobClient({ jobs: [note, slow], config, store, transport, createdBy: 'unit-test' });
});

describe('JobClient', () => {
  it('writes the record, then sends the message carrying the payload', async () => {
    const job = await client.enqueue(note, { text: 'hello' });
    expect(job).toMatchObject({ kind: 'note.write', status: 'queued' });
    expect(await store.get(job.id)).toMatchObject({ status: 'queued', attempt: 0, payloadBytes: 16, createdBy: 'unit-test' });
    expect((await store.get(job.id))?.payload).toBeUndefined();
    expect(transport.sent).toHaveLength(1);
    expect(decodeJobMessage(transport.sent[0]!.body)).toEqual({ ok: true, message: { v: 1, id: job.id, kind: 'note.write', payload: { text: 'hello' } } });
  });

  it('marks a delayed job scheduled and hands the delay to SQS', async () => {
    const job = await client.enqueue('note.write', { text: 'later' }, { delaySeconds: 30 });
    expect(job.status).toBe('scheduled');
    expect(transport.sent[0]?.delaySeconds).toBe(30);
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
    await expect(client.enqueue(note, { text: 'x' }, { delaySeconds: 901 })).rejects.toThrow(/from 0 to 900/);
    expect(store.writes).toEqual([]);
    expect(transport.sent).toEqual([]);
  });

  it('validates a whole batch before writing any of it, naming the bad position', async () => {
    await expect(client.enqueueMany([{ job: note, payload: { text: 'ok' } }, { job: note, payload: {} }])).rejects.toThrow(/^job 1: invalid payload for "note.write": text:/);
    expect(store.writes).toEqual([]);
  });

  it('keeps the payload on the record when the message cannot be sent, so nothing is lost', async () => {
    const failing = new JobClient({ jobs: [note], config, store, transport: Object.assign(transport, { send: async (_lane: string, messages: readonly { id: string }[]) => ({ failedIds: messages.map((m) => m.id) }) }) });
    const job = await failing.enqueue(note, { text: 'keep me' });
    expect(await store.get(job.id)).toMatchObject({ status: 'queued', payload: { text: 'keep me' } });
  });

  it('refuses a config that lacks a kind\'s lane', () => {
    expect(() => new JobClient({ jobs: [slow], config: { ...config, lanes: { default: config.lanes.default } }, store, transport })).toThrow(ConfigurationError);
  });
});
