import type { JobDefinition } from '../job-definition.js';
import type { JobMessage } from '../job-message.js';
import type { JobRecord } from '../job-record.js';
import { UNKNOWN_CREATOR } from '../store/claim-request.js';
import type { JobStore, UntrackedRun } from '../store/job-store.js';
import { runClaimed } from './run-claimed.js';
import type { AttemptPlan } from './attempt-plan.js';
import type { AttemptRecorder, IncomingMessage, MessageDisposition, WorkerDependencies } from './worker-dependencies.js';
import type { JobLog } from './job-log.js';

/**
 * Runs a job of a kind tracked by its outcome only (tracking `outcome`) that has no record:
 * no claim — the attempt is SQS's receive count — and one write, its final record, if it
 * succeeds or fails; a retry writes nothing (the message's visibility carries the backoff).
 * Everything else is the claimed path's: payload checks, the deadline, `ctx.once`, the DLQ.
 */
export async function runUntracked(
  base: { readonly message: IncomingMessage; readonly job: JobMessage; readonly deps: WorkerDependencies; readonly logger: JobLog },
  definition: JobDefinition,
  plan: AttemptPlan,
): Promise<MessageDisposition> {
  const { message, job, deps } = base;
  const run: UntrackedRun = {
    id: job.id, kind: job.kind, lane: message.lane, attempt: message.receiveCount, maxAttempts: definition.retry.maxAttempts,
    payloadBytes: plan.payloadBytes, createdAt: new Date(message.sentTimestamp), startedAt: plan.arrivedAt,
    createdBy: job.cron ? `schedule:${job.cron.schedule}` : job.by,
  };
  // The record the attempt runs with: what a claim would have written, kept in memory only.
  const record: JobRecord = {
    id: run.id, kind: run.kind, lane: run.lane, status: 'running', attempt: run.attempt, maxAttempts: run.maxAttempts, payloadBytes: run.payloadBytes,
    createdAt: run.createdAt.toISOString(), updatedAt: plan.arrivedAt.toISOString(), startedAt: plan.arrivedAt.toISOString(), createdBy: run.createdBy ?? UNKNOWN_CREATOR,
  };
  return runClaimed({ ...base, record, definition, plan, recorder: outcomeOnly(deps.store, run), untracked: true });
}

/** Where such a run's writes go: its final outcome becomes the job's one record; a retry, a heartbeat or a retry's schedule writes nothing. */
function outcomeOnly(store: JobStore, run: UntrackedRun): AttemptRecorder {
  return {
    recordOutcome: async (_ref, outcome) => {
      if (outcome.status === 'succeeded' || outcome.status === 'failed') return store.recordUntracked(run, outcome);
      return outcome.status === 'retrying';
    },
    heartbeat: async () => true,
    markRetryScheduled: async () => true,
  };
}
