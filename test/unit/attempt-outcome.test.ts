import { describe, expect, it } from 'vitest';
import type { JobError, JobRecord } from '../../lib/job-record.js';
import { failed, numericFields, retrying, succeeded, waiting } from '../../lib/store/attempt-outcome.js';

const now = new Date('2026-03-01T10:00:00Z');
const record = (overrides: Partial<JobRecord> = {}): JobRecord => ({
  id: 'job', kind: 'k', lane: 'default', status: 'running', attempt: 2, maxAttempts: 5, createdAt: now.toISOString(), updatedAt: now.toISOString(), payloadBytes: 2, ...overrides,
});
const error = (message: string, attempt: number): JobError => ({ message, class: 'Error', permanent: false, attempt, at: now.toISOString() });

describe('attempt outcomes', () => {
  it('succeeded: expires after the retention, carries follow-ups, reports its numbers to its parent', () => {
    const followUp = { record: { id: 'f', kind: 'k', lane: 'default', status: 'queued' as const, maxAttempts: 1, payloadBytes: 2, createdAt: now }, payloadJson: '{}' };
    expect(succeeded(record({ parentId: 'p' }), { now, durationMs: 12, result: { rows: 3, note: 'x', ratio: Infinity }, retentionSeconds: 60, followUps: [followUp] })).toEqual({
      status: 'succeeded', now, durationMs: 12, result: { rows: 3, note: 'x', ratio: Infinity }, expiresAt: new Date('2026-03-01T10:01:00Z'),
      followUps: [followUp], parent: { parentId: 'p', outcome: 'succeeded', totals: { rows: 3 } },
    });
    expect(succeeded(record(), { now, durationMs: 1, retentionSeconds: 1 })).toMatchObject({ followUps: [], parent: undefined });
  });

  it('retrying: due after the delay, with the error appended to a history of at most five', () => {
    const history = [1, 2, 3, 4, 5].map((n) => error(`e${n}`, n));
    const outcome = retrying(record({ errors: history }), { now, durationMs: 5, error: error('e6', 6), delaySeconds: 30 });
    expect(outcome).toMatchObject({ status: 'retrying', nextRunAt: new Date('2026-03-01T10:00:30Z'), error: { message: 'e6' } });
    expect(outcome.errors.map((e) => e.message)).toEqual(['e2', 'e3', 'e4', 'e5', 'e6']);
  });

  it('failed: keeps the payload, expires after the failed retention, and tells the parent it failed', () => {
    expect(failed(record({ parentId: 'p' }), { now, error: error('bad', 2), payloadJson: '{"a":1}', retentionSeconds: 3600 })).toEqual({
      status: 'failed', now, durationMs: undefined, error: error('bad', 2), errors: [error('bad', 2)], payloadJson: '{"a":1}',
      expiresAt: new Date('2026-03-01T11:00:00Z'), parent: { parentId: 'p', outcome: 'failed', totals: {} },
    });
  });

  it('waiting: the handler\'s result and duration, nothing else', () => {
    expect(waiting({ now, durationMs: 7, result: { spawned: 2 } })).toEqual({ status: 'waiting', now, durationMs: 7, result: { spawned: 2 } });
  });

  it('numericFields: finite numbers only, of objects only', () => {
    expect(numericFields({ a: 1, b: 'x', c: NaN, d: -2.5 })).toEqual({ a: 1, d: -2.5 });
    expect(numericFields([1, 2])).toEqual({ 0: 1, 1: 2 });
    expect(numericFields(null)).toEqual({});
    expect(numericFields(3)).toEqual({});
  });
});
