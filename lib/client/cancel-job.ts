import { settleParent } from '../continuations/children.js';
import { decodeJobMessage } from '../job-message.js';
import type { JobRecord } from '../job-record.js';
import type { JobRegistry } from '../job-registry.js';
import type { JobScheduler } from '../scheduler/job-scheduler.js';
import type { JobStore } from '../store/job-store.js';

/** What a cancel needs: the store and scheduler, and — to finish a parent its cancelled child completes — the kinds and shards. */
export interface CancelDependencies {
  readonly store: JobStore;
  readonly scheduler: JobScheduler;
  readonly shardCount: number;
  /** The kinds known here (a parent's retention comes from its kind; an unknown kind gets the defaults). */
  readonly registry: JobRegistry;
}

/** A cancel logs nothing: its caller reports what it did. */
const QUIET = { info: () => {}, warn: () => {} };

/**
 * Cancels a job that has not started (`scheduled`, `queued` or `retrying`), and deletes its
 * schedule if it has one. A schedule holds the job's only copy of its payload, so the payload
 * is kept on the record first: the job stays retryable. (A job whose message is on a queue
 * has its payload kept by the worker that drops that message.) A cancelled child counts on its
 * parent as final: when it was the last to finish, the parent finishes now. Throws
 * JobNotCancellableError when the job runs already or is over.
 */
export async function cancelJob(deps: CancelDependencies, id: string, update: { now: Date; reason: string; expiresAt: Date }): Promise<JobRecord> {
  const record = await deps.store.cancel(id, update);
  if (record.parentId) await settleParent(record.parentId, { ...deps, now: () => update.now }, QUIET);
  if (!record.scheduleName) return record;
  const body = await deps.scheduler.messageOf(record.scheduleName);
  const decoded = body === undefined ? undefined : decodeJobMessage(body, { sentTimestamp: update.now.getTime(), shardCount: deps.shardCount });
  const kept = decoded?.ok === true && await deps.store.keepCancelledPayload(id, JSON.stringify(decoded.message.payload), update.now);
  await deps.scheduler.cancel(record.scheduleName);
  return kept ? { ...record, payload: decoded.message.payload } : record;
}
