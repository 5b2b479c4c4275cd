import { memoryBackends } from '../../lib/testing/memory-backends.js';
import { describe, expect, it } from 'vitest';
import { JobInspector } from '../../lib/inspector/job-inspector.js';
import { childJobId } from '../../lib/continuations/children.js';
import { newJobId } from '../../lib/job-id.js';
import { MemoryJobStore } from '../../lib/testing/memory-job-store.js';
import { testConfig } from '../../lib/testing/test-config.js';

const now = new Date('2026-11-22T12:00:00Z');

describe('JobInspector.counts', () => {
  it('counts each lane\'s jobs per indexed state within the window, with every state and lane present', async () => {
    const store = new MemoryJobStore();
    const job = (lane: string, hoursAgo: number) => {
      const createdAt = new Date(now.getTime() - hoursAgo * 3_600_000);
      return { id: newJobId(4, createdAt.getTime()), kind: 'k', lane, status: 'queued' as const, maxAttempts: 1, payloadBytes: 2, createdAt };
    };
    const jobs = [job('default', 1), job('default', 2), job('bulk', 3), job('default', 30)];
    await store.insert(jobs);
    for (const j of jobs.slice(0, 3)) await store.cancel(j.id, { now, reason: 'test', expiresAt: now });
    await store.cancel(jobs[3]!.id, { now, reason: 'too old to count', expiresAt: now });
    const inspector = new JobInspector({ config: testConfig(['default', 'bulk', 'idle']), backends: { ...memoryBackends(), store }, now: () => now });

    const counts = await inspector.counts();
    expect(counts).toEqual({
      since: '2026-11-21T12:00:00.000Z',
      complete: true,
      lanes: {
        default: { scheduled: 0, retrying: 0, waiting: 0, failed: 0, cancelled: 2 },
        bulk: { scheduled: 0, retrying: 0, waiting: 0, failed: 0, cancelled: 1 },
        idle: { scheduled: 0, retrying: 0, waiting: 0, failed: 0, cancelled: 0 },
      },
    });
    expect((await inspector.counts({ since: new Date(now.getTime() - 48 * 3_600_000) })).lanes.default!.cancelled).toBe(3);
  });
});

describe('JobInspector.list: bounded reads per request, a cursor that goes on', () => {
  const setup = () => {
    const store = new MemoryJobStore();
    const calls = { list: 0, get: 0, getMany: 0 };
    const counted = new Proxy(store, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (name in calls) calls[name as keyof typeof calls]++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const inspector = new JobInspector({ config: testConfig(), backends: { ...memoryBackends(), store: counted } });
    return { store, inspector, calls };
  };
  const job = (kind: string, msAgo: number, extra: object = {}) => {
    const createdAt = new Date(Date.now() - msAgo);
    return { id: newJobId(4, createdAt.getTime()), kind, lane: 'default', status: 'queued' as const, maxAttempts: 1, payloadBytes: 2, createdAt, ...extra };
  };

  it('reads at most 3 store pages for a kind that matches nothing nearby, and hands back where it stopped', async () => {
    const { store, inspector, calls } = setup();
    const rare = job('rare', 3_600_000);
    await store.insert([rare, ...Array.from({ length: 100 }, (_, i) => job('common', i * 1000))]);
    const first = await inspector.list({ kind: 'rare', limit: 10 });
    expect(calls.list).toBe(3);
    expect(first.jobs).toEqual([]);
    expect(first.next).toBeDefined();
    // Following the cursor finds it, and then the listing ends.
    const pages = [first];
    while (pages.at(-1)!.next && pages.length < 20) pages.push(await inspector.list({ kind: 'rare', limit: 10, before: pages.at(-1)!.next }));
    expect(pages.flatMap((p) => p.jobs.map((j) => j.id))).toEqual([rare.id]);
    expect(pages.at(-1)!.next).toBeUndefined();
  });

  it('reads a parent\'s children in batches, not one read each, and pages through them', async () => {
    const { store, inspector, calls } = setup();
    const parent = job('parent', 10_000);
    await store.insert([parent]);
    const children = Array.from({ length: 120 }, (_, i) => ({ ...job('child', 5_000), id: childJobId(parent.id, i, 4), parentId: parent.id }));
    await store.insert(children);
    store.records.set(parent.id, { ...store.records.get(parent.id)!, childrenTotal: 120 } as never);
    const first = await inspector.list({ parentId: parent.id, limit: 50 });
    expect(first.jobs.map((j) => j.id)).toEqual(children.slice(0, 50).map((c) => c.id));
    expect(calls.get).toBe(1);
    expect(calls.getMany).toBe(1);
    const second = await inspector.list({ parentId: parent.id, limit: 50, before: first.next });
    const third = await inspector.list({ parentId: parent.id, limit: 50, before: second.next });
    expect([...first.jobs, ...second.jobs, ...third.jobs].map((j) => j.id)).toEqual(children.map((c) => c.id));
    expect(third.next).toBeUndefined();
  });
});
