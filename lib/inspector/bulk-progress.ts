import type { JobStatus } from '../job-status.js';

/** The operator actions a bulk operation can take. */
export type BulkActionName = 'retry' | 'cancel' | 'discard';

/** Which jobs a bulk operation acts on. */
export interface BulkFilter {
  /** Jobs in this status. @default failed (retry, discard), queued (cancel) */
  readonly status?: JobStatus | undefined;
  readonly kind?: string | undefined;
  /** Jobs carrying this tag. */
  readonly tag?: string | undefined;
  /** Jobs created at or after this time. @default 24 hours before the operation started */
  readonly since?: Date | undefined;
  /** Jobs created at or before this time. @default when the operation started */
  readonly until?: Date | undefined;
}

/**
 * A bulk operation as it is kept between pages, so an interrupted one resumes where it stopped:
 * what it selects, how far it has read, and what it did.
 */
export interface BulkState {
  readonly id: string;
  readonly action: BulkActionName;
  readonly filter: { readonly status: JobStatus; readonly kind?: string | undefined; readonly tag?: string | undefined; readonly since: string; readonly until: string };
  /** When it started: a job changed since (its own retry failed again, a job that failed only later) is not in its selection. */
  readonly startedAt: string;
  /** The id it has read down to (the listing's `before`); undefined before the first page. */
  readonly cursor?: string | undefined;
  /** Jobs of the selection looked at so far. */
  readonly selected: number;
  /** Jobs it acted on. */
  readonly done: number;
  /** Jobs it left alone, by reason. */
  readonly skipped: Readonly<Record<string, number>>;
  /** Up to 20 of them: which, and why. */
  readonly skippedExamples: ReadonlyArray<{ readonly id: string; readonly reason: string }>;
  readonly complete: boolean;
  readonly updatedAt: string;
}

/** Where bulk operations keep their state: the jobs table on AWS, memory in tests. */
export interface BulkProgressStore {
  /** The state of operation `id`, or undefined when there is none (never saved, or expired). */
  load(id: string): Promise<BulkState | undefined>;
  /** Keeps an operation's state, replacing what was kept. */
  save(state: BulkState): Promise<void>;
}

/** Bulk operations' state in memory (for an inspector on in-memory backends). */
export class MemoryBulkProgress implements BulkProgressStore {
  readonly states = new Map<string, BulkState>();

  /** The state kept for `id`. */
  async load(id: string): Promise<BulkState | undefined> {
    return this.states.get(id);
  }

  /** Keeps `state` under its id. */
  async save(state: BulkState): Promise<void> {
    this.states.set(state.id, state);
  }
}
