import type { AttemptOutcome, AttemptRef, FailedOutcome, SucceededOutcome, UntrackedRun } from './attempt-outcome.js';
import type { CancellationReason, TransactItem } from './transaction.js';
import type { NewJob } from './new-job.js';
import type { JobError, JobRecord, JobWait } from '../job-record.js';
import type { JobStatus } from '../job-status.js';

/** How far back a listing looks when its query gives no `since`: 24 hours, in ms. */
export const DEFAULT_LIST_WINDOW_MS = 86_400_000;

export { CANCELLED_IN_FLIGHT, type CancelUpdate } from './operator-rules.js';
import type { CancelUpdate } from './operator-rules.js';
import type { ChildCounts } from './dynamo/child-counts.js';

export type { NewJob } from './new-job.js';

/** What writing a unique job found: it was written, or another job holds the key. */
export type { UntrackedRun } from './attempt-outcome.js';

export type UniqueInsertResult = { readonly inserted: true } | { readonly inserted: false; readonly existingJobId: string };

export type { ClaimRequest } from './claim-request.js';
import type { ClaimRequest } from './claim-request.js';

/**
 * What a claim found:
 * - `claimed`: the job is ours for this attempt (`record` is after the claim);
 * - `busy`: another delivery holds it under a live lease;
 * - `exhausted`: its lease expired and no attempts are left;
 * - `skip`: it is over (`succeeded`, `failed`, `cancelled`) or not claimable (`waiting`);
 * - `early`: it is retrying, and its backoff (`nextRunAt`) is not over: a duplicate delivery waits for it;
 * - `missing`: the request said the job was recorded at enqueue, and it has no record (it was discarded, or expired).
 */
export type ClaimResult =
  | { readonly outcome: 'claimed'; readonly record: JobRecord }
  | { readonly outcome: 'busy'; readonly record: JobRecord }
  | { readonly outcome: 'exhausted'; readonly record: JobRecord }
  | { readonly outcome: 'skip'; readonly record: JobRecord }
  | { readonly outcome: 'early'; readonly record: JobRecord }
  | { readonly outcome: 'missing' };

export type { AttemptRef } from './attempt-outcome.js';

/**
 * Storage of job records. Every finishing write is fenced: it applies only while the job
 * is still `running` the same attempt, and returns false when a newer claim took over.
 */
export interface JobStore {
  /** Writes new records (bulk writes where there are many). */
  insert(jobs: readonly NewJob[]): Promise<void>;
  /**
   * Writes a job of a unique kind together with its key's claim, in one transaction: if a
   * job of the kind holds the key within its window, nothing is written and that job's id
   * is returned.
   */
  insertUnique(job: NewJob, claim: { key: string; expiresAt: Date; now: Date }): Promise<UniqueInsertResult>;
  /** Keeps the payload on a queued record whose message could not be sent, for the sweeper. */
  keepUndispatched(id: string, payloadJson: string, now: Date): Promise<void>;
  /** Takes a job for one attempt: a conditional write, so a duplicate delivery never runs it twice. */
  claim(request: ClaimRequest): Promise<ClaimResult>;
  /**
   * Records what an attempt came to (built by the constructors of `attempt-outcome.ts`),
   * fenced to the attempt: `running` → `succeeded` | `retrying` | `failed` | `waiting`. A
   * success writes its follow-ups in the same transaction (queued, payload kept, waiting for
   * dispatch: a follow-up exists if and only if its predecessor succeeded); a child's success
   * or failure is counted on its parent in the same transaction. False when a newer claim took over.
   */
  recordOutcome(ref: AttemptRef, outcome: AttemptOutcome): Promise<boolean>;
  /**
   * Writes the one record of a job tracked by its outcome only (tracking `outcome`): its final
   * state, succeeded or failed, if the job has no record yet. False when it has one (a
   * duplicate delivery that ran beside this one wrote first).
   */
  recordUntracked(run: UntrackedRun, outcome: SucceededOutcome | FailedOutcome): Promise<boolean>;
  /** Sets up a running job to parent `total` children: counters at 0 (children may finish before it waits). */
  prepareChildren(ref: AttemptRef, update: { total: number; failFast: boolean }): Promise<boolean>;
  /** Writes children records (each only if absent: a retried parent never duplicates them). */
  insertChildren(children: readonly NewJob[]): Promise<void>;
  /**
   * Takes the settling of a waiting parent whose children have all finished, so that one of the
   * children finishing together reads its siblings' results, not each of them: true for the
   * first caller, and again once `staleAfterMs` has passed (the one that took it died).
   */
  claimSettlement(id: string, now: Date, staleAfterMs: number): Promise<boolean>;
  /**
   * Finishes a parent by its children (`running` | `waiting` → `succeeded` / `failed`), marking
   * it `settledAt` (a retry of a failed child reopens it). Applies only while what the finish was
   * decided on holds — every child final with `counts`, or (fail-fast) a child's failure still
   * counted — so a child retried in between keeps the parent open. False when it did not apply.
   */
  finishParent(id: string, update: ParentFinish): Promise<boolean>;
  /**
   * A job's message is on its way: it leaves the undispatched index and drops its payload copy
   * (a `scheduled` job — pass its status — stays listed as scheduled). No-op once claimed.
   */
  markDispatched(id: string, status?: JobStatus): Promise<void>;
  /**
   * Cancels a job that has not started: `scheduled`, `queued` or `retrying` → `cancelled`; a
   * child counts on its parent as cancelled in the same transaction. Returns the record after;
   * throws `JobNotCancellableError` for any other status.
   */
  cancel(id: string, update: CancelUpdate): Promise<JobRecord>;
  /** Renews a running attempt's lease and/or stores its progress; false when another attempt took over. */
  heartbeat(ref: AttemptRef, update: { now: Date; leaseUntil?: Date | undefined; progress?: unknown }): Promise<boolean>;
  /**
   * An operator's retry: a `failed` or `cancelled` job goes back to `queued` with a fresh set
   * of attempts. When its payload was kept on the record, the job is marked undispatched and
   * the record returned carries the payload: the caller sends its message. A cancelled job
   * whose message no worker has seen yet (no payload kept) is only revived: that message,
   * still on its way, runs it. A child leaves its parent's counts in the same transaction, and
   * a parent its children had failed reopens (`waiting`). Throws JobNotRetryableError for any
   * other status, and as `operator-rules.ts` says (a superseded job, a parent failed by its children).
   */
  requeue(id: string, now: Date): Promise<JobRecord>;
  /**
   * Keeps a cancelled job's payload on its record (from its message, or its deleted schedule)
   * so an operator can retry it. False when the job is no longer cancelled (it was retried).
   */
  keepCancelledPayload(id: string, payloadJson: string, now: Date): Promise<boolean>;
  /**
   * Notes on a job that has not started what flow control holds it back for (the claim clears
   * it). False when the job is no longer waiting to start.
   */
  noteWaiting(id: string, wait: JobWait, now: Date): Promise<boolean>;
  /**
   * Deletes a `failed` job's record, or a `cancelled` one's once its payload is kept (no
   * message of it is left to arrive) — not a parent whose children have not all finished;
   * throws JobNotRetryableError otherwise.
   */
  discard(id: string): Promise<void>;
  /** Records that a retry waits in a one-time schedule (long backoffs). */
  markRetryScheduled(ref: AttemptRef, scheduleName: string): Promise<boolean>;
  /** The record of `id` (strongly consistent), or undefined. */
  get(id: string): Promise<JobRecord | undefined>;
  /** The records of `ids` that exist (strongly consistent), in the order of `ids`: one read per 100 ids. */
  getMany(ids: readonly string[]): Promise<JobRecord[]>;
  /** Jobs in a status, newest first. */
  list(query: ListQuery): Promise<ListPage>;
  /**
   * The jobs tagged `tag`, newest first: a page of up to `limit` tag items older than `before`,
   * and their records (a record that is gone — expired, discarded — is left out, so a page can be short).
   */
  listByTag(tag: string, page: { limit: number; before?: string | undefined }): Promise<ListPage>;
  /** How many jobs carry `tag` (a job whose record is gone counts until its tag item expires); `complete` false: a lower bound. */
  countByTag(tag: string): Promise<{ count: number; complete: boolean }>;
  /** The job that took a unique kind's key, while its claim lasts (its window, until DynamoDB's TTL removes it), if one did. */
  uniqueKeyHolder(kind: string, key: string): Promise<string | undefined>;
  /**
   * How many jobs created since `since` are in `status` (one of INDEXED_STATUSES: the sparse
   * index holds them, so the count reads only those jobs), by lane. `complete` is false when
   * the count stopped at its read limit: the numbers are then lower bounds.
   */
  countByLane(status: JobStatus, since: Date): Promise<{ byLane: Record<string, number>; complete: boolean }>;
}

