import type { RetryPolicy } from '../job-definition.js';

/**
 * Seconds to wait before the attempt after `attempt` (1-based): base × 2^(attempt−1),
 * capped, then lowered by up to `jitter` of itself so that jobs failing together do not
 * retry together. Always a whole number of seconds, at least 1 (SQS visibility is in
 * whole seconds).
 *
 * @param random a number in [0, 1); injectable for tests.
 */
export function backoffSeconds(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  const step = Math.min(policy.backoffCapSeconds, policy.backoffBaseSeconds * 2 ** Math.min(exponent, 30));
  const jittered = step * (1 - policy.jitter * random());
  return Math.max(1, Math.round(jittered));
}
