/**
 * The states a job moves through. Each state lists the states it may move to.
 *
 * - `scheduled`: accepted, runs at `runAt` (an SQS delay or a Scheduler schedule holds it) → `queued`, `running`, `cancelled`
 * - `queued`: its message is on the lane's queue → `running`, `cancelled`
 * - `running`: a worker holds it under a lease (`leaseUntil`) → `succeeded`, `retrying`, `failed`, `running` (lease expired, rescued)
 * - `retrying`: the last attempt failed transiently; it runs again at `nextRunAt` → `running`, `cancelled`
 * - `waiting`: a parent waiting for its children → `succeeded`, `failed`, `cancelled`
 * - `succeeded`: done; kept until its retention ends → (none)
 * - `failed`: a permanent error, or attempts exhausted; its message is in the lane's DLQ → `queued` (operator retry)
 * - `cancelled`: stopped before it ran → `queued` (operator retry)
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
  scheduled: ['queued', 'running', 'cancelled'],
  queued: ['running', 'cancelled'],
  running: ['succeeded', 'retrying', 'failed', 'running'],
  retrying: ['running', 'cancelled'],
  waiting: ['succeeded', 'failed', 'cancelled'],
  succeeded: [],
  failed: ['queued'],
  cancelled: ['queued'],
};

/** Statuses a worker may claim a job from (besides `running` with an expired lease). */
export const CLAIMABLE_STATUSES: readonly JobStatus[] = ['scheduled', 'queued', 'retrying'];

/** Statuses in which a job is over: a message that still arrives for it is dropped. */
export const FINISHED_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

/**
 * Statuses kept in the sparse `byState` index. The happy path (`queued` → `running` →
 * `succeeded`) never touches it, so a job that succeeds first time pays no index writes;
 * the states an operator hunts for (and the sweeper needs) are listed through it.
 */
export const INDEXED_STATUSES: readonly JobStatus[] = ['scheduled', 'retrying', 'waiting', 'failed', 'cancelled'];

/** True when `from` → `to` is an allowed transition. */
export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return JOB_TRANSITIONS[from].includes(to);
}

/** True when the status is over (a late message for the job is dropped). */
export function isFinished(status: JobStatus): boolean {
  return FINISHED_STATUSES.includes(status);
}
