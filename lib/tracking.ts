import type { JobStatus } from './job-status.js';

/**
 * What operators' tools cannot show for a kind that is not tracked in full (its `tracking`),
 * in words: the note the inspector, the CLI and the dashboard give beside a listing it affects.
 */
export function trackingNote(kind: string, level: string): string {
  return level === 'from-claim'
    ? `${kind} is tracked from its claim: its queued and scheduled jobs have no record yet (they show only in the lanes' depths) and cannot be cancelled by id`
    : `${kind} is tracked "${level}"`;
}

/** Statuses a listing shows that kinds tracked `from-claim` leave out (their jobs are in them, unrecorded). */
export const UNRECORDED_STATUSES: readonly JobStatus[] = ['queued', 'scheduled'];

/**
 * The notes a listing of `status` (of `kind`, or of every kind) needs, given the kinds that are
 * not tracked in full (`tracking`, from the config).
 */
export function listingNotes(tracking: Readonly<Record<string, string>> | undefined, status: JobStatus | undefined, kind: string | undefined): string[] {
  if (!tracking || (status && !UNRECORDED_STATUSES.includes(status))) return [];
  return Object.entries(tracking).filter(([k]) => !kind || k === kind).map(([k, level]) => trackingNote(k, level));
}
