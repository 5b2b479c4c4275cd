import type { JobRecord } from '../job-record.js';

/**
 * How long the oldest queued job of `lane` among `records` has waited past its due time
 * (its `runAt`, or its creation), in whole seconds; undefined when none is waiting.
 */
export function oldestWaitingSeconds(records: readonly JobRecord[], lane: string, now: Date): number | undefined {
  let oldest: number | undefined;
  for (const record of records) {
    if (record.lane !== lane || record.status !== 'queued') continue;
    const due = Math.max(Date.parse(record.createdAt), record.runAt ? Date.parse(record.runAt) : 0);
    const waited = Math.floor((now.getTime() - due) / 1000);
    if (waited >= 0 && (oldest === undefined || waited > oldest)) oldest = waited;
  }
  return oldest;
}

/** The larger of two ages, either of which may be unknown. */
export function olderOf(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}
