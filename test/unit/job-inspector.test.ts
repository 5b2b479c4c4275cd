import { describe, expect, it } from 'vitest';
import { JobInspector } from '../../lib/inspector/job-inspector.js';
import { newJobId } from '../../lib/job-id.js';
import { MemoryJobStore } from '../../lib/testing/memory-job-store.js';
import { MemoryScheduler } from '../../lib/testing/memory-scheduler.js';
import { MemoryTransport } from '../../lib/testing/memory-transport.js';
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
    const inspector = new JobInspector({ config: testConfig(['default', 'bulk', 'idle']), store, transport: new MemoryTransport(), scheduler: new MemoryScheduler(), now: () => now });

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
