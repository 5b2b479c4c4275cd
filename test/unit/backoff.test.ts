import { describe, expect, it } from 'vitest';
import { backoffSeconds } from '../../lib/retry/backoff.js';

const policy = { maxAttempts: 10, backoffBaseSeconds: 10, backoffCapSeconds: 100, jitter: 0.5 };

describe('backoffSeconds', () => {
  it('doubles per attempt up to the cap when jitter draws nothing', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => backoffSeconds(policy, attempt, () => 0))).toEqual([10, 20, 40, 80, 100]);
  });

  it('lowers a delay by at most the jitter share', () => {
    expect(backoffSeconds(policy, 2, () => 0.999999)).toBe(10);
    expect(backoffSeconds(policy, 5, () => 0.5)).toBe(75);
  });

  it('never returns less than one second, nor overflows on huge attempts', () => {
    expect(backoffSeconds({ ...policy, backoffBaseSeconds: 1, jitter: 1 }, 1, () => 0.999)).toBe(1);
    expect(backoffSeconds(policy, 5000, () => 0)).toBe(100);
  });
});
