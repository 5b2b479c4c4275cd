import { JobNotCancellableError, JobNotRetryableError } from '../errors.js';
import type { JobRecord } from '../job-record.js';
import { CANCELLABLE_STATUSES, DISCARDABLE_STATUSES, RETRYABLE_STATUSES } from '../job-status.js';

/*
 * What an operator's cancel, retry and discard may do to a job, as plain functions both stores
 * apply (the DynamoDB store also writes each rule into its conditions). The whole table of
 * actions by state is in docs/operator-actions.md.
 */

/** What a cancel writes besides the status. */
export interface CancelUpdate {
  readonly now: Date;
  readonly reason: string;
  /** When the record expires (TTL): the kind's retention of cancelled jobs. */
  readonly expiresAt: Date;
  /** The payload, kept on the record by a cancel made while holding the job's message (so the job stays retryable and discardable). */
  readonly payloadJson?: string | undefined;
  /** The debounced job that runs this one's key instead: such a job is never retried. */
  readonly supersededBy?: string | undefined;
}

/** Why a job cannot be cancelled now (undefined: it can): only a job that has not started. */
export function cancelRefusal(id: string, record: JobRecord | undefined): JobNotCancellableError | undefined {
  return record && CANCELLABLE_STATUSES.includes(record.status) ? undefined : new JobNotCancellableError(id, record?.status);
}

/**
 * Why a job cannot be retried now (undefined: it can). Failed and cancelled jobs can, with
 * these exceptions: a failed job without its payload (a parent its children failed: retry the
 * children, and it reopens), and a debounced job superseded by a newer one of its key.
 */
export function retryRefusal(id: string, record: JobRecord | undefined): JobNotRetryableError | undefined {
  if (!record || !RETRYABLE_STATUSES.includes(record.status)) return new JobNotRetryableError(id, record?.status);
  if (record.supersededBy !== undefined) {
    return new JobNotRetryableError(id, record.status, 'retried', `it was superseded: job ${record.supersededBy} runs its debounced key with the latest payload (enqueue it again to run this payload)`);
  }
  if (record.status === 'failed' && record.payload === undefined) {
    return new JobNotRetryableError(id, 'failed', 'retried', record.settledAt !== undefined
      ? `its children failed it: retry the failed or cancelled children (jobline jobs ls --parent ${id}); it reopens and finishes when they do`
      : 'its payload was not kept, so there is nothing to run it with');
  }
  return undefined;
}

/** The cancelled job's message has not reached a worker yet: why it cannot be discarded. */
export const CANCELLED_IN_FLIGHT = 'its message has not reached a worker yet (it would run the job with no record to stop it): discard it once a worker has dropped the message, or retry it';

/**
 * Why a job cannot be discarded now (undefined: it can): only failed and cancelled jobs, not
 * a cancelled one whose message is still on its way, not a parent with unfinished children,
 * and not a child whose parent still has a record (`parentExists`): the child's record is what
 * keeps a retried parent from spawning it — and counting it — a second time.
 */
export function discardRefusal(id: string, record: JobRecord | undefined, parentExists = false): JobNotRetryableError | undefined {
  if (!record || !DISCARDABLE_STATUSES.includes(record.status)) return new JobNotRetryableError(id, record?.status, 'discarded');
  if (record.status === 'cancelled' && record.payload === undefined) return new JobNotRetryableError(id, 'cancelled', 'discarded', CANCELLED_IN_FLIGHT);
  if (record.parentId !== undefined && parentExists) {
    return new JobNotRetryableError(id, record.status, 'discarded', `it is a child of job ${record.parentId}, whose retry would spawn it again: discard the parent (once its children have finished), and the child expires with its retention`);
  }
  const unfinished = (record.childrenTotal ?? 0) - (record.childrenDone ?? 0);
  if (unfinished > 0) {
    return new JobNotRetryableError(id, record.status, 'discarded', `${unfinished} of its ${record.childrenTotal} children have not finished (their outcomes report to it): discard it once they have, or cancel the ones still waiting`);
  }
  return undefined;
}
