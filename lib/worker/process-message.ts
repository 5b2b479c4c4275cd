import type { Logger } from '@aws-lambda-powertools/logger';
import { InvalidPayloadError, PayloadTooLargeError, PermanentError } from '../errors.js';
import { ConfigurationError } from '../errors.js';
import { DEFAULT_FAILED_RETENTION_SECONDS, MAX_VISIBILITY_SECONDS, type JobDefinition } from '../job-definition.js';
import { newJobId } from '../job-id.js';
import { encodeJobMessage } from '../job-message.js';
import { validateOrFail } from '../job-registry.js';
import { decodeJobMessage, type JobMessage } from '../job-message.js';
import type { JobError, JobRecord } from '../job-record.js';
import type { JobRegistry } from '../job-registry.js';
import { classifyFailure, toJobError } from '../retry/classify-failure.js';
import type { IdempotencyStore } from '../idempotency/idempotency-store.js';
import { once } from '../idempotency/once.js';
import { scheduleNameFor, type JobScheduler } from '../scheduler/job-scheduler.js';
import { failed, retrying, succeeded, waiting, type FollowUp } from '../store/attempt-outcome.js';
import type { JobStore } from '../store/job-store.js';
import type { JobTransport } from '../transport/job-transport.js';
import type { BoundJob } from './job-handler.js';
import { settleParent, Spawner } from './children.js';
import { Heartbeat } from './heartbeat.js';
import { runWithDeadline } from './run-attempt.js';

/** Time kept back from the Lambda's remaining time so the worker can record the outcome, in ms. */
export const FINISH_RESERVE_MS = 1500;
/** How long past its deadline a lease lasts, in ms: the margin before another delivery may take over. */
export const LEASE_GRACE_MS = 2000;

/** One SQS message, as the worker sees it. */
export interface IncomingMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly lane: string;
  readonly receiveCount: number;
  /** When SQS accepted the message (ms since the epoch). */
  readonly sentTimestamp: number;
}

/** What to do with the message once processed: delete it (`ack`) or leave it to come back (`keep`). */
export type MessageDisposition = 'ack' | 'keep';

/** What processing a message needs; every effect goes through `store` and `transport`. */
export interface WorkerDependencies {
  readonly registry: JobRegistry;
  readonly jobs: ReadonlyMap<string, BoundJob>;
  readonly store: JobStore;
  readonly transport: JobTransport;
  readonly scheduler: JobScheduler;
  readonly idempotency: IdempotencyStore;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly random: () => number;
  /** Shards of the jobs table (ids of schedule firings derive from it). */
  readonly shardCount: number;
  /** The lanes the config knows (follow-ups and children must go to one of them). @default any lane (test queues) */
  readonly lanes?: readonly string[] | undefined;
  /** Told of every attempt's outcome (the worker turns these into CloudWatch metrics). */
  readonly observe?: (event: JobEvent) => void;
}

/** An attempt's outcome, for metrics. */
export interface JobEvent {
  readonly kind: string;
  readonly outcome: 'succeeded' | 'retried' | 'failed';
  /** How long the attempt ran, in ms. */
  readonly durationMs?: number | undefined;
  /** From the message being sent to its attempt starting, in ms (first attempts only). */
  readonly queueLatencyMs?: number | undefined;
}

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
  const timeoutMs = Math.min((definition?.timeoutSeconds ?? 30) * 1000, deadline - now.getTime() - FINISH_RESERVE_MS);
  // A heartbeat kind's lease lasts three heartbeats; any other's, the whole attempt.
  const leaseSeconds = definition?.heartbeatSeconds ? definition.heartbeatSeconds * 3 : undefined;
  const leaseMs = leaseSeconds ? leaseSeconds * 1000 : Math.max(0, timeoutMs) + LEASE_GRACE_MS;
  const payloadBytes = Buffer.byteLength(JSON.stringify(job.payload) ?? '', 'utf8');

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
      await deps.transport.changeVisibility(message.lane, message.receiptHandle, Math.min(seconds, 43_200));
      return 'keep';
    }
    case 'exhausted': {
      const error = toJobError(
        new Error(`worker stopped responding: the lease of attempt ${claim.record.attempt} expired and no attempts are left`),
        claim.record.attempt, false, now);
      await failJob(job, claim.record, { ...error, class: 'LeaseExpired' }, undefined, message, deps, logger);
      return 'ack';
    }
    case 'claimed':
      // The message comes back when the lease ends, so a dead worker's job is taken over that soon.
      if (leaseSeconds) await deps.transport.changeVisibility(message.lane, message.receiptHandle, leaseSeconds);
      return runClaimed(job, claim.record, definition, message, deps, logger, timeoutMs, leaseSeconds);
  }
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

