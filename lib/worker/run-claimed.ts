import { ConfigurationError, InvalidPayloadError, JoblineError, PayloadTooLargeError, PermanentError } from '../errors.js';
import { Spawner } from '../continuations/children.js';
import { followUpOf } from '../continuations/follow-ups.js';
import { once } from '../idempotency/once.js';
import { retentionSeconds, type JobDefinition } from '../job-definition.js';
import type { JobRegistry } from '../job-registry.js';
import { classifyFailure, toJobError } from '../retry/classify-failure.js';
import { attemptOf, type FollowUp } from '../store/attempt-outcome.js';
import { keepResult, type KeptResult } from '../results/keep-result.js';
import { resultKeyOf } from '../results/result-store.js';
import { Heartbeat } from './heartbeat.js';
import type { JobContext } from './job-handler.js';
import { failJob, recordRetry, recordSuccess, recordWaiting, redactedValue } from './record-outcome.js';
import { runWithDeadline } from './run-attempt.js';
import { LEASE_GRACE_MS } from './attempt-plan.js';
import type { Attempt, MessageDisposition } from './worker-dependencies.js';
import type { Logger } from '@aws-lambda-powertools/logger';

/**
 * Runs a claimed job: checks its kind and payload (a mismatch fails it permanently), runs the
 * handler against its deadline, then records what the attempt came to — waiting for children,
 * succeeded with its follow-ups, retrying, or failed.
 */
export async function runClaimed(attempt: Attempt): Promise<MessageDisposition> {
  const { job, record, deps, definition } = attempt;
  const bound = deps.jobs.get(job.kind);
  const checked = !definition || !bound
    ? { problem: new PermanentError(`unknown job kind "${job.kind}": this worker handles ${[...deps.jobs.keys()].sort().join(', ') || 'no kinds'}`) }
    : checkPayload(deps.registry, definition, job.payload);
  if ('problem' in checked) return failJob(attempt, toJobError(checked.problem, { attempt: record.attempt, permanent: true, now: deps.now() }));

  const started = deps.now();
  const calls = handlerContext(attempt, started);
  const outcome = await runWithDeadline(attempt.plan.timeoutMs, () => bound!.handler(checked.payload, calls.context), calls.controller);
  const timing = { started, finished: deps.now() };
  const step = { ...job, attempt: record.attempt, receiveCount: attempt.message.receiveCount };
  await deps.onStep?.('handled', step);
  const disposition = await recordAttempt(attempt, definition!, outcome, calls, timing);
  await deps.onStep?.('recorded', step);
  return disposition;
}

/** Records what the attempt came to: waiting for its children, succeeded with its follow-ups, retrying, or failed. */
async function recordAttempt(
  delivery: Attempt,
  definition: JobDefinition,
  outcome: Awaited<ReturnType<typeof runWithDeadline>>,
  calls: ReturnType<typeof handlerContext>,
  timing: { started: Date; finished: Date },
): Promise<MessageDisposition> {
  if (outcome.ok && calls.spawner.spawned) return recordWaiting(delivery, timing, outcome.result);
  let thrown = outcome.ok ? undefined : outcome.thrown;
  if (outcome.ok) {
    // The result as stored and reported to a parent: without the kind's redacted fields.
    const shown = redactedValue(delivery, outcome.result);
    const kept = await keptResultOf(delivery, definition, shown);
    if (!(kept instanceof JoblineError)) return recordSuccess(delivery, timing, shown, kept, calls.followUps, retentionSeconds(definition, 'succeeded'));
    thrown = kept;
  }
  const failure = classifyFailure(thrown, delivery.record.attempt, definition.retry, timing.finished, delivery.deps.random);
  if (failure.action === 'retry') return recordRetry(delivery, timing, failure);
  return failJob(delivery, failure.error, timing.finished.getTime() - timing.started.getTime());
}

/**
 * Where the attempt's (redacted) result is kept: on the record, or in the result store first.
 * A result the store could not take makes the attempt a transient failure — retried like any
 * other, the handler run again — rather than a success whose result is lost.
 */
