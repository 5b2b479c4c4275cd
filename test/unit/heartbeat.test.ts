import { describe, expect, it } from 'vitest';
import { LeaseLostError } from '../../lib/errors.js';
import { MemoryJobStore } from '../../lib/testing/memory-job-store.js';
import { MemoryTransport } from '../../lib/testing/memory-transport.js';
import { Heartbeat } from '../../lib/worker/heartbeat.js';
import { attemptOf } from '../../lib/store/attempt-outcome.js';

async function running(store: MemoryJobStore, now: Date): Promise<string> {
  const id = '01M80VT4N002GN3JWN515DN8JQ';
  await store.insert([{ id, kind: 'k', lane: 'default', status: 'queued', maxAttempts: 3, payloadBytes: 1, createdAt: now }]);
  await store.claim({ id, kind: 'k', lane: 'default', maxAttempts: 3, payloadBytes: 1, now, leaseUntil: new Date(now.getTime() + 3000) });
  return id;
}

/** The fence of the attempt now running `id`. */
async function claimOf(store: MemoryJobStore, id: string) {
  return attemptOf((await store.get(id))!);
}

describe('Heartbeat', () => {
  it('renews the record lease and the message visibility, at most once per third of the lease', async () => {
    const store = new MemoryJobStore();
    const transport = new MemoryTransport();
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const id = await running(store, new Date(clock));
    const beat = new Heartbeat({ ...(await claimOf(store, id)), lane: 'default', receiptHandle: 'r', leaseSeconds: 3 }, store, transport, new AbortController(), () => new Date(clock));

    await beat.beat({ done: 1 });
    await beat.beat({ done: 2 }); // same instant: skipped
    clock += 1000;
    await beat.beat({ done: 3 });

    expect(store.writes.filter((w) => w.startsWith('heartbeat'))).toHaveLength(2);
    expect(await store.get(id)).toMatchObject({ progress: { done: 3 }, leaseUntil: new Date(clock + 3000).toISOString() });
    expect(transport.visibilityChanges.map((c) => c.seconds)).toEqual([3, 3]);
  });

  it('aborts the attempt when another delivery has taken the job over', async () => {
    const store = new MemoryJobStore();
    const now = new Date();
    const id = await running(store, now);
    const controller = new AbortController();
    const beat = new Heartbeat({ id, attempt: 1, token: 'a-replaced-claim', lane: 'default', receiptHandle: 'r' }, store, new MemoryTransport(), controller, () => now);
    await expect(beat.beat()).rejects.toBeInstanceOf(LeaseLostError);
    expect(controller.signal.aborted).toBe(true);
  });
});
