import { jobMessage } from '../transport/job-transport.js';
import { admit, MAX_IN_PROCESS_WAIT_MS as MAX_START_WAIT_MS, type Admission } from '../flow-control/admission.js';
import { decodeJobMessage, withFlow, type JobMessage } from '../job-message.js';
import { expiryOf, heartbeatLeaseSeconds, MAX_VISIBILITY_SECONDS, type JobDefinition } from '../job-definition.js';
import type { HeldSlot } from '../flow-control/slot-store.js';
import { toJobError } from '../retry/classify-failure.js';
import { JobNotCancellableError } from '../errors.js';
import { failJob } from './record-outcome.js';
import { runClaimed } from './run-claimed.js';
import { runUntracked } from './run-untracked.js';
import { isFinished } from '../job-status.js';
import { LEASE_GRACE_MS, planAttempt, runTimeMs, type AttemptPlan } from './attempt-plan.js';
import type { IncomingMessage, MessageDisposition, WorkerDependencies } from './worker-dependencies.js';
import { JobLog } from './job-log.js';
import { jobTracer } from '../tracing/job-tracer.js';

export { FINISH_RESERVE_MS, LEASE_GRACE_MS } from './attempt-plan.js';
export type { ClaimedDelivery, IncomingMessage, JobEvent, MessageDisposition, WorkerDependencies } from './worker-dependencies.js';

/**
 * Processes one message: decode, claim, run, record the outcome. Never throws for a problem
 * of the message itself (garbage, unknown kind, bad payload): those fail the job permanently
 * and go to the DLQ, so one bad record never holds up the rest of the batch.
 *
 * @param deadline when the Lambda invocation ends (ms since the epoch).
 */
export async function processMessage(received: IncomingMessage, deps: WorkerDependencies, deadline: number): Promise<MessageDisposition> {
  const decoded = decodeJobMessage(received.body, { sentTimestamp: received.sentTimestamp, shardCount: deps.shardCount });
  if (!decoded.ok) {
    deps.logger.error('dead-lettering an unreadable message', { messageId: received.messageId, reason: decoded.reason });
    await deps.transport.sendToDeadLetter(received.lane, received.body, { error: decoded.reason, errorClass: 'UnreadableMessage', permanent: true });
    return 'ack';
  }
  const job = decoded.message;
  const tracer = jobTracer();
  if (!tracer.enabled) return processJob(received, job, deps, deadline);
  const traced = { id: job.id, kind: job.kind, lane: received.lane, queue: deps.queues?.[received.lane] ?? received.lane, messageId: received.messageId, trace: job.trace };
  return tracer.processJob(traced, () => processJob(received, job, deps, deadline));
}

/** Processes a decoded job's delivery (in its `process` span, tracing on): admit it, claim it, run it. */
async function processJob(received: IncomingMessage, decodedJob: JobMessage, deps: WorkerDependencies, deadline: number): Promise<MessageDisposition> {
  // A message Scheduler sent carries its group in its body: from here on it is the message's own,
  // so the claim, a waiting resend, a retry's schedule and the DLQ copy all keep it.
  const message = received.groupId === undefined && decodedJob.group !== undefined ? { ...received, groupId: decodedJob.group } : received;
  const tracer = jobTracer();
  const logger = new JobLog(deps.logger, { jobId: decodedJob.id, kind: decodedJob.kind, messageId: message.messageId, ...(decodedJob.cron ? { schedule: decodedJob.cron.schedule, scheduledAt: decodedJob.cron.scheduledAt } : {}), ...(tracer.enabled ? tracer.ids() : {}) });
  const definition = deps.registry.find(decodedJob.kind);
  if (tracer.enabled) tracer.annotate({ 'jobline.tracking': definition?.tracking, 'jobline.receive_count': message.receiveCount });
  const arrived = deps.now();

  const admission = await admit(decodedJob, definition, slotLeaseUntil(definition, arrived, deadline), deps, logger);
  if (admission.action === 'wait') {
    if (tracer.enabled) tracer.event('jobline.wait', { 'jobline.limit': admission.wait.limit, 'jobline.limit.key': admission.wait.key, 'jobline.wait.seconds': admission.seconds });
    deps.observe?.({ kind: decodedJob.kind, outcome: 'delayed', limit: admission.wait.limit });
    return waitForTurn(message, decodedJob, admission, deps, logger);
  }
  if (admission.action === 'drop') return dropSuperseded(decodedJob, definition, admission.byJobId, deps, logger);
  const job = admission.job;
  try {
    // A rate-limited job may start a moment from now (its turn): the attempt is timed from then.
    return await claimAndRun({ message, job, definition, deps, logger, slot: admission.slot }, planAttempt(definition, job.payload, arrived, admission.startAt, deadline));
  } finally {
    if (admission.slot) await deps.flowControl!.slots.release(admission.slot);
  }
}

/**
 * When a concurrency slot taken on a delivery that arrived at `arrived` frees itself: after the
 * attempt's run time, its grace and a rate-limited start's wait — or, for a heartbeat kind, after
 * one heartbeat lease (each beat moves it on), so a dead worker's slot comes free within a few beats.
 */