async function keptResultOf(delivery: Attempt, definition: JobDefinition, result: unknown): Promise<KeptResult | JoblineError> {
  const { job, record, deps } = delivery;
  try {
    return await keepResult(result, { inlineBytes: definition.maxInlineResultBytes, store: deps.results, key: resultKeyOf(job.id, record.attempt, record.claimToken) });
  } catch (error) {
    return new JoblineError(`the result could not be kept in the results bucket: ${(error as Error).message}`, { cause: error });
  }
}

/** The `ctx` of one attempt (its signal is the controller's, which runWithDeadline aborts), and what the handler's calls collect. */
function handlerContext(delivery: Attempt, started: Date) {
  const { job, record, message, deps, logger, plan, untracked } = delivery;
  const controller = new AbortController();
  const followUps: FollowUp[] = [];
  const spawner = new Spawner(attemptOf(record), deps, () => deps.onStep?.('children-written', { ...job, attempt: record.attempt, receiveCount: message.receiveCount }));
  const slot = delivery.slot;
  const slots = deps.flowControl?.slots;
  const renewSlot = slot && slots ? (leaseUntil: Date) => slots.renew(slot, leaseUntil) : undefined;
  const heartbeat = new Heartbeat({ ...attemptOf(record), lane: message.lane, receiptHandle: message.receiptHandle, leaseSeconds: plan.heartbeatLeaseSeconds }, delivery.recorder, deps.transport, controller, deps.now, renewSlot);
  let handlerLogger: Logger | undefined;
  const context: JobContext = {
    signal: controller.signal,
    id: job.id,
    kind: job.kind,
    attempt: record.attempt,
    maxAttempts: record.maxAttempts,
    deadline: new Date(started.getTime() + plan.timeoutMs),
    // Made when the handler first reads it (see JobLog): most handlers never do.
    get logger() {
      return (handlerLogger ??= logger.child({ attempt: record.attempt }));
    },
    // Progress is stored as shown: without the kind's redacted fields or their values.
    heartbeat: (progress?: unknown) => heartbeat.beat(progress === undefined ? undefined : redactedValue(delivery, progress)),
    once: (key, fn, options) => once({
      store: deps.idempotency,
      jobId: job.id,
      kind: job.kind,
      leaseUntil: () => new Date(started.getTime() + plan.timeoutMs + LEASE_GRACE_MS),
      now: deps.now,
    }, key, fn, options),
    then: (next, payload) => {
      if (untracked) throw needsRecord('ctx.then', job.kind);
      if (spawner.spawned) throw followUpOfParent(job.kind);
      followUps.push(followUpOf(next as JobDefinition, payload, job.id, deps));
    },
    spawn: async (children, payloads, options) => {
      if (untracked) throw needsRecord('ctx.spawn', job.kind);
      if (followUps.length > 0) throw followUpOfParent(job.kind);
      return spawner.spawn(children as JobDefinition, payloads, options);
    },
  };
  return { context, controller, followUps, spawner };
}

/**
 * The (permanent) error of an attempt that both spawns children and calls `ctx.then`: a parent
 * succeeds only when its children are done, after the attempt, and its follow-ups are written
 * with an attempt's success; rather than lose them, the second call is refused.
 */
function followUpOfParent(kind: string): ConfigurationError {
  return new ConfigurationError('ctx.then with ctx.spawn', [
    `a "${kind}" attempt cannot both spawn children and call ctx.then: a parent's follow-ups are not kept until its children finish (send the next job from a child, or enqueue it once the parent has succeeded)`,
  ]);
}

/** The (permanent) error of a call that needs the job's record, in a run that has none. */
function needsRecord(call: string, kind: string): ConfigurationError {
  return new ConfigurationError(call, [`kind "${kind}" is tracked by its outcome only: its jobs have no record to hang a ${call === 'ctx.spawn' ? 'child' : 'follow-up'} on (use tracking "full" or "from-claim")`]);
}

/** The payload parsed by its schema, or the (permanent) error that a mismatch is. */
function checkPayload(registry: JobRegistry, definition: JobDefinition, payload: unknown): { payload: unknown } | { problem: JoblineError } {
  try {
    return { payload: registry.validate(definition, payload).payload };
  } catch (error) {
    if (error instanceof InvalidPayloadError || error instanceof PayloadTooLargeError) return { problem: error };
    throw error;
  }
}
