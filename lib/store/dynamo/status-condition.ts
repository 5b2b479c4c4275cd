import type { JobStatus } from '../../job-status.js';

/** A DynamoDB condition on a job's `status`, with the values it names. */
export interface StatusCondition {
  readonly expression: string;
  readonly values: Readonly<Record<string, string>>;
}

/**
 * `#status IN (…)` for a set of statuses from `job-status.ts` (CLAIMABLE_STATUSES,
 * CANCELLABLE_STATUSES, …), so that every condition the store writes comes from the
 * transition table. The caller maps `#status` to `status`.
 *
 * @example statusIn(CANCELLABLE_STATUSES) // { expression: '#status IN (:st_scheduled, :st_queued, :st_retrying)', values: {...} }
 */
export function statusIn(statuses: readonly JobStatus[]): StatusCondition {
  if (statuses.length === 0) throw new RangeError('a status condition needs at least one status');
  const values = Object.fromEntries(statuses.map((status) => [`:st_${status}`, status]));
  const expression = statuses.length === 1 ? `#status = ${Object.keys(values)[0]}` : `#status IN (${Object.keys(values).join(', ')})`;
  return { expression, values };
}
