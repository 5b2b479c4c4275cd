import type { JobDefinition } from '../job-definition.js';
import { InvalidEnqueueOptionsError } from '../errors.js';

/** Longest delay an enqueue accepts, in seconds (one year). */
export const MAX_DELAY_SECONDS = 365 * 86_400;

/** Per-job options of an enqueue. */
export interface EnqueueOptions {
  /**
   * Seconds before the job may run (whole seconds, up to a year). Up to the config's
   * scheduler threshold (at most 900) SQS holds the message; longer, a one-time schedule does.
   * @default 0
   */
  readonly delaySeconds?: number;
  /** When the job may run (a Date or an ISO-8601 string); instead of `delaySeconds`. A past time runs now. */
  readonly runAt?: Date | string;
  /** Who enqueued it, kept on the record. @default the client's `createdBy` */
  readonly createdBy?: string;
  /** Tags beside its kind's (`tags`): at most 5 in all, each 1–64 of `A–Z a–z 0–9 _ . : / @ = + -`; operators list and count jobs by tag. @default none */
  readonly tags?: readonly string[];
}

/** Whole seconds from now until the job may run: `delaySeconds`, or until `runAt`. Throws InvalidEnqueueOptionsError for anything else. */
export function delaySecondsOf(options: EnqueueOptions, now: Date, context: string | undefined): number {
  if (options.runAt !== undefined && options.delaySeconds !== undefined) throw new InvalidEnqueueOptionsError('give either delaySeconds or runAt, not both', { context });
  if (options.runAt !== undefined) {
    const at = options.runAt instanceof Date ? options.runAt.getTime() : Date.parse(options.runAt);
    if (Number.isNaN(at)) throw new InvalidEnqueueOptionsError(`runAt must be a Date or an ISO-8601 time, got ${JSON.stringify(options.runAt)}`, { context });
    const seconds = Math.max(0, Math.ceil((at - now.getTime()) / 1000));
    if (seconds > MAX_DELAY_SECONDS) throw new InvalidEnqueueOptionsError(`runAt must be within a year (${MAX_DELAY_SECONDS} s) from now, got ${new Date(at).toISOString()}`, { context });
    return seconds;
  }
  const seconds = options.delaySeconds ?? 0;
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_DELAY_SECONDS) {
    throw new InvalidEnqueueOptionsError(`delaySeconds must be a whole number of seconds from 0 to ${MAX_DELAY_SECONDS} (a year), got ${seconds}`, { context });
  }
  return seconds;
}

/** The unique key of a unique kind's payload: a string of 1–512 characters, else InvalidEnqueueOptionsError. */
export function uniqueKeyOf(definition: JobDefinition, payload: unknown, context: string | undefined): string {
  const key = definition.unique!.key(payload);
  if (typeof key !== 'string' || key.length === 0 || key.length > 512) {
    throw new InvalidEnqueueOptionsError(`the unique key of "${definition.kind}" must be a string of 1–512 characters, got ${JSON.stringify(key)}`, { context });
  }
  return key;
}
