import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PermanentError } from '../../lib/errors.js';
import { defineJob } from '../../lib/job-definition.js';
import { newJobId } from '../../lib/job-id.js';
import { encodeJobMessage } from '../../lib/job-message.js';
import type { MemoryJobStore } from '../../lib/testing/memory-job-store.js';
import type { MemoryTransport } from '../../lib/testing/memory-transport.js';
import { createTestQueue, type TestQueue } from '../../lib/testing/test-queue.js';
import { childJobId } from '../../lib/continuations/children.js';
import { defineHandler } from '../../lib/worker/job-handler.js';

const chunk = defineJob({ kind: 'chunk', schema: z.object({ n: z.number(), fatal: z.boolean().default(false) }), retry: { maxAttempts: 2, backoffBaseSeconds: 1 } });
const parent = defineJob({ kind: 'parent', schema: z.object({ chunks: z.number(), fatalAt: z.number().optional() }) });

let queue: TestQueue;
let store: MemoryJobStore;
let transport: MemoryTransport;

beforeEach(() => {
  queue = createTestQueue({
    jobs: [
      defineHandler(parent, async ({ chunks, fatalAt }, ctx) => {
        await ctx.spawn(chunk, Array.from({ length: chunks }, (_, n) => ({ n, fatal: n === fatalAt })), { failFast: fatalAt !== undefined });
        return { spawned: chunks };
      }),
      defineHandler(chunk, async ({ n, fatal }) => {
        if (fatal) throw new PermanentError(`chunk ${n} cannot be read`);
        return { imported: 10 * n, badRows: [n * 100] };
      }),
    ],
    random: () => 0,
  });
  ({ store, transport } = queue);
});

/** Delivers the message sent for the `index`-th child spawned so far. */
const deliverSent = (index: number) => queue.deliver(transport.sent[index]!.id);

async function startParent(payload: object): Promise<string> {
  const id = newJobId(4);
  await store.insert([{ id, kind: 'parent', lane: 'default', status: 'queued', maxAttempts: 5, payloadBytes: 1, createdAt: new Date() }]);
  await queue.deliverBody(encodeJobMessage(id, 'parent', JSON.stringify(payload)));
  return id;
}

describe('parents and children', () => {
  it('waits for its children, tracks their progress, then succeeds with their summary', async () => {
    const id = await startParent({ chunks: 3 });
    expect(await store.get(id)).toMatchObject({ status: 'waiting', childrenTotal: 3, childrenDone: 0 });
    expect(transport.sent.map((m) => m.id)).toEqual([0, 1, 2].map((i) => childJobId(id, i, 4)));

    await deliverSent(0);
    expect(await store.get(id)).toMatchObject({ status: 'waiting', childrenDone: 1, childTotals: { imported: 0 } });
    for (const message of transport.sent.slice(1, 3)) await queue.deliver(message.id);

    expect(await store.get(id)).toMatchObject({
      status: 'succeeded',
      result: { children: { total: 3, succeeded: 3, failed: 0 }, totals: { imported: 30 }, badRows: [0, 100, 200] },
    });
  });

  it('reads its children\'s results once, when several finish together: one of them takes the settling', async () => {
    const id = await startParent({ chunks: 10 });
    const reads = new Map<string, number>();
    const get = store.get.bind(store);
    store.get = async (jobId: string) => {
      reads.set(jobId, (reads.get(jobId) ?? 0) + 1);
      return get(jobId);
    };
    // The ten children finish together (one batch, processed concurrently).
    await Promise.all(transport.sent.slice(0, 10).map((m) => queue.deliver(m.id)));
    expect(await get(id)).toMatchObject({ status: 'succeeded', result: { children: { total: 10, succeeded: 10 } } });
    // Each child's record is read twice: once by the settling, once by the test queue reporting the delivery.
    const childReads = transport.sent.slice(0, 10).map((m) => reads.get(m.id) ?? 0);
    expect(childReads).toEqual(Array(10).fill(2));
    expect(store.writes.filter((w) => w === `claimSettlement ${id}`)).toHaveLength(1);
  });

  it('fails fast: one child failing permanently fails the parent and cancels the children not started', async () => {
    const id = await startParent({ chunks: 4, fatalAt: 1 });
    await deliverSent(0);
    await deliverSent(1);
    expect(await store.get(id)).toMatchObject({ status: 'failed', lastError: { message: expect.stringMatching(/^child .* failed: chunk 1 cannot be read; the children not yet started were cancelled$/) } });
    expect((await store.get(childJobId(id, 0, 4)))?.status).toBe('succeeded');
    expect((await store.get(childJobId(id, 2, 4)))?.status).toBe('cancelled');
    expect((await store.get(childJobId(id, 3, 4)))?.status).toBe('cancelled');
    // A cancelled child's message is dropped unrun.
    expect((await deliverSent(2)).disposition).toBe('ack');
    expect((await store.get(childJobId(id, 2, 4)))?.status).toBe('cancelled');
  });

  it('refuses an attempt that both spawns children and calls ctx.then, in either order, instead of losing the follow-up', async () => {
    const both = defineJob({ kind: 'both', schema: z.object({ thenFirst: z.boolean() }) });
    const mixed = createTestQueue({
      jobs: [
        defineHandler(both, async ({ thenFirst }, ctx) => {
          if (thenFirst) ctx.then(chunk, { n: 9 });
          await ctx.spawn(chunk, [{ n: 1 }]);
          if (!thenFirst) ctx.then(chunk, { n: 9 });
          return {};
        }),
        chunk,
      ],
    });
    for (const thenFirst of [true, false]) {
      const job = await mixed.client.enqueue(both, { thenFirst });
      const { record } = await mixed.deliver(job.id);
      expect(record).toMatchObject({ status: 'failed', lastError: { permanent: true, message: expect.stringContaining('cannot both spawn children and call ctx.then') } });
    }
    // No follow-up was written or sent; the child spawned before the refused ctx.then was.
    expect(mixed.enqueued(chunk).map((m) => (m.payload as { n: number }).n)).toEqual([1]);
  });

  it('never spawns a second set when the parent is retried after spawning', async () => {
    const id = await startParent({ chunks: 2 });
    expect(await store.insertChildren([{ id: childJobId(id, 0, 4), kind: 'chunk', lane: 'default', status: 'queued', maxAttempts: 2, payloadBytes: 1, createdAt: new Date(), parentId: id }])).toBeUndefined();
    expect([...store.records.values()].filter((r) => r.parentId === id)).toHaveLength(2);
  });
});
