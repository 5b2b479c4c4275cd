/**
 * Errors a handler throws to steer what happens next, and the typed errors the client
 * raises for bad input. Anything a handler throws that is not one of these is transient:
 * the job is retried with its kind's backoff while attempts remain.
 */

/**
 * A failure that no retry can fix: bad input, a missing template, an invalid address, no
 * access. The job fails at once (status `failed`, message in the lane's DLQ) with `message`
 * as its plain-language reason.
 *
 * @example throw new PermanentError(`template "${name}" does not exist`)
 */
export class PermanentError extends Error {
  override readonly name: string = 'PermanentError';
}

/**
 * A transient failure that knows when to try again (a provider's Retry-After, a rate limit).
 * The attempt counts; the next one runs after `delaySeconds` instead of the kind's backoff.
 */
export class RetryAfterError extends Error {
  override readonly name: string = 'RetryAfterError';

  /** Seconds until the next attempt (a whole number, at least 0). */
  readonly delaySeconds: number;

  constructor(message: string, delaySeconds: number) {
    super(message);
    if (!Number.isFinite(delaySeconds) || delaySeconds < 0) {
      throw new RangeError(`RetryAfterError delaySeconds must be a number of seconds ≥ 0, got ${delaySeconds}`);
    }
    this.delaySeconds = Math.ceil(delaySeconds);
  }
}

/** An attempt that overran its deadline (the kind's timeout or the Lambda's remaining time). Transient. */
export class JobTimeoutError extends Error {
  override readonly name: string = 'JobTimeoutError';

  constructor(readonly timeoutMs: number) {
    super(`attempt timed out after ${timeoutMs} ms`);
  }
}

/** The client or API was asked for a kind no definition exists for. */
export class UnknownKindError extends Error {
  override readonly name: string = 'UnknownKindError';

  constructor(
    readonly kind: string,
    readonly knownKinds: readonly string[],
  ) {
    super(`unknown job kind "${kind}"; known kinds: ${knownKinds.join(', ') || '(none)'}`);
  }
}

/** One problem a schema found in a payload: where, and what. */
export interface PayloadIssue {
  /** Dotted path into the payload, e.g. `to` or `rows.3.email`; empty for the payload itself. */
  readonly path: string;
  readonly message: string;
}

/** A payload that does not match its kind's schema. Nothing was written. */
export class InvalidPayloadError extends Error {
  override readonly name: string = 'InvalidPayloadError';

  constructor(
    readonly kind: string,
    readonly issues: readonly PayloadIssue[],
  ) {
    super(`invalid payload for "${kind}": ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`);
  }
}

/** A payload larger than its kind allows. Nothing was written. */
export class PayloadTooLargeError extends Error {
  override readonly name: string = 'PayloadTooLargeError';

  constructor(
    readonly kind: string,
    readonly bytes: number,
    readonly limitBytes: number,
  ) {
    super(`payload for "${kind}" is ${bytes} bytes; the limit for this kind is ${limitBytes} bytes`);
  }
}

/** Enqueue options that cannot be honoured (a negative delay, an unknown lane). Nothing was written. */
export class InvalidEnqueueOptionsError extends Error {
  override readonly name: string = 'InvalidEnqueueOptionsError';
}

/** A job definition or construct configuration with one or more problems, all named in the message. */
export class ConfigurationError extends Error {
  override readonly name: string = 'ConfigurationError';

  constructor(
    readonly subject: string,
    readonly problems: readonly string[],
  ) {
    super(`${subject}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** The job cannot be cancelled in its status (it already runs, or is over). */
export class JobNotCancellableError extends Error {
  override readonly name: string = 'JobNotCancellableError';

  constructor(
    readonly id: string,
    readonly status: string | undefined,
  ) {
    super(status === undefined ? `no job ${id}` : `job ${id} is ${status}; only scheduled, queued or retrying jobs can be cancelled`);
  }
}

/** The attempt lost its lease (it stopped heartbeating long enough for another delivery to take the job over). */
export class LeaseLostError extends Error {
  override readonly name: string = 'LeaseLostError';
}

/** An operator action that needs a `failed` or `cancelled` job met another status (or no job). */
export class JobNotRetryableError extends Error {
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
export class UnknownLaneError extends Error {
  override readonly name: string = 'UnknownLaneError';

  constructor(
    readonly lane: string,
    readonly lanes: readonly string[],
  ) {
    super(`no lane "${lane}"; lanes: ${lanes.join(', ')}`);
  }
}