async function runClaimed(
  job: JobMessage,
  record: JobRecord,
  definition: JobDefinition | undefined,
  message: IncomingMessage,
  deps: WorkerDependencies,
  logger: Logger,
  timeoutMs: number,
  leaseSeconds: number | undefined,
): Promise<MessageDisposition> {
  const bound = deps.jobs.get(job.kind);
  const checked = !definition || !bound
    ? { problem: new PermanentError(`unknown job kind "${job.kind}": this worker handles ${[...deps.jobs.keys()].sort().join(', ') || 'no kinds'}`) }
    : checkPayload(deps.registry, definition, job.payload);
  if ('problem' in checked) {
    await failJob(job, record, toJobError(checked.problem, record.attempt, true, deps.now()), undefined, message, deps, logger);
    return 'ack';
  }

  const started = deps.now();
  const childLogger = logger.createChild({ persistentKeys: { attempt: record.attempt } });
  const controller = new AbortController();
  const followUps: FollowUp[] = [];
  const spawner = new Spawner({ id: job.id, attempt: record.attempt }, deps);
  const heartbeat = new Heartbeat({ id: job.id, attempt: record.attempt, lane: message.lane, receiptHandle: message.receiptHandle, leaseSeconds }, deps.store, deps.transport, controller, deps.now);
  const outcome = await runWithDeadline(timeoutMs, (signal) =>
    bound!.handler(checked.payload, {
      id: job.id,
      kind: job.kind,
      attempt: record.attempt,
      maxAttempts: record.maxAttempts,
      signal,
      deadline: new Date(started.getTime() + timeoutMs),
      logger: childLogger,
      heartbeat: (progress?: unknown) => heartbeat.beat(progress),
      once: (key, fn, options) => once({
        store: deps.idempotency,
        jobId: job.id,
        kind: job.kind,
        leaseUntil: () => new Date(started.getTime() + timeoutMs + LEASE_GRACE_MS),
        now: deps.now,
      }, key, fn, options),
      then: (next, payload) => followUps.push(followUpOf(next as JobDefinition, payload, job.id, deps)),
      spawn: (children, payloads, options) => spawner.spawn(children as JobDefinition, payloads, options),
    }), controller);
  const finished = deps.now();
  const durationMs = finished.getTime() - started.getTime();
  const ref = { id: job.id, attempt: record.attempt };

  if (outcome.ok && spawner.spawned) {
    // A parent: it waits for its children (they may all be done already).
    if (!(await deps.store.recordOutcome(ref, waiting({ now: finished, durationMs, result: outcome.result })))) logger.warn('parent finished its attempt after another delivery took it over');
    else await settleParent(job.id, deps, logger);
    return 'ack';
  }

  if (outcome.ok) {
    const recorded = await deps.store.recordOutcome(ref, succeeded(record, { now: finished, durationMs, result: outcome.result, retentionSeconds: definition!.retention.succeededSeconds, followUps }));
    if (!recorded) logger.warn('attempt succeeded after another delivery took the job over; its outcome was not recorded');
    else logger.info('job succeeded', { durationMs, followUps: followUps.map((f) => f.record.id) });
    if (recorded) deps.observe?.({ kind: job.kind, outcome: 'succeeded', durationMs, queueLatencyMs: latencyOf(record, message, started) });
    if (recorded) await dispatchFollowUps(followUps, deps, logger);
    if (recorded && record.parentId) await settleParent(record.parentId, deps, logger);
    return 'ack';
  }

  const failure = classifyFailure(outcome.thrown, record.attempt, definition!.retry, finished, deps.random);
  if (failure.action === 'fail') {
    logger.warn('job failed', { error: failure.error });
    await failJob(job, record, failure.error, durationMs, message, deps, logger);
    return 'ack';
  }
  const retry = retrying(record, { now: finished, durationMs, error: failure.error, delaySeconds: failure.delaySeconds });
  const nextRunAt = retry.nextRunAt;
  const recorded = await deps.store.recordOutcome(ref, retry);
  if (!recorded) {
    logger.warn('attempt failed after another delivery took the job over; leaving the message to that delivery');
    return 'keep';
  }
  logger.info('job will retry', { delaySeconds: failure.delaySeconds, error: failure.error });
  deps.observe?.({ kind: job.kind, outcome: 'retried', durationMs, queueLatencyMs: latencyOf(record, message, started) });
  if (failure.delaySeconds > MAX_VISIBILITY_SECONDS) return retryViaSchedule(job, record, nextRunAt, message, deps, logger);
  try {
    await deps.transport.changeVisibility(message.lane, message.receiptHandle, failure.delaySeconds);
  } catch (error) {
    // The message still comes back, after the queue's visibility timeout instead.
    logger.error('could not set the retry delay on the message', { error: error as Error });
  }
  return 'keep';
}

