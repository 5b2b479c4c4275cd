import type { JobStatus } from './job-status.js';

/** The statuses whose jobs have no record at each tracking level below `full`. */
const UNRECORDED: Readonly<Record<string, readonly JobStatus[]>> = {
  'from-claim': ['queued', 'scheduled'],
  outcome: ['queued', 'scheduled', 'running', 'retrying'],
};

/**
 * What operators' tools cannot show for a kind that is not tracked in full (its `tracking`),
 * in words: the note the inspector, the CLI and the dashboard give beside a listing it affects.
 */
export function trackingNote(kind: string, level: string): string {
  if (level === 'from-claim') return `${kind} is tracked from its claim: its queued and scheduled jobs have no record yet (they show only in the lanes' depths) and cannot be cancelled by id`;
  if (level === 'outcome') return `${kind} is tracked by its outcome only: its jobs have a record once they succeed or fail — queued, scheduled, running and retrying ones show only in the lanes' depths and cannot be cancelled by id`;
  return `${kind} is tracked "${level}"`;
}

/**
 * The notes a listing of `status` (of `kind`, or of every kind) needs, given the kinds that are
 * not tracked in full (`tracking`, from the config).
 */
export function listingNotes(tracking: Readonly<Record<string, string>> | undefined, status: JobStatus | undefined, kind: string | undefined): string[] {
  return Object.entries(tracking ?? {})
    .filter(([k, level]) => (!kind || k === kind) && (!status || (UNRECORDED[level] ?? []).includes(status)))
    .map(([k, level]) => trackingNote(k, level));
}
