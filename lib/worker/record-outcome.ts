import { settleParent } from '../continuations/children.js';
import { dispatchFollowUps } from '../continuations/follow-ups.js';
import { MAX_VISIBILITY_SECONDS, retentionSeconds } from '../job-definition.js';
import type { JobError } from '../job-record.js';
import type { FailureOutcome } from '../retry/classify-failure.js';
import { scheduleNameFor } from '../scheduler/job-scheduler.js';
import { attemptOf, failed, retrying, succeeded, waiting, type AttemptRef, type FollowUp } from '../store/attempt-outcome.js';
import { fieldValues, redactValue, scrubError } from '../redaction.js';
import type { ClaimedDelivery, MessageDisposition } from './worker-dependencies.js';
import type { KeptResult } from '../results/keep-result.js';
import { jobTracer, type FailureType } from '../tracing/job-tracer.js';

/** How an attempt went: when it started and how long it ran. */
export interface AttemptTiming {
  readonly started: Date;
  readonly finished: Date;
}

/** A parent's handler returned: it waits for its children (they may all be done already). */
export async function recordWaiting(delivery: ClaimedDelivery, timing: AttemptTiming, result: unknown): Promise<MessageDisposition> {
  const { job, deps, logger } = delivery;
  const recorded = await delivery.recorder.recordOutcome(refOf(delivery), waiting({ now: timing.finished, durationMs: durationOf(timing), result: redactedValue(delivery, result) }));
  if (!recorded) return overtaken(delivery, 'the parent finished its attempt after another delivery took it over');
  // Counted once, here: the parent finishes later, when its last child does, with no attempt of its own.
  deps.observe?.({ kind: job.kind, outcome: 'waiting', durationMs: durationOf(timing), queueLatencyMs: latencyOf(delivery, timing.started) });
  await settleParent(job.id, deps, logger);
  return 'ack';
}

/**
 * The attempt succeeded: record it with its follow-ups, send them, and bring its parent up to
 * date. `result` is the redacted result (its numeric fields go to the parent); `kept`, where it is stored.
 */
export async function recordSuccess(delivery: ClaimedDelivery, timing: AttemptTiming, result: unknown, kept: KeptResult, followUps: readonly FollowUp[], retentionSeconds: number): Promise<MessageDisposition> {
  const { job, record, deps, logger } = delivery;
  const durationMs = durationOf(timing);
  const recorded = await delivery.recorder.recordOutcome(refOf(delivery), succeeded(record, { now: timing.finished, durationMs, result, kept, retentionSeconds, followUps }));
  if (!recorded) return overtaken(delivery, 'the attempt succeeded after another delivery took the job over; its outcome was not recorded');
  // DEBUG: the record and the Succeeded metric already say it, and at INFO this one line per job
  // would be most of a job's log bytes (CloudWatch Logs bills them: see BENCHMARKS.md, "Cost").
  logger.debug('job succeeded', { durationMs, followUps: followUps.map((f) => f.record.id) });
  deps.observe?.({ kind: job.kind, outcome: 'succeeded', durationMs, queueLatencyMs: latencyOf(delivery, timing.started) });
  await dispatchFollowUps(followUps, deps, logger);
  if (record.parentId) await settleParent(record.parentId, deps, logger);
  return 'ack';
}

/**
 * A transient failure with attempts left: record it, then hide the message for the delay (one
 * SQS call), or — past SQS's 12 hours — hand it to a one-time schedule.
 */
export async function recordRetry(delivery: ClaimedDelivery, timing: AttemptTiming, unscrubbed: Extract<FailureOutcome, { action: 'retry' }>): Promise<MessageDisposition> {
  const { job, record, message, deps, logger } = delivery;
  const failure = { ...unscrubbed, error: scrubbed(delivery, unscrubbed.error) };
  const durationMs = durationOf(timing);
  const retry = retrying(record, { now: timing.finished, durationMs, error: failure.error, delaySeconds: failure.delaySeconds });
  if (!(await delivery.recorder.recordOutcome(refOf(delivery), retry))) {
    logger.warn('attempt failed after another delivery took the job over; leaving the message to that delivery');
    return 'keep';
  }
  logger.info('job will retry', { delaySeconds: failure.delaySeconds, error: failure.error });
  deps.observe?.({ kind: job.kind, outcome: 'retried', errorType: failureTypeOf(failure.error), durationMs, queueLatencyMs: latencyOf(delivery, timing.started) });
  if (failure.delaySeconds > MAX_VISIBILITY_SECONDS) return retryViaSchedule(delivery, retry.nextRunAt);
  try {
    await deps.transport.changeVisibility(message.lane, message.receiptHandle, failure.delaySeconds);
  } catch (error) {
    // The message still comes back, after the queue's visibility timeout instead.
    logger.error('could not set the retry delay on the message', { error: error as Error });
  }
  return 'keep';
}

