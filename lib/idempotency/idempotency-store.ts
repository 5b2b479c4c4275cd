/** A marker of `ctx.once` work, or a unique-key claim, as stored. */
export interface IdempotencyRecord {
  readonly key: string;
  readonly status: 'in_progress' | 'done';
  /** While `in_progress`: until when the attempt that started the work holds it (ISO-8601). */
  readonly leaseUntil?: string | undefined;
  /** While `done`: the work's result as JSON. */
  readonly resultJson?: string | undefined;
  /** The job that did (or holds) the work, or that owns a unique key. */
  readonly jobId: string;
}

/** What trying to start a piece of work found. */
export type StartResult =
  | { readonly started: true }
  | { readonly started: false; readonly existing: IdempotencyRecord };

/**
 * Storage for idempotency markers: conditional writes only, so two attempts never both
 * start the same work.
 */
export interface IdempotencyStore {
  /** Starts `key` unless it is done or in progress under a live lease. */
  start(key: string, jobId: string, now: Date, leaseUntil: Date, expiresAt: Date): Promise<StartResult>;
  /** Marks `key` done with its result (fenced to the job that started it). */
  complete(key: string, jobId: string, resultJson: string, expiresAt: Date): Promise<void>;
  /** Forgets an in-progress `key` whose work failed, so a retry may start it again. */
  release(key: string, jobId: string): Promise<void>;
}
