import type { JobStatus } from './job-status.js';
import type { DroppedResult, ResultRef } from './results/result-store.js';

/** One failed attempt, as stored on the record (`lastError` and the `errors` history). */
export interface JobError {
  /** Plain-language reason, at most 500 characters. */
  readonly message: string;
  /** The error's class name, e.g. `PermanentError`, `TypeError`, `JobTimeoutError`. */
  readonly class: string;
  /** True when the failure was permanent (no retry was attempted). */
  readonly permanent: boolean;
  /** True when the attempt overran its deadline. */
  readonly timeout?: boolean | undefined;
  /** The attempt (1-based) that failed. */
  readonly attempt: number;
  /** When it failed (ISO-8601). */
  readonly at: string;
}

/** What a job that has not started waits for: a flow-control limit of its kind, under a key. */
export interface JobWait {
  /** The kind's option that holds it back. */
  readonly limit: 'concurrency' | 'rateLimit' | 'debounce';
  /** The key it counts under (`*`: the kind's own limit). */
  readonly key: string;
  /** When it started waiting (ISO-8601). */
  readonly since: string;
  /** When it expects to start: its rate-limit turn, or when its debounce window ends (ISO-8601). */
  readonly until?: string | undefined;
}

/** How many past errors a record keeps, newest last. */
export const ERROR_HISTORY_LENGTH = 5;

/**
 * A job as stored in the jobs table. Times are ISO-8601 strings.
 *
 * The payload is not stored on the happy path: it travels in the SQS message, which keeps
 * every record write at one write unit. It is copied onto the record when the job fails or
 * is cancelled (so an operator can inspect and retry it) or when its message could not be
 * sent (so the sweeper can send it again).
 */
export interface JobRecord {
  readonly id: string;
  readonly kind: string;
  readonly lane: string;
  readonly status: JobStatus;
  /** Attempts started so far (0 before the first claim). */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When a delayed job is due. */
  readonly runAt?: string | undefined;
  /** When a retrying job runs next. */
  readonly nextRunAt?: string | undefined;
  readonly startedAt?: string | undefined;
  readonly finishedAt?: string | undefined;
  /** Duration of the last attempt, in ms. */
  readonly durationMs?: number | undefined;
  /** The running attempt's lease: past this time, another worker may take the job over. */
  readonly leaseUntil?: string | undefined;
  /**
   * The token of the claim that took the job for its latest attempt (unique per claim). Every
   * write of that attempt — its outcome, heartbeats, its children's set-up — is fenced on it, so
   * an attempt that an operator's retry or a takeover replaced can write nothing; a DLQ copy
   * carries the token of the failure that made it, which tells a redrive whether it is current.
   */
  readonly claimToken?: string | undefined;
  readonly lastError?: JobError | undefined;
  /** The last `ERROR_HISTORY_LENGTH` errors, oldest first. */
  readonly errors?: readonly JobError[] | undefined;
  readonly progress?: unknown;
  /** What the handler returned, when it fits the kind's `maxInlineResultBytes`. */
  readonly result?: unknown;
  /** Where a larger result is: its object in the results bucket (`JobClient.result` reads it). */
  readonly resultRef?: ResultRef | undefined;
  /** A result that was not kept (too large even for the results bucket, or no bucket), with its size and why. */
  readonly resultDropped?: DroppedResult | undefined;
  readonly parentId?: string | undefined;
  /** The message group its messages are sent in (a fair-queue tenant: the kind's `group` key), kept for every re-send. */
  readonly groupId?: string | undefined;
  /** Its tags (its kind's and its enqueue's): operators list and count jobs by tag. */
  readonly tags?: readonly string[] | undefined;
  /** The context it was enqueued in (a W3C `traceparent`), kept while tracing is on (`jobline/tracing`): its attempts' spans link to it. */
  readonly trace?: string | undefined;
  /**
   * A parent's children: how many it spawned, how many are in a final state, and how many of
   * those failed or were cancelled. Each child counts once: an operator's retry of a failed or
   * cancelled child takes it back out (and reopens a parent its children had failed).
   */
  readonly childrenTotal?: number | undefined;
  readonly childrenDone?: number | undefined;
  readonly childrenFailed?: number | undefined;
  readonly childrenCancelled?: number | undefined;
  /** When its children's outcomes finished this parent (absent for a parent its own handler failed): a retry of a failed child reopens it. */
  readonly settledAt?: string | undefined;
  /** A parent's sums of its finished children's numeric result fields (progress while it waits). */
  readonly childTotals?: Readonly<Record<string, number>> | undefined;
  /** A parent that fails, and cancels its other children, when one child fails. */
  readonly failFast?: boolean | undefined;
  /** The job whose success enqueued this one (a continuation). */
  readonly predecessorId?: string | undefined;
  readonly uniqueKey?: string | undefined;
  /** Who enqueued it: an IAM principal ARN from the API, or what the client was told. */
  readonly createdBy?: string | undefined;
  /** Size of the payload, in bytes of JSON. */
  readonly payloadBytes: number;
  /** The payload, present only on failed and cancelled jobs and on jobs whose message is not yet sent. */
  readonly payload?: unknown;
  /** The one-time Scheduler schedule holding the job's message (long delays, long retries). */
  readonly scheduleName?: string | undefined;
  /** What it waits for before it can start (flow control); cleared when it starts. */
  readonly waitingFor?: JobWait | undefined;
  /** Why it was cancelled, and by whom. */
  readonly cancelReason?: string | undefined;
  /** A debounced job cancelled because a newer job of its key runs instead: that job's id (such a job is not retried). */
  readonly supersededBy?: string | undefined;
  /** When DynamoDB's TTL removes the record (seconds since the epoch). */
  readonly expiresAt?: number | undefined;
}
