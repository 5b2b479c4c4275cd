import type { Logger } from '@aws-lambda-powertools/logger';
import type { JobDefinition } from '../job-definition.js';
import type { JobMessage } from '../job-message.js';
import type { JobRecord } from '../job-record.js';
import { UNKNOWN_CREATOR } from '../store/claim-request.js';
import type { JobStore, UntrackedRun } from '../store/job-store.js';
import { runClaimed } from './run-claimed.js';
import type { IncomingMessage, MessageDisposition, WorkerDependencies } from './worker-dependencies.js';

/**
 * Runs a job of a kind tracked by its outcome only (tracking `outcome`) that has no record:
 * no claim — the attempt is SQS's receive count — and one write, its final record, if it
 * succeeds or fails; a retry writes nothing (the message's visibility carries the backoff).
 * Everything else is the claimed path's: payload checks, the deadline, `ctx.once`, the DLQ.
 */
export async function runUntracked(
  base: { readonly message: IncomingMessage; readonly job: JobMessage; readonly deps: WorkerDependencies; readonly logger: Logger },
  definition: JobDefinition,
  attempt: { readonly now: Date; readonly timeoutMs: number; readonly payloadBytes: number },
): Promise<MessageDisposition> {
  const { message, job, deps } = base;
  const run: UntrackedRun = {
    id: job.id, kind: job.kind, lane: message.lane, attempt: message.receiveCount, maxAttempts: definition.retry.maxAttempts,
    payloadBytes: attempt.payloadBytes, createdAt: new Date(message.sentTimestamp), startedAt: attempt.now,
    createdBy: job.cron ? `schedule:${job.cron.schedule}` : job.by,
  };
  // The record the attempt runs with: what a claim would have written, kept in memory only.
  const record: JobRecord = {
    id: run.id, kind: run.kind, lane: run.lane, status: 'running', attempt: run.attempt, maxAttempts: run.maxAttempts, payloadBytes: run.payloadBytes,
    createdAt: run.createdAt.toISOString(), updatedAt: attempt.now.toISOString(), startedAt: attempt.now.toISOString(), createdBy: run.createdBy ?? UNKNOWN_CREATOR,
  };
  return runClaimed({ ...base, record, deps: { ...deps, store: outcomeOnly(deps.store, run) } }, definition, { timeoutMs: attempt.timeoutMs, untracked: true });
}

/** The store as such a run sees it: its final outcome becomes the job's one record; nothing else is written. */
function outcomeOnly(store: JobStore, run: UntrackedRun): JobStore {
  const writesNothing = async () => true;
  return Object.assign(Object.create(store) as JobStore, {
    recordOutcome: async (...[, outcome]: Parameters<JobStore['recordOutcome']>) => {
      if (outcome.status === 'succeeded' || outcome.status === 'failed') return store.recordUntracked(run, outcome);
      return outcome.status === 'retrying';
    },
    heartbeat: writesNothing,
    markRetryScheduled: writesNothing,
  });
}
