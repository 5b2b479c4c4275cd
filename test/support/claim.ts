import type { ClaimResult } from '../../lib/store/job-store.js';

/** A claim's result that has a record: every claim but one that asked `recordedAtEnqueue` and found none. */
export function found(result: ClaimResult): Exclude<ClaimResult, { outcome: 'missing' }> {
  if (result.outcome === 'missing') throw new Error('the claim found no record');
  return result;
}
