import { describe, expect, it } from 'vitest';
import { chunks, coalesce } from '../../lib/aws/coalesce.js';

describe('coalesce: the calls of one turn of the event loop, run together', () => {
  it('runs the calls made in one turn as one batch, in chunks of at most maxBatch, each call answered with its own output', async () => {
    const runs: string[][] = [];
    const call = coalesce<string, string>({ maxBatch: 3, keyOf: (s) => s, run: async (inputs) => { runs.push([...inputs]); return inputs.map((s) => s.toUpperCase()); } });
    const answers = await Promise.all(['a', 'b', 'c', 'd'].map(call));
    expect(answers).toEqual(['A', 'B', 'C', 'D']);
    expect(runs).toEqual([['a', 'b', 'c'], ['d']]);
    // A call of a later turn is a batch of its own.
    expect(await call('e')).toBe('E');
    expect(runs).toEqual([['a', 'b', 'c'], ['d'], ['e']]);
  });

  it('never puts two calls on one key in a chunk (a request may not name an item twice)', async () => {
    const runs: string[][] = [];
    const call = coalesce<string, number>({ maxBatch: 25, keyOf: (s) => s, run: async (inputs) => { runs.push([...inputs]); return inputs.map((_, i) => i); } });
    await Promise.all(['x', 'y', 'x', 'x'].map(call));
    expect(runs).toEqual([['x', 'y'], ['x'], ['x']]);
  });

  it('rejects each call of a chunk whose run throws, and only those', async () => {
    const call = coalesce<number, number>({ maxBatch: 2, keyOf: String, run: async (inputs) => { if (inputs.includes(3)) throw new Error('refused'); return inputs; } });
    const settled = await Promise.allSettled([1, 2, 3, 4].map(call));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
  });

  it('chunks keep order and size', () => {
    expect(chunks([1, 2, 3, 4, 5], 2, String)).toEqual([[1, 2], [3, 4], [5]]);
  });
});
