import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../lib/job-record.js';
import { olderOf, oldestWaitingSeconds } from '../../lib/inspector/oldest-job.js';

const now = new Date('2026-11-22T12:00:00Z');
const job = (fields: Partial<JobRecord>): JobRecord => ({
  id: 'x', kind: 'k', lane: 'default', status: 'queued', attempt: 0, maxAttempts: 1, payloadBytes: 2,
  createdAt: '2026-11-22T11:59:00Z', updatedAt: '2026-11-22T11:59:00Z', ...fields,
});

describe('oldestWaitingSeconds', () => {
  it("takes the lane's longest-waiting queued job, counting from its due time", () => {
    const records = [
      job({ createdAt: '2026-11-22T11:50:00Z' }),
      job({ createdAt: '2026-11-22T11:40:00Z', status: 'running' }),
      job({ createdAt: '2026-11-22T11:30:00Z', lane: 'bulk' }),
      job({ createdAt: '2026-11-22T11:20:00Z', runAt: '2026-11-22T11:58:00Z' }),
    ];
    expect(oldestWaitingSeconds(records, 'default', now)).toBe(600);
    expect(oldestWaitingSeconds(records, 'bulk', now)).toBe(1800);
  });

  it('is undefined when no job waits (or one is not due yet)', () => {
    expect(oldestWaitingSeconds([], 'default', now)).toBeUndefined();
    expect(oldestWaitingSeconds([job({ runAt: '2026-11-22T12:05:00Z' })], 'default', now)).toBeUndefined();
  });
});

describe('olderOf', () => {
  it('takes the larger known age', () => {
    expect(olderOf(undefined, undefined)).toBeUndefined();
    expect(olderOf(5, undefined)).toBe(5);
    expect(olderOf(undefined, 7)).toBe(7);
    expect(olderOf(9, 7)).toBe(9);
  });
});
