import { describe, expect, it } from 'vitest';
import { deterministicJobId, isJobId, newJobId, shardOf, timeOf } from '../../lib/job-id.js';
import { childJobId } from '../../lib/continuations/children.js';

describe('job ids', () => {
  it('carry their shard and creation time', () => {
    const id = newJobId(64, Date.parse('2026-03-01T12:00:00Z'), () => 0.5);
    expect(isJobId(id)).toBe(true);
    expect(shardOf(id)).toBe(32);
    expect(timeOf(id)).toBe(Date.parse('2026-03-01T12:00:00Z'));
  });

  it('spread over every shard and sort by time', () => {
    const shards = new Set(Array.from({ length: 2000 }, () => shardOf(newJobId(16))));
    expect([...shards].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(newJobId(16, 1000) < newJobId(16, 2000)).toBe(true);
  });

  it('are derived the same way from the same seed', () => {
    expect(deterministicJobId(1_700_000_000_000, 'daily-report', 8)).toBe(deterministicJobId(1_700_000_000_000, 'daily-report', 8));
    expect(deterministicJobId(1_700_000_000_000, 'daily-report', 8)).not.toBe(deterministicJobId(1_700_000_060_000, 'daily-report', 8));
  });

  it('derived from many related seeds never collide (a parent\'s children)', () => {
    const parent = newJobId(64);
    const ids = new Set(Array.from({ length: 20_000 }, (_, i) => childJobId(parent, i, 64)));
    expect(ids.size).toBe(20_000);
    const shards = new Set([...ids].map(shardOf));
    expect(shards.size).toBe(64);
  });

  it('have random parts that never repeat and use every character alike, across many refills of the random pool', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    // 50,000 ids of one millisecond: 800,000 random characters, some 200 refills of the pool.
    const ids = Array.from({ length: 50_000 }, () => newJobId(64, now));
    expect(new Set(ids).size).toBe(ids.length);
    const counts = new Map<string, number>();
    for (const id of ids) for (const c of id.slice(12)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(32);
    // 14 random characters × 50,000 / 32 = 21,875 each; a fair source stays well within 3 %.
    for (const n of counts.values()) expect(Math.abs(n - 21_875) / 21_875).toBeLessThan(0.03);
    expect(ids.every((id) => timeOf(id) === now)).toBe(true);
  });

  it('reject shard counts outside 1–1024', () => {
    expect(() => newJobId(0)).toThrow(/shardCount must be an integer from 1 to 1024/);
    expect(() => shardOf('not-an-id')).toThrow(/is not a job id/);
  });
});
