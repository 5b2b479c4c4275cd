import type { JobError, JobRecord } from '../job-record.js';
import type { JobStatus } from '../job-status.js';
import type { ResultStore } from './result-store.js';

/**
 * What `result(id)` says of a job: its result once it succeeded, or why there is none —
 * still on its way (`pending`), failed or cancelled (with the reason), too large to have
 * been kept, expired, or unknown. `failed` is the job's state now: an operator's retry can
 * still send it round again.
 */
export type JobResult<T = unknown> =
  | { readonly id: string; readonly state: 'succeeded'; readonly kind: string; readonly result: T | undefined; readonly finishedAt?: string | undefined }
  | { readonly id: string; readonly state: 'pending'; readonly kind: string; readonly status: JobStatus; readonly reason: string }
  | { readonly id: string; readonly state: 'failed'; readonly kind: string; readonly status: 'failed' | 'cancelled'; readonly reason: string; readonly error?: JobError | undefined }
  | { readonly id: string; readonly state: 'too_large'; readonly kind: string; readonly bytes: number; readonly reason: string }
  | { readonly id: string; readonly state: 'expired'; readonly kind?: string | undefined; readonly reason: string }
  | { readonly id: string; readonly state: 'not_found'; readonly reason: string };

/** Every state a {@link JobResult} can have. */
export type JobResultState = JobResult['state'];

/** True when waiting longer cannot change the answer (only an operator's action can). */
export function isSettled(answer: JobResult): boolean {
  return answer.state !== 'pending' && answer.state !== 'not_found';
}

/**
 * The answer a record gives: its result (read from the result store when the record points
 * there), or why there is none. `record` undefined: no job has the id, or its record expired.
 * `now` tells a record past its retention, which DynamoDB's TTL has not yet removed.
 */
export async function answerOf(id: string, record: JobRecord | undefined, now: Date, results: ResultStore | undefined, notFound: string): Promise<JobResult> {
  if (!record) return { id, state: 'not_found', reason: notFound };
  const { kind } = record;
  if (record.expiresAt !== undefined && record.expiresAt * 1000 <= now.getTime()) {
    return { id, state: 'expired', kind, reason: `the job ${record.status} at ${record.finishedAt ?? record.updatedAt} and its record's retention ended at ${new Date(record.expiresAt * 1000).toISOString()}` };
  }
  switch (record.status) {
    case 'succeeded': return succeededAnswer(record, results);
    case 'failed': return { id, state: 'failed', kind, status: 'failed', reason: record.lastError ? `failed on attempt ${record.lastError.attempt}: ${record.lastError.message}` : 'failed', error: record.lastError };
    case 'cancelled': return { id, state: 'failed', kind, status: 'cancelled', reason: record.cancelReason ? `cancelled: ${record.cancelReason}` : 'cancelled' };
    default: return { id, state: 'pending', kind, status: record.status, reason: pendingReason(record) };
  }
}

async function succeededAnswer(record: JobRecord, results: ResultStore | undefined): Promise<JobResult> {
  const { id, kind, finishedAt } = record;
  if (record.resultDropped) return { id, state: 'too_large', kind, bytes: record.resultDropped.bytes, reason: record.resultDropped.reason };
  if (!record.resultRef) return { id, state: 'succeeded', kind, result: record.result, finishedAt };
  if (!results) return { id, state: 'too_large', kind, bytes: record.resultRef.bytes, reason: `the result (${record.resultRef.bytes} bytes) is in the results bucket, which this caller's config does not name` };
  const json = await results.get(record.resultRef.key);
  if (json === undefined) return { id, state: 'expired', kind, reason: `the result's object (${record.resultRef.key}) is gone from the results bucket: its lifecycle removed it` };
  return { id, state: 'succeeded', kind, result: JSON.parse(json) as unknown, finishedAt };
}

/** Why a job that has not finished has no result yet, in words. */
export function pendingReason(record: JobRecord): string {
  const wait = record.waitingFor ? `, waiting for its ${record.waitingFor.limit} limit (key ${record.waitingFor.key})${record.waitingFor.until ? ` until ${record.waitingFor.until}` : ''}` : '';
  switch (record.status) {
    case 'scheduled': return `scheduled to run at ${record.runAt ?? 'a later time'}`;
    case 'queued': return `queued${wait}`;
    case 'running': return `running attempt ${record.attempt} of ${record.maxAttempts}${record.startedAt ? ` since ${record.startedAt}` : ''}`;
    case 'retrying': return `attempt ${record.attempt} of ${record.maxAttempts} failed${record.lastError ? ` (${record.lastError.message})` : ''}; it runs again at ${record.nextRunAt ?? 'a later time'}`;
    case 'waiting': return `waiting for its children: ${record.childrenDone ?? 0} of ${record.childrenTotal ?? 0} finished`;
    default: return record.status;
  }
}

/** Why a job has no record, in words: `untrackedKinds` are the kinds whose jobs have none until they run. */
export function notFoundReason(id: string, untrackedKinds: readonly string[]): string {
  const untracked = untrackedKinds.length ? `, or it is a job of ${untrackedKinds.join(', ')} (not tracked in full) that has not run yet` : '';
  return `no record of job ${id}: it was never enqueued, or its record's retention ended${untracked}`;
}

/**
 * What a record says of its result when it does not hold it, in words: why there is none yet,
 * why there will be none, or where it is. Undefined when the record holds it (or nothing is to say).
 */
export function resultNoteOf(record: JobRecord): string | undefined {
  if (record.status === 'failed') return record.lastError ? `failed on attempt ${record.lastError.attempt}: ${record.lastError.message}` : 'failed';
  if (record.status === 'cancelled') return record.cancelReason ? `cancelled: ${record.cancelReason}` : 'cancelled';
  if (record.status !== 'succeeded') return `no result yet: ${pendingReason(record)}`;
  if (record.resultRef) return `${record.resultRef.bytes} bytes, kept in the results bucket (jobline jobs result ${record.id})`;
  if (record.resultDropped) return `not kept: ${record.resultDropped.reason}`;
  return undefined;
}
