import type { Logger } from '@aws-lambda-powertools/logger';
import { decodeJobMessage, type JobMessage } from '../job-message.js';
import { takeSlot } from '../flow-control/take-slot.js';
import { DEFAULT_TIMEOUT_SECONDS, heartbeatLeaseSeconds, MAX_VISIBILITY_SECONDS, type JobDefinition } from '../job-definition.js';
import { toJobError } from '../retry/classify-failure.js';
import { failJob } from './record-outcome.js';
import { runClaimed } from './run-claimed.js';
import { FINISH_RESERVE_MS, LEASE_GRACE_MS, type IncomingMessage, type MessageDisposition, type WorkerDependencies } from './worker-dependencies.js';

export { FINISH_RESERVE_MS, LEASE_GRACE_MS, type ClaimedDelivery, type IncomingMessage, type JobEvent, type MessageDisposition, type WorkerDependencies } from './worker-dependencies.js';

/**
 * Processes one message: decode, claim, run, record the outcome. Never throws for a problem
 * of the message itself (garbage, unknown kind, bad payload): those fail the job permanently
 * and go to the DLQ, so one bad record never holds up the rest of the batch.
 *
 * @param deadline when the Lambda invocation ends (ms since the epoch).
 */
export async function processMessage(message: IncomingMessage, deps: WorkerDependencies, deadline: number): Promise<MessageDisposition> {
  const decoded = decodeJobMessage(message.body, { sentTimestamp: message.sentTimestamp, shardCount: deps.shardCount });
  if (!decoded.ok) {
    deps.logger.error('dead-lettering an unreadable message', { messageId: message.messageId, reason: decoded.reason });
    await deps.transport.sendToDeadLetter(message.lane, message.body, { error: decoded.reason, errorClass: 'UnreadableMessage', permanent: true });
    return 'ack';
  }
  const job = decoded.message;
  const logger = deps.logger.createChild({ persistentKeys: { jobId: job.id, kind: job.kind, messageId: message.messageId, ...(job.cron ? { schedule: job.cron.schedule, scheduledAt: job.cron.scheduledAt } : {}) } });
  const definition = deps.registry.find(job.kind);
  const now = deps.now();
  const timeoutMs = Math.min((definition?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000, deadline - now.getTime() - FINISH_RESERVE_MS);
  // A heartbeat kind's lease lasts a few heartbeats; any other's, the whole attempt.
  const leaseSeconds = heartbeatLeaseSeconds(definition);
  const leaseMs = leaseSeconds ? leaseSeconds * 1000 : Math.max(0, timeoutMs) + LEASE_GRACE_MS;
  const payloadBytes = Buffer.byteLength(JSON.stringify(job.payload) ?? '', 'utf8');

  const taken = await takeSlot(job, definition, new Date(now.getTime() + Math.max(0, timeoutMs) + LEASE_GRACE_MS), deps, logger);
  if (taken.action === 'wait') {
    deps.observe?.({ kind: job.kind, outcome: 'delayed' });
    return waitForSlot(message, job, taken.seconds, deps);
  }
  try {
    return await claimAndRun(message, job, definition, deps, logger, { now, timeoutMs, leaseSeconds, leaseMs, payloadBytes });
  } finally {
    if (taken.slot) await deps.slots!.release(taken.slot);
  }
}

/** Claims the job (a conditional write: a duplicate never runs it twice) and acts on what the claim found. */
async function claimAndRun(
  message: IncomingMessage,
  job: JobMessage,
  definition: JobDefinition | undefined,
  deps: WorkerDependencies,
  logger: Logger,
  attempt: { now: Date; timeoutMs: number; leaseSeconds: number | undefined; leaseMs: number; payloadBytes: number },
): Promise<MessageDisposition> {
  const { now, timeoutMs, leaseSeconds, leaseMs, payloadBytes } = attempt;
  const claim = await deps.store.claim({
    id: job.id,
    kind: job.kind,
    lane: definition?.lane ?? message.lane,
    maxAttempts: definition?.retry.maxAttempts ?? 1,
    payloadBytes,
    now,
    leaseUntil: new Date(now.getTime() + leaseMs),
    createdBy: job.cron ? `schedule:${job.cron.schedule}` : undefined,
  });

  switch (claim.outcome) {
    case 'skip':
      if (claim.record.status === 'cancelled' && claim.record.payload === undefined) return dropCancelled(job, message, deps, logger, now);
      logger.info('dropping a delivery of a job that is not claimable', { status: claim.record.status });
      return 'ack';
    case 'busy': {
      // A duplicate while the job runs elsewhere: come back after the lease, then drop or take over.
      const seconds = Math.max(1, Math.ceil((Date.parse(claim.record.leaseUntil ?? '') - now.getTime()) / 1000) + 1);
      logger.info('job is running under a live lease; checking again later', { seconds });
      await deps.transport.changeVisibility(message.lane, message.receiptHandle, Math.min(seconds, MAX_VISIBILITY_SECONDS));
      return 'keep';
    }
    case 'exhausted': {
      const error = toJobError(
        new Error(`worker stopped responding: the lease of attempt ${claim.record.attempt} expired and no attempts are left`),
        claim.record.attempt, false, now);
      return failJob({ message, job, record: claim.record, deps, logger }, { ...error, class: 'LeaseExpired' });
    }
    case 'claimed':
      // The message comes back when the lease ends, so a dead worker's job is taken over that soon.
      if (leaseSeconds) await deps.transport.changeVisibility(message.lane, message.receiptHandle, leaseSeconds);
      return runClaimed({ message, job, record: claim.record, deps, logger }, definition, { timeoutMs, leaseSeconds });
  }
}

/**
 * Every slot of the kind's concurrency limit is held: the message is sent again `seconds`
 * from now (a fresh copy: waiting uses no attempt, and no receive towards SQS's redrive) and
 * this delivery goes. Should that send fail, the message comes back after the delay instead.
 */
async function waitForSlot(message: IncomingMessage, job: JobMessage, seconds: number, deps: WorkerDependencies): Promise<MessageDisposition> {
  const { failedIds } = await deps.transport.send(message.lane, [{ id: job.id, kind: job.kind, body: message.body, delaySeconds: seconds }]);
  if (failedIds.length === 0) return 'ack';
  await deps.transport.changeVisibility(message.lane, message.receiptHandle, seconds);
  return 'keep';
}

/**
 * The first delivery of a cancelled job's message: its payload is kept on the record (so an
 * operator can retry the job), then the message is dropped. If an operator revived the job
 * meanwhile, the message comes back at once and runs it.
 */
async function dropCancelled(job: JobMessage, message: IncomingMessage, deps: WorkerDependencies, logger: Logger, now: Date): Promise<MessageDisposition> {
  if (await deps.store.keepCancelledPayload(job.id, JSON.stringify(job.payload), now)) {
    logger.info('dropping the message of a cancelled job; its payload is kept for a retry');
    return 'ack';
  }
  logger.info('the cancelled job was retried meanwhile; taking its message again');
  await deps.transport.changeVisibility(message.lane, message.receiptHandle, 0);
  return 'keep';
}