/** How a parent finishes by its children, and what the finish was decided on. */
export interface ParentFinish {
  readonly now: Date;
  readonly status: 'succeeded' | 'failed';
  readonly result: unknown;
  readonly error?: JobError | undefined;
  readonly expiresAt: Date;
  /** Every child is final, with these counts (`childrenTotal` done); or a child failed and the parent fails fast (a failure is still counted). */
  readonly decidedOn: { readonly counts: ChildCounts } | 'a-child-failed';
}

/** One page of a listing, newest first, with no gap: every job of the query newer than its last record is in it. */
export interface ListPage {
  readonly records: JobRecord[];
  /**
   * Pass as `before` to go on; absent when the listing is over. A page can be short and still
   * have a `next`: a read stops at its page limit, and returns only what it saw in full.
   */
  readonly next?: string | undefined;
}

/** A listing of jobs by status. */
export interface ListQuery {
  /** Only jobs in this status. @default any status (read from the shards' time-ordered keys) */
  readonly status?: JobStatus | undefined;
  /** @default 50 */
  readonly limit?: number;
  /**
   * Only jobs created at or after this time. States outside the sparse index (`queued`,
   * `running`, `succeeded`) are read from the shards' time-ordered keys, so the window bounds
   * what a listing reads. @default {@link DEFAULT_LIST_WINDOW_MS} ago (24 h)
   */
  readonly since?: Date | undefined;
  /** Only jobs older than this id: the next page of a newest-first listing. */
  readonly before?: string | undefined;
}

/**
 * A store that can write jobs inside a caller's own DynamoDB transaction (the DynamoDB store;
 * the in-memory one cannot run the caller's items).
 */
export interface TransactionalJobStore {
  /** The items that write `job` (and its unique key's claim) inside a transaction; the table's stream dispatches it. */
  transactionItems(job: NewJob, payloadJson: string, unique?: { key: string; expiresAt: Date; now: Date }): TransactItem[];
  /** Runs a transaction; the per-item reasons when DynamoDB cancelled it (then nothing was written). */
  transact(items: readonly TransactItem[]): Promise<{ ok: true } | { ok: false; reasons: CancellationReason[]; error: Error }>;
}

/** True when `store` can take part in a caller's transaction. */
export function isTransactional(store: JobStore): store is JobStore & TransactionalJobStore {
  return typeof (store as Partial<TransactionalJobStore>).transactionItems === 'function';
}