/** A retry later than SQS can hide a message (12 h): a one-time schedule sends it again, and this message goes. */
async function retryViaSchedule(job: JobMessage, record: JobRecord, nextRunAt: Date, message: IncomingMessage, deps: WorkerDependencies, logger: Logger): Promise<MessageDisposition> {
  const name = scheduleNameFor(job.id, record.attempt + 1);
  try {
    await deps.scheduler.scheduleOnce(name, nextRunAt, message.lane, message.body);
  } catch (error) {
    logger.error('could not schedule the retry; the message comes back in 12 h instead', { error: error as Error });
    await deps.transport.changeVisibility(message.lane, message.receiptHandle, MAX_VISIBILITY_SECONDS);
    return 'keep';
  }
  await deps.store.markRetryScheduled({ id: job.id, attempt: record.attempt }, name);
  return 'ack';
}

function followUpOf(definition: JobDefinition, payload: unknown, predecessorId: string, deps: WorkerDependencies): FollowUp {
  if (deps.lanes && !deps.lanes.includes(definition.lane)) {
    throw new ConfigurationError(`follow-up "${definition.kind}" cannot be enqueued`, [`its lane "${definition.lane}" is not configured; lanes: ${deps.lanes.join(', ')}`]);
  }
  const { json, bytes } = validateOrFail(definition, payload, 'follow-up');
  const now = deps.now();
  return {
    record: {
      id: newJobId(deps.shardCount, now.getTime()), kind: definition.kind, lane: definition.lane, status: 'queued', maxAttempts: definition.retry.maxAttempts,
      payloadBytes: bytes, createdAt: now, createdBy: `job:${predecessorId}`, predecessorId,
    },
    payloadJson: json,
  };
}

/** Sends the follow-ups' messages; any that fail stay undispatched, with their payload, for the sweeper. */
async function dispatchFollowUps(followUps: readonly FollowUp[], deps: WorkerDependencies, logger: Logger): Promise<void> {
  for (const lane of new Set(followUps.map((f) => f.record.lane))) {
    const group = followUps.filter((f) => f.record.lane === lane);
    try {
      const { failedIds } = await deps.transport.send(lane, group.map((f) => ({ id: f.record.id, kind: f.record.kind, body: encodeJobMessage(f.record.id, f.record.kind, f.payloadJson) })));
      await Promise.all(group.filter((f) => !failedIds.includes(f.record.id)).map((f) => deps.store.markDispatched(f.record.id)));
    } catch (error) {
      logger.error('could not send follow-ups; the sweeper will', { error: error as Error });
    }
  }
}

/** Dead-letters the message with a note, then records the failure (with the payload, for inspection and retry). */
async function failJob(
  job: JobMessage,
  record: JobRecord,
  error: JobError,
  durationMs: number | undefined,
  message: IncomingMessage,
  deps: WorkerDependencies,
  logger: Logger,
): Promise<void> {
  await deps.transport.sendToDeadLetter(message.lane, message.body, {
    id: job.id, kind: job.kind, attempt: record.attempt, error: error.message, errorClass: error.class, permanent: error.permanent,
  });
  const definition = deps.registry.find(job.kind);
  const retentionSeconds = definition?.retention.failedSeconds ?? DEFAULT_FAILED_RETENTION_SECONDS;
  const recorded = await deps.store.recordOutcome({ id: job.id, attempt: record.attempt }, failed(record, {
    now: deps.now(),
    durationMs,
    error,
    payloadJson: JSON.stringify(job.payload) ?? 'null',
    retentionSeconds,
  }));
  if (!recorded) logger.warn('failure not recorded: another delivery took the job over');
  else logger.warn('job failed and was dead-lettered', { reason: error.message });
  if (recorded) deps.observe?.({ kind: job.kind, outcome: 'failed', durationMs });
  if (recorded && record.parentId) await settleParent(record.parentId, deps, logger, { childId: job.id, error });
}

/** Queue latency of a first attempt: from SQS accepting the message to the attempt starting. */
function latencyOf(record: JobRecord, message: IncomingMessage, started: Date): number | undefined {
  return record.attempt === 1 ? Math.max(0, started.getTime() - message.sentTimestamp) : undefined;
}

/** The payload parsed by its schema, or the permanent error that a mismatch is. */
function checkPayload(registry: JobRegistry, definition: JobDefinition, payload: unknown): { payload: unknown } | { problem: PermanentError } {
  try {
    return { payload: registry.validate(definition, payload).payload };
  } catch (error) {
    if (error instanceof InvalidPayloadError || error instanceof PayloadTooLargeError) return { problem: new PermanentError(error.message) };
    throw error;
  }
}

