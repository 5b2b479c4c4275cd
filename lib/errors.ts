/**
 * Errors a handler throws to steer what happens next, and the typed errors the client
 * raises for bad input. Every jobline error is a {@link JoblineError}: it may carry a `cause`
 * and says whether it is `permanent`. A handler's error that is permanent fails the job at
 * once; anything else it throws is transient: the job is retried with its kind's backoff
 * while attempts remain.
 */

/** Options every jobline error takes. */
export interface JoblineErrorOptions {
  /** The error this one stems from (an AWS SDK error, a schema's error). */
  readonly cause?: unknown;
  /** Where it happened, put before the message once (e.g. `job 3` of an enqueueMany, `follow-up`, `child 2`). */
  readonly context?: string | undefined;
}

/**
 * The base of every jobline error. `permanent` says whether a retry could fix it: when a
 * handler throws one that is (bad input, a misconfigured follow-up), the job fails at once.
 */
export class JoblineError extends Error {
  override readonly name: string = 'JoblineError';
  /** True when no retry can fix it. */
  readonly permanent: boolean = false;

  constructor(message: string, options: JoblineErrorOptions = {}) {
    super(options.context ? `${options.context}: ${message}` : message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

/**
 * A failure that no retry can fix: bad input, a missing template, an invalid address, no
 * access. The job fails at once (status `failed`, message in the lane's DLQ) with `message`
 * as its plain-language reason.
 *
 * @example throw new PermanentError(`template "${name}" does not exist`)
 */
export class PermanentError extends JoblineError {
  override readonly name: string = 'PermanentError';
  override readonly permanent: boolean = true;
}

/**
 * A transient failure that knows when to try again (a provider's Retry-After, a rate limit).
 * The attempt counts; the next one runs after `delaySeconds` instead of the kind's backoff.
 */
export class RetryAfterError extends JoblineError {
  override readonly name: string = 'RetryAfterError';

  /** Seconds until the next attempt (a whole number, at least 0). */
  readonly delaySeconds: number;

  constructor(message: string, delaySeconds: number, options: JoblineErrorOptions = {}) {
    super(message, options);
    if (!Number.isFinite(delaySeconds) || delaySeconds < 0) {
      throw new RangeError(`RetryAfterError delaySeconds must be a number of seconds ≥ 0, got ${delaySeconds}`);
    }
    this.delaySeconds = Math.ceil(delaySeconds);
  }
}

/** An attempt that overran its deadline (the kind's timeout or the Lambda's remaining time). Transient. */
export class JobTimeoutError extends JoblineError {
  override readonly name: string = 'JobTimeoutError';

  constructor(readonly timeoutMs: number) {
    super(`attempt timed out after ${timeoutMs} ms`);
  }
}

/** The client or API was asked for a kind no definition exists for. */
export class UnknownKindError extends JoblineError {
  override readonly name: string = 'UnknownKindError';
  override readonly permanent: boolean = true;

  constructor(
    readonly kind: string,
    readonly knownKinds: readonly string[],
    options: JoblineErrorOptions = {},
  ) {
    super(`unknown job kind "${kind}"; known kinds: ${knownKinds.join(', ') || '(none)'}`, options);
  }
}

/** One problem a schema found in a payload: where, and what. */
export interface PayloadIssue {
  /** Dotted path into the payload, e.g. `to` or `rows.3.email`; empty for the payload itself. */
  readonly path: string;
  readonly message: string;
}

/** A payload that does not match its kind's schema. Nothing was written. Permanent: a handler that builds one fails. */
export class InvalidPayloadError extends JoblineError {
  override readonly name: string = 'InvalidPayloadError';
  override readonly permanent: boolean = true;

  constructor(
    readonly kind: string,
    readonly issues: readonly PayloadIssue[],
    options: JoblineErrorOptions = {},
  ) {
    super(`invalid payload for "${kind}": ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`, options);
  }
}

/** A payload larger than its kind allows. Nothing was written. Permanent. */
export class PayloadTooLargeError extends JoblineError {
  override readonly name: string = 'PayloadTooLargeError';
  override readonly permanent: boolean = true;

  constructor(
    readonly kind: string,
    readonly bytes: number,
    readonly limitBytes: number,
    options: JoblineErrorOptions = {},
  ) {
    super(`payload for "${kind}" is ${bytes} bytes; the limit for this kind is ${limitBytes} bytes`, options);
  }
}

/** Enqueue options that cannot be honoured (a negative delay, an unknown lane). Nothing was written. Permanent. */
export class InvalidEnqueueOptionsError extends JoblineError {
  override readonly name: string = 'InvalidEnqueueOptionsError';
  override readonly permanent: boolean = true;
}

/**
 * A job definition or construct configuration with one or more problems, all named in the
 * message. Permanent: a handler that meets one (`ctx.then` to a lane the stack does not
 * have) fails at once, since no retry changes the configuration.
 */
export class ConfigurationError extends JoblineError {
  override readonly name: string = 'ConfigurationError';
  override readonly permanent: boolean = true;

  constructor(
    readonly subject: string,
    readonly problems: readonly string[],
    options: JoblineErrorOptions = {},
  ) {
    super(`${subject}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, options);
  }
}

/** The job cannot be cancelled in its status (it already runs, or is over). */
export class JobNotCancellableError extends JoblineError {
  override readonly name: string = 'JobNotCancellableError';

  constructor(
    readonly id: string,
    readonly status: string | undefined,
  ) {
    super(status === undefined ? `no job ${id}` : `job ${id} is ${status}; only scheduled, queued or retrying jobs can be cancelled`);
  }
}

/** The attempt lost its lease (it stopped heartbeating long enough for another delivery to take the job over). */
export class LeaseLostError extends JoblineError {
  override readonly name: string = 'LeaseLostError';
}

/** An operator action that needs a `failed` or `cancelled` job met another status (or no job). */
export class JobNotRetryableError extends JoblineError {
  override readonly name: string = 'JobNotRetryableError';

  constructor(
    readonly id: string,
    readonly status: string | undefined,
    action = 'retried',
    /** Why a job in an allowed status still could not be (replaces the usual explanation). */
    reason?: string,
  ) {
    super(status === undefined ? `no job ${id}` : `job ${id} is ${status}; ${reason ?? `only failed or cancelled jobs can be ${action}`}`);
  }
}

/** An operator named a lane the config does not have. */
export class UnknownLaneError extends JoblineError {
  override readonly name: string = 'UnknownLaneError';

  constructor(
    readonly lane: string,
    readonly lanes: readonly string[],
  ) {
    super(`no lane "${lane}"; lanes: ${lanes.join(', ')}`);
  }
}

/**
 * A conditional write lost to other writers of the same item every time it was tried (a
 * debounce key or a rate limit's item under heavy contention). Transient: the delivery is
 * retried later, when the race has moved on.
 */
export class ContendedWriteError extends JoblineError {
  override readonly name: string = 'ContendedWriteError';
}

/** One item of a cancelled transaction: whose it was, and why DynamoDB refused it. */
export interface TransactionItemFailure {
  /** Its position in the transaction's items. */
  readonly index: number;
  /** `caller`: one of your items; `job`: a job's record; `unique-key`: a unique kind's key claim. */
  readonly owner: 'caller' | 'job' | 'unique-key';
  /** DynamoDB's reason: `ConditionalCheckFailed`, `TransactionConflict`, `ValidationError`, … */
  readonly code: string;
  readonly message?: string | undefined;
  /** The table the item writes and, for your items, its key where the item names one. */
  readonly table?: string | undefined;
  readonly key?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * DynamoDB cancelled a transaction that enqueues jobs beside your writes: nothing of it was
 * written, neither your items nor the jobs. `failures` says which items failed and why —
 * your own conditions first (`owner: 'caller'`). Transient when only conflicts or throttling
 * cancelled it (send it again), permanent when a condition or validation failed.
 */
export class TransactionCancelledError extends JoblineError {
  override readonly name: string = 'TransactionCancelledError';
  override readonly permanent: boolean;

  constructor(readonly failures: readonly TransactionItemFailure[], options: JoblineErrorOptions = {}) {
    super(`the transaction was cancelled and nothing was written: ${failures.map(describeFailure).join('; ') || 'DynamoDB gave no reason'}`, options);
    this.permanent = failures.some((f) => f.code === 'ConditionalCheckFailed' || f.code === 'ValidationError');
  }
}

/**
 * A job of a unique kind enqueued in a transaction met another job holding its key within
 * the window: the transaction was cancelled (nothing was written, your items neither), and
 * `existingJobId` is the job that holds the key.
 */
export class DuplicateJobError extends JoblineError {
  override readonly name: string = 'DuplicateJobError';
  override readonly permanent: boolean = true;

  constructor(
    readonly kind: string,
    readonly key: string,
    readonly existingJobId: string,
    options: JoblineErrorOptions = {},
  ) {
    super(`a "${kind}" job with unique key "${key}" exists already (job ${existingJobId}); the transaction was cancelled and nothing was written`, options);
  }
}

/** More items, or more bytes, than one DynamoDB transaction takes. Nothing was written. */
export class TransactionTooLargeError extends JoblineError {
  override readonly name: string = 'TransactionTooLargeError';
  override readonly permanent: boolean = true;

  constructor(readonly actions: number, readonly bytes: number, readonly limits: { readonly actions: number; readonly bytes: number }) {
    super(`a transaction takes at most ${limits.actions} items and ${limits.bytes} bytes; this one has ${actions} items and about ${bytes} bytes (your items plus each job's record, and its key's claim for a unique kind)`);
  }
}

function describeFailure(failure: TransactionItemFailure): string {
  const whose = failure.owner === 'caller' ? `your item ${failure.index}` : failure.owner === 'job' ? `the job record at item ${failure.index}` : `the unique-key claim at item ${failure.index}`;
  const where = failure.table ? ` (${failure.table}${failure.key ? ` ${JSON.stringify(failure.key)}` : ''})` : '';
  const what = failure.code === 'ConditionalCheckFailed' ? 'failed its condition' : `was refused: ${failure.code}${failure.message ? ` (${failure.message})` : ''}`;
  return `${whose}${where} ${what}`;
}

/** Neither the message nor the payload of these jobs could be stored: they were not enqueued. */
export class EnqueueError extends JoblineError {
  override readonly name: string = 'EnqueueError';

  constructor(readonly jobIds: readonly string[]) {
    super(`could not send or store ${jobIds.length} job(s): ${jobIds.join(', ')}; enqueue them again`);
  }
}

/**
 * A write that moves a job from a status the transition table (`JOB_TRANSITIONS`) does not
 * allow; `allowed` is what `from` may move to. `S` is `JobStatus` (a type parameter, so this
 * file needs nothing from job-status.ts, which throws it).
 */
export class IllegalTransitionError<S extends string = string> extends JoblineError {
  override readonly name: string = 'IllegalTransitionError';

  constructor(
    readonly jobId: string,
    readonly from: S | undefined,
    readonly to: S,
    readonly write: string,
    allowed: readonly S[] = [],
  ) {
    super(`${write} cannot move job ${jobId} from ${from ?? '(no record)'} to ${to}: ${from ? `${from} moves only to ${allowed.join(', ') || 'nothing'}` : 'it does not exist'}`);
  }
}

/** A queue that cannot be chosen as asked: none, several, or not the named one. The message says how to choose. */
export class QueueChoiceError extends JoblineError {
  override readonly name: string = 'QueueChoiceError';
}

/** An emulator problem a user can fix; the message names the fix. */
export class EmulatorError extends JoblineError {
  override readonly name: string = 'EmulatorError';
}

/** A deploy a user can fix; the message says how. */
export class LocalDeployError extends JoblineError {
  override readonly name: string = 'LocalDeployError';
}
