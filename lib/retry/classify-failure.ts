import { JobTimeoutError, JoblineError, RetryAfterError } from '../errors.js';
import type { RetryPolicy } from '../job-definition.js';
import type { JobError } from '../job-record.js';
import { backoffSeconds } from './backoff.js';

/** What a failed attempt leads to. */
export type FailureOutcome =
  | { readonly action: 'retry'; readonly delaySeconds: number; readonly error: JobError }
  | { readonly action: 'fail'; readonly error: JobError };

/** Longest stored error message, in characters; the record must stay small. */
export const MAX_ERROR_MESSAGE_LENGTH = 500;

/**
 * Decides what a failed attempt leads to: a permanent error (a {@link PermanentError}, or any
 * {@link JoblineError} no retry can fix, like a ConfigurationError) fails at once; a
 * {@link RetryAfterError} retries after its own delay; anything else (a timeout included)
 * retries with the kind's backoff. Any of them fails once `attempt` reaches `maxAttempts`.
 */
export function classifyFailure(
  thrown: unknown,
  attempt: number,
  policy: RetryPolicy,
  now: Date,
  random: () => number = Math.random,
): FailureOutcome {
  const permanent = thrown instanceof JoblineError && thrown.permanent;
  const error = toJobError(thrown, { attempt, permanent, now });
  if (permanent) return { action: 'fail', error };
  if (attempt >= policy.maxAttempts) {
    return { action: 'fail', error: { ...error, message: `${error.message} (attempt ${attempt} of ${policy.maxAttempts}, none left)` } };
  }
  const delaySeconds = thrown instanceof RetryAfterError ? thrown.delaySeconds : backoffSeconds(policy, attempt, random);
  return { action: 'retry', delaySeconds, error };
}

/** A stored error: the message (trimmed), the class, whether it was permanent, when, and on which attempt. */
export function toJobError(thrown: unknown, at: { readonly attempt: number; readonly permanent: boolean; readonly now: Date }): JobError {
  const { attempt, permanent, now } = at;
  const isError = thrown instanceof Error;
  const message = isError ? thrown.message : typeof thrown === 'string' ? thrown : safeJson(thrown);
  return {
    message: truncate(message || '(no message)', MAX_ERROR_MESSAGE_LENGTH),
    class: isError ? thrown.name || thrown.constructor.name : typeof thrown,
    permanent,
    timeout: thrown instanceof JobTimeoutError ? true : undefined,
    attempt,
    at: now.toISOString(),
  };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