function slotLeaseUntil(definition: JobDefinition | undefined, arrived: Date, deadline: number): Date {
  const heartbeatSeconds = heartbeatLeaseSeconds(definition);
  const holdMs = heartbeatSeconds ? heartbeatSeconds * 1000 : Math.max(0, runTimeMs(definition, arrived, deadline));
  return new Date(arrived.getTime() + holdMs + LEASE_GRACE_MS + MAX_START_WAIT_MS);
}

/** A decoded, admitted delivery: its message and job, the kind's definition, the slot it holds, and what to reach them with. */
interface AdmittedDelivery {
  readonly message: IncomingMessage;
  readonly job: JobMessage;
  readonly definition: JobDefinition | undefined;
  readonly deps: WorkerDependencies;
  readonly logger: JobLog;
  readonly slot?: HeldSlot | undefined;
}

/** Claims the job (a conditional write: a duplicate never runs it twice) and acts on what the claim found. */
async function claimAndRun(delivery: AdmittedDelivery, plan: AttemptPlan): Promise<MessageDisposition> {
  const { message, job, definition, deps, logger } = delivery;
  const now = plan.arrivedAt;
  await deps.onStep?.('received', { ...job, attempt: 0, receiveCount: message.receiveCount });
  if (definition?.tracking === 'outcome') {
    // No claim: a record exists only once the job finished (or for a child or follow-up, made with one).
    const existing = await deps.store.get(job.id);
    if (!existing) return runUntracked({ message, job, deps, logger }, definition, plan);
    if (isFinished(existing.status)) {
      jobTracer().event('jobline.duplicate', { 'jobline.status': existing.status });
      logger.info('dropping a delivery of a job that is not claimable', { status: existing.status });
      return 'ack';
    }
  }
  const claim = await deps.store.claim({
    id: job.id,
    kind: job.kind,
    lane: definition?.lane ?? message.lane,
    maxAttempts: definition?.retry.maxAttempts ?? 1,
    payloadBytes: plan.payloadBytes,
    now,
    leaseUntil: plan.leaseUntil,
    createdBy: job.cron ? `schedule:${job.cron.schedule}` : job.by,
    createdAt: new Date(message.sentTimestamp),
    groupId: message.groupId,
    recordedAtEnqueue: job.recorded === true,
    trace: job.trace,
  });

  if (claim.outcome !== 'claimed' && jobTracer().enabled) jobTracer().event('jobline.duplicate', { 'jobline.claim': claim.outcome, 'jobline.status': 'record' in claim ? claim.record.status : undefined });
  switch (claim.outcome) {
    case 'missing':
      logger.info('dropping the message of a job that has no record: it was discarded (or its record expired)');
      return 'ack';
    case 'skip':
      if (claim.record.status === 'cancelled' && claim.record.payload === undefined) return dropCancelled(job, message, deps, logger, now);
      logger.info('dropping a delivery of a job that is not claimable', { status: claim.record.status });
      return 'ack';
    case 'early': {
      // A duplicate of a retrying job's message: it comes back when the backoff is over.
      const seconds = Math.max(1, Math.ceil((Date.parse(claim.record.nextRunAt ?? '') - now.getTime()) / 1000));
      logger.info('job is retrying later; this delivery waits for its backoff', { seconds });
      await deps.transport.changeVisibility(message.lane, message.receiptHandle, Math.min(seconds || 1, MAX_VISIBILITY_SECONDS));
      return 'keep';
    }
    case 'busy': {
      // A duplicate while the job runs elsewhere: come back after the lease, then drop or take over.
      const seconds = Math.max(1, Math.ceil((Date.parse(claim.record.leaseUntil ?? '') - now.getTime()) / 1000) + 1);
      logger.info('job is running under a live lease; checking again later', { seconds });
      await deps.transport.changeVisibility(message.lane, message.receiptHandle, Math.min(seconds, MAX_VISIBILITY_SECONDS));
      return 'keep';
    }
    case 'exhausted': {
      const error = toJobError(new Error(`worker stopped responding: the lease of attempt ${claim.record.attempt} expired and no attempts are left`), { attempt: claim.record.attempt, permanent: false, now });
      return failJob({ message, job, record: claim.record, deps, logger, recorder: deps.store }, { ...error, class: 'LeaseExpired' });
    }
    case 'claimed':
      if (jobTracer().enabled) jobTracer().annotate({ 'jobline.job.attempt': claim.record.attempt });
      // The message comes back when the lease ends, so a dead worker's job is taken over that soon.
      if (plan.heartbeatLeaseSeconds) await deps.transport.changeVisibility(message.lane, message.receiptHandle, Math.ceil((plan.leaseUntil.getTime() - now.getTime()) / 1000));
      await deps.onStep?.('claimed', { ...job, attempt: claim.record.attempt, receiveCount: message.receiveCount });
      await waitUntil(plan.startAt, deps);
      return runClaimed({ ...delivery, record: claim.record, recorder: deps.store, plan, untracked: false });
  }
}

