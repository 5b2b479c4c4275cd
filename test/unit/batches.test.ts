import { describe, expect, it } from 'vitest';
import { batchesOf } from '../../lib/transport/batches.js';

describe('batchesOf', () => {
  it('cuts at ten entries', () => {
    expect(batchesOf(Array.from({ length: 23 }, (_, i) => i), () => 1).map((b) => b.length)).toEqual([10, 10, 3]);
  });

  it('cuts before the byte limit and keeps order', () => {
    const sizes = [100_000, 100_000, 100_000, 10, 262_144];
    expect(batchesOf(sizes, (s) => s)).toEqual([[100_000, 100_000], [100_000, 10], [262_144]]);
  });
});
