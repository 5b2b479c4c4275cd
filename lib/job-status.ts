import { IllegalTransitionError } from './errors.js';

/**
 * The states a job moves through, and every move the code makes. The stores apply each write
 * only from the statuses this table allows (their DynamoDB conditions are built from the sets
 * below; the in-memory store checks every write against the table and throws on any other).
 *
 * - `scheduled`: accepted, runs at `runAt` (an SQS delay or a Scheduler schedule holds its message) → `running` (its message arrived), `cancelled`
 * - `queued`: its message is on the lane's queue → `running`, `cancelled`
 * - `running`: a worker holds it under a lease (`leaseUntil`) → `succeeded`, `retrying`, `failed`, `waiting` (it spawned children),
 *   `running` (its lease expired and another delivery took it over)
 * - `retrying`: the last attempt failed transiently; it runs again at `nextRunAt` → `running`, `cancelled`
 * - `waiting`: a parent waiting for its children → `succeeded`, `failed`
 * - `succeeded`: done; kept until its retention ends → (none)
 * - `failed`: a permanent error, or attempts exhausted; its message is in the lane's DLQ → `queued` (an operator's retry);
 *   a parent its children failed → `waiting` (an operator retried one of those children: it reopens)
 * - `cancelled`: stopped before it ran → `queued` (an operator's retry)
 *
 * A job also begins `running` when a message arrives for a job with no record (a schedule's
 * firing), and an operator may delete (discard) a `failed` or `cancelled` one. A child counts
 * on its parent once it is final (`succeeded`, `failed`, `cancelled`) and leaves the count when
 * retried. What each operator action does in each state: docs/operator-actions.md.
 */
export type JobStatus =
  | 'scheduled'
  | 'queued'
  | 'running'
  | 'retrying'
  | 'waiting'
  | 'succeeded'
  | 'failed'
  | 'cancelled';

/** Every status, in lifecycle order. */
export const JOB_STATUSES: readonly JobStatus[] = [
  'scheduled',
  'queued',
  'running',
  'retrying',
  'waiting',
  'succeeded',
  'failed',
  'cancelled',
];

/** Allowed transitions: `JOB_TRANSITIONS[from]` lists every status `from` may move to. */
export const JOB_TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  scheduled: ['running', 'cancelled'],
  queued: ['running', 'cancelled'],
  running: ['running', 'succeeded', 'retrying', 'failed', 'waiting'],
  retrying: ['running', 'cancelled'],
  waiting: ['succeeded', 'failed'],
  succeeded: [],
  failed: ['queued', 'waiting'],
  cancelled: ['queued'],
};

/** True when `from` → `to` is an allowed transition. */
export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return JOB_TRANSITIONS[from].includes(to);
}

/** The statuses a job may move to `to` from (other than `to` itself). */
function statusesInto(to: JobStatus): readonly JobStatus[] {
  return JOB_STATUSES.filter((from) => from !== to && canTransition(from, to));
}

/** Statuses a worker claims a job from (besides `running` with an expired lease): `scheduled`, `queued`, `retrying`. */
export const CLAIMABLE_STATUSES: readonly JobStatus[] = statusesInto('running');

/** Statuses a job can be cancelled from — it has not started: `scheduled`, `queued`, `retrying`. */
export const CANCELLABLE_STATUSES: readonly JobStatus[] = statusesInto('cancelled');

/** Statuses an operator can retry a job from (back to `queued`, fresh attempts): `failed`, `cancelled`. */
export const RETRYABLE_STATUSES: readonly JobStatus[] = statusesInto('queued');

/** Statuses an operator can discard (delete) a job in: the same as {@link RETRYABLE_STATUSES}. */
export const DISCARDABLE_STATUSES: readonly JobStatus[] = RETRYABLE_STATUSES;

/** Statuses a parent finishes from once its children are done (or one failed fast): `running`, `waiting`. */
export const PARENT_FINISHABLE_STATUSES: readonly JobStatus[] = statusesInto('succeeded');

/** The statuses each operator action applies to, by action (the transition table's sets above). */
export const OPERATOR_ACTION_STATUSES: Readonly<Record<'retry' | 'cancel' | 'discard', readonly JobStatus[]>> = { retry: RETRYABLE_STATUSES, cancel: CANCELLABLE_STATUSES, discard: DISCARDABLE_STATUSES };

/** Statuses the sweeper watches a job in once it passes the stuck horizon: still waiting to run, or running. */
export const WATCHABLE_STATUSES: readonly JobStatus[] = ['queued', 'running'];

/** Statuses in which a job is over: a message that still arrives for it is dropped. */
export const FINISHED_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

/**
 * Statuses kept in the sparse `byState` index. The happy path (`queued` → `running` →
 * `succeeded`) never touches it, so a job that succeeds first time pays no index writes;
 * the states an operator hunts for (and the sweeper needs) are listed through it.
 */
export const INDEXED_STATUSES: readonly JobStatus[] = ['scheduled', 'retrying', 'waiting', 'failed', 'cancelled'];

/** True when the status is over (a late message for the job is dropped). */
export function isFinished(status: JobStatus): boolean {
  return FINISHED_STATUSES.includes(status);
}

/** Statuses a job's first write may give it: enqueued (`queued`, `scheduled`), or claimed from a message that came without a record (`running`). */
export const INITIAL_STATUSES: readonly JobStatus[] = ['queued', 'scheduled', 'running'];

/**
 * Throws {@link IllegalTransitionError} unless the table allows `from` → `to` (`from`
 * undefined: the job has no record yet). A write that keeps the status is always allowed.
 */
export function assertTransition(jobId: string, from: JobStatus | undefined, to: JobStatus, write: string): void {
  const allowed = from === undefined ? INITIAL_STATUSES.includes(to) : from === to || canTransition(from, to);
  if (!allowed) throw new IllegalTransitionError(jobId, from, to, write, from === undefined ? [] : JOB_TRANSITIONS[from]);
}