/**
 * Flow control holds the job back: its message is sent again `seconds` from now (a fresh copy:
 * waiting uses no attempt, and no receive towards SQS's redrive), carrying its rate-limit turn,
 * and this delivery goes. The record says what it waits for — written once per limit, not per
 * wait. Should the send fail, the message comes back after the delay instead.
 */
async function waitForTurn(message: IncomingMessage, job: JobMessage, admission: Extract<Admission, { action: 'wait' }>, deps: WorkerDependencies, logger: JobLog): Promise<MessageDisposition> {
  const { wait, seconds } = admission;
  let noted = job.flow?.noted;
  // A job with no record yet (a cron firing, a from-claim kind) on its first delivery has nothing
  // to note on: no write. Otherwise the note is tried once per limit; a refused one (the record
  // is not claimable, or not there) is not tried again on the next wait.
  const mayHaveRecord = job.recorded === true || message.receiveCount > 1;
  if (noted !== wait.limit && mayHaveRecord) {
    try {
      const held = await deps.store.noteWaiting(job.id, wait, deps.now());
      // Refused: the job is not claimable. A duplicate of a job that is over (or discarded) goes
      // now, instead of waiting for a slot or turn only for its claim to drop it.
      if (!held && job.recorded === true) {
        const record = await deps.store.get(job.id);
        if (!record || isFinished(record.status)) {
          logger.info('dropping a delivery of a job that is over instead of waiting for its turn', { status: record?.status ?? 'discarded' });
          await leaveLine(job, admission, deps);
          return 'ack';
        }
      }
      noted = wait.limit;
    } catch (error) {
      logger.warn('could not note what the job waits for on its record', { error: error as Error });
    }
  }
  const body = withFlow(message.body, { reservedAt: admission.flow?.reservedAt, line: admission.flow?.line, noted });
  const { failedIds } = await deps.transport.send(message.lane, [jobMessage({ ...job, groupId: message.groupId }, body, seconds)]);
  if (failedIds.length === 0) return 'ack';
  await deps.transport.changeVisibility(message.lane, message.receiptHandle, seconds);
  return 'keep';
}

/**
 * A waiting job dropped with a ticket of its key's line it was not admitted on gives it back:
 * the front moves on as if it had been let through, so a flood of cancelled jobs or duplicates
 * of finished ones leaves no gap that the jobs behind would wait on (see slot-line.ts).
 */
async function leaveLine(job: JobMessage, admission: Extract<Admission, { action: 'wait' }>, deps: WorkerDependencies): Promise<void> {
  const line = admission.flow?.line;
  if (admission.wait.limit !== 'concurrency' || !line || line.admitted) return;
  await deps.flowControl!.slots.advance({ kind: job.kind, key: admission.wait.key }, deps.now());
}

/**
 * A debounced job whose key another job holds now (an operator cancelled it, or it was given up
 * on as never enqueued): cancelled, its payload kept and the job marked superseded (a retry
 * would only be superseded again), its message dropped. One an operator cancelled already keeps
 * the payload too: this message is its last copy, and a cancelled record without one could be
 * neither retried nor discarded.
 */
async function dropSuperseded(job: JobMessage, definition: JobDefinition | undefined, byJobId: string, deps: WorkerDependencies, logger: JobLog): Promise<MessageDisposition> {
  const now = deps.now();
  const payloadJson = JSON.stringify(job.payload);
  logger.info('a newer job of the debounced key runs instead; cancelling this one', { byJobId });
  try {
    await deps.store.cancel(job.id, { now, reason: `superseded: job ${byJobId} runs the debounced key instead`, expiresAt: expiryOf(definition, 'cancelled', now), payloadJson, supersededBy: byJobId });
  } catch (error) {
    if (!(error instanceof JobNotCancellableError)) throw error;
    if (error.status === 'cancelled') await deps.store.keepCancelledPayload(job.id, payloadJson, now);
    else logger.info('the superseded job is no longer waiting to start', { status: error.status });
  }
  return 'ack';
}

/** Waits out the moment until `at` (a rate-limited job's turn, at most a couple of seconds away). */
async function waitUntil(at: Date, deps: WorkerDependencies): Promise<void> {
  const ms = at.getTime() - deps.now().getTime();
  if (ms > 0) await (deps.sleep ?? sleep)(ms);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The first delivery of a cancelled job's message: its payload is kept on the record (so an
 * operator can retry the job), then the message is dropped. If an operator revived the job
 * meanwhile, the message comes back at once and runs it.
 */
async function dropCancelled(job: JobMessage, message: IncomingMessage, deps: WorkerDependencies, logger: JobLog, now: Date): Promise<MessageDisposition> {
  if (await deps.store.keepCancelledPayload(job.id, JSON.stringify(job.payload), now)) {
    logger.info('dropping the message of a cancelled job; its payload is kept for a retry');
    return 'ack';
  }
  logger.info('the cancelled job was retried meanwhile; taking its message again');
  await deps.transport.changeVisibility(message.lane, message.receiptHandle, 0);
  return 'keep';
}
