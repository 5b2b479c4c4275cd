import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigurationError, defineJob, InvalidEnqueueOptionsError } from 'jobline';
import { createTestQueue, MemorySlotStore } from 'jobline/testing';
import { defineHandler } from 'jobline/worker';

const limited = defineJob({ kind: 'tenant.work', schema: z.object({ tenant: z.string(), n: z.number() }), concurrency: { limit: 1, key: (p) => p.tenant } });

describe('concurrency limits', () => {
  it('makes a job wait without using an attempt while its key\'s slots are held, then runs it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const started: number[] = [];
    const queue = createTestQueue({ jobs: [defineHandler(limited, async ({ n }) => { started.push(n); if (n === 1) await gate; return { n }; })] });
    const first = await queue.client.enqueue(limited, { tenant: 'acme', n: 1 });
    const second = await queue.client.enqueue(limited, { tenant: 'acme', n: 2 });
    const other = await queue.client.enqueue(limited, { tenant: 'globex', n: 3 });

    const running = queue.deliver(first.id);
    await new Promise((resolve) => setImmediate(resolve));
    // acme's one slot is held: the second waits, as a fresh copy a few seconds later, unclaimed.
    expect(await queue.deliver(second.id)).toMatchObject({ disposition: 'ack', record: { status: 'queued', attempt: 0 } });
    const copies = queue.enqueued().filter((m) => m.id === second.id);
    expect(copies).toHaveLength(2);
    expect(copies[1]!.delaySeconds).toBeGreaterThanOrEqual(2);
    // Another key is not held up.
    expect((await queue.deliver(other.id)).record).toMatchObject({ status: 'succeeded', attempt: 1 });

    release();
    expect((await running).record).toMatchObject({ status: 'succeeded' });
    expect((await queue.deliver(second.id)).record).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(started).toEqual([1, 3, 2]);
    expect(queue.slots.slots.size).toBe(0);
  });

  it('frees a slot whose holder never released it once its lease has ended', async () => {
    const slots = new MemorySlotStore();
    const now = new Date();
    expect(await slots.acquire({ kind: 'k', key: 'a', limit: 1, holder: 'crashed', now, leaseUntil: new Date(now.getTime() + 1000) })).toBeDefined();
    expect(await slots.acquire({ kind: 'k', key: 'a', limit: 1, holder: 'next', now, leaseUntil: new Date(now.getTime() + 1000) })).toBeUndefined();
    expect(await slots.acquire({ kind: 'k', key: 'a', limit: 1, holder: 'next', now: new Date(now.getTime() + 2000), leaseUntil: new Date(now.getTime() + 5000) })).toMatchObject({ holder: 'next' });
  });

  it('refuses a bad limit when the kind is defined, and a key function that throws at enqueue', async () => {
    expect(() => defineJob({ kind: 'bad.limit', schema: z.object({}), concurrency: { limit: 0 } })).toThrow(ConfigurationError);
    expect(() => defineJob({ kind: 'bad.limit', schema: z.object({}), concurrency: { limit: 1.5 } })).toThrow('concurrency.limit must be an integer from 1 to 100');
    const throwing = defineJob({ kind: 'throwing.key', schema: z.object({}), concurrency: { limit: 2, key: () => { throw new Error('no tenant'); } } });
    const queue = createTestQueue({ jobs: [throwing] });
    await expect(queue.client.enqueue(throwing, {})).rejects.toThrow(InvalidEnqueueOptionsError);
    await expect(queue.client.enqueue(throwing, {})).rejects.toThrow('the concurrency key of "throwing.key" threw: no tenant');
    expect(queue.store.records.size).toBe(0);
  });
});