/** A retry later than SQS can hide a message (12 h): a one-time schedule sends it again, and this message goes. */
async function retryViaSchedule(delivery: ClaimedDelivery, nextRunAt: Date): Promise<MessageDisposition> {
  const { job, record, message, deps, logger } = delivery;
  const name = scheduleNameFor(job.id, record.attempt + 1);
  try {
    await deps.scheduler.scheduleOnce(name, nextRunAt, message.lane, message.body, message.groupId ?? record.groupId);
  } catch (error) {
    logger.error('could not schedule the retry; the message comes back in 12 h instead', { error: error as Error });
    await deps.transport.changeVisibility(message.lane, message.receiptHandle, MAX_VISIBILITY_SECONDS);
    return 'keep';
  }
  await delivery.recorder.markRetryScheduled(refOf(delivery), name);
  return 'ack';
}

/**
 * Records the failure (with the payload, for inspection and retry) and tells the parent, then
 * dead-letters the message with a note. In that order: a DLQ copy exists only for a job whose
 * record says failed — an attempt whose write is refused (a takeover, an operator's retry) leaves
 * none — and the copy carries the claim token of the failure, so a redrive can tell a current
 * copy from one an operator's retry has made stale.
 */
export async function failJob(delivery: ClaimedDelivery, unscrubbed: JobError, durationMs?: number): Promise<MessageDisposition> {
  const { job, record, message, deps, logger } = delivery;
  const error = scrubbed(delivery, unscrubbed);
  const kept = retentionSeconds(deps.registry.find(job.kind), 'failed');
  const recorded = await delivery.recorder.recordOutcome(refOf(delivery), failed(record, { now: deps.now(), durationMs, error, payloadJson: JSON.stringify(job.payload) ?? 'null', retentionSeconds: kept }));
  if (!recorded) return overtaken(delivery, 'the failure was not recorded (another delivery or an operator\'s retry took the job over); no DLQ copy made');
  jobTracer().event('jobline.dead_letter', { 'error.type': failureTypeOf(error) });
  try {
    await deps.transport.sendToDeadLetter(message.lane, message.body, {
      id: job.id, kind: job.kind, attempt: record.attempt, error: error.message, errorClass: error.class, permanent: error.permanent,
      claimToken: record.claimToken, groupId: message.groupId ?? record.groupId,
    });
  } catch (sendError) {
    // The record is the job: it says failed and keeps the payload, so `jobline retry` still works; only the DLQ view lacks it.
    logger.error('the failure is recorded, but its DLQ copy could not be sent: retry the job from its record', { error: sendError as Error });
  }
  logger.warn('job failed and was dead-lettered', { reason: error.message });
  deps.observe?.({ kind: job.kind, outcome: 'failed', errorType: failureTypeOf(error), durationMs });
  if (record.parentId) await settleParent(record.parentId, deps, logger, { childId: job.id, error });
  return 'ack';
}

/** The error without the values of the kind's redacted fields (`redact`): what the record, the DLQ note and the logs keep. */
function scrubbed(delivery: ClaimedDelivery, error: JobError): JobError {
  const paths = delivery.deps.registry.find(delivery.job.kind)?.redact;
  return paths?.length ? scrubError(error, fieldValues(delivery.job.payload, paths)) : error;
}

/**
 * A result or progress report as the record keeps it: without the kind's redacted fields or
 * their values from the payload this attempt ran (a record of a finished job no longer holds
 * the payload, so this is the last point where they can be found).
 */
export function redactedValue(delivery: Pick<ClaimedDelivery, 'deps' | 'job'>, value: unknown): unknown {
  const paths = delivery.deps.registry.find(delivery.job.kind)?.redact;
  return paths?.length ? redactValue(value, paths, fieldValues(delivery.job.payload, paths)) : value;
}

/**
 * An attempt whose outcome write was refused: another delivery (a takeover, or an operator's
 * retry) owns the job now. Its message is left alone — not deleted: a message received again
 * since has a new receipt handle, and SQS may delete it by the old one, leaving the attempt
 * that owns the job without its message. It comes back after its visibility timeout, and the
 * claim drops it once the job is over.
 */
function overtaken(delivery: ClaimedDelivery, why: string): MessageDisposition {
  delivery.logger.warn(why);
  return 'keep';
}

/** How an attempt failed, as its span says: past its deadline, permanently, or transiently (a retry could do better; with no attempts left, the job failed of it). */
export function failureTypeOf(error: Pick<JobError, 'permanent' | 'timeout'>): FailureType {
  if (error.timeout) return 'deadline';
  return error.permanent ? 'permanent' : 'transient';
}

function refOf(delivery: ClaimedDelivery): AttemptRef {
  return attemptOf(delivery.record);
}

function durationOf(timing: AttemptTiming): number {
  return timing.finished.getTime() - timing.started.getTime();
}

/** Queue latency of a first attempt: from SQS accepting the message to the attempt starting. */
function latencyOf(delivery: ClaimedDelivery, started: Date): number | undefined {
  return delivery.record.attempt === 1 ? Math.max(0, started.getTime() - delivery.message.sentTimestamp) : undefined;
}
