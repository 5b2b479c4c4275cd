import type { z } from 'zod';
import { ConfigurationError } from './errors.js';
import { scheduleExpressionProblem } from './schedule-expression.js';
import { FIELD_PATH } from './redaction.js';
import { DEFAULT_INLINE_RESULT_BYTES, MAX_INLINE_RESULT_BYTES } from './results/result-store.js';
import { MAX_TAGS, TAG, type JobTags } from './tags/job-tags.js';
import { flowControlRules, type ConcurrencyLimit, type Debounce, type FairGroup, type RateLimit } from './flow-options.js';

export { MAX_CONCURRENCY_LIMIT, MAX_DEBOUNCE_SECONDS, MAX_FLOW_KEY_LENGTH, MAX_RATE_LIMIT, MAX_RATE_PERIOD_SECONDS, type ConcurrencyLimit, type Debounce, type FairGroup, type RateLimit } from './flow-options.js';

/** Default lane (queue) for kinds that name none. */
export const DEFAULT_LANE = 'default';
/** Default attempts per job, the first one included. */
export const DEFAULT_MAX_ATTEMPTS = 5;
/** Default delay before the first retry, in seconds; it doubles per attempt. */
export const DEFAULT_BACKOFF_BASE_SECONDS = 30;
/** Default longest delay between attempts, in seconds (1 h). */
export const DEFAULT_BACKOFF_CAP_SECONDS = 3600;
/** Default share of each delay that is randomised (0.2: a delay lands in [80 %, 100 %] of its step). */
export const DEFAULT_BACKOFF_JITTER = 0.2;
/** Default time one attempt may take, in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 60;
/** Default time a succeeded job stays queryable, in seconds (1 day). */
export const DEFAULT_SUCCEEDED_RETENTION_SECONDS = 86_400;
/** Default time a failed job stays queryable, in seconds (14 days, the DLQ's retention). */
export const DEFAULT_FAILED_RETENTION_SECONDS = 14 * 86_400;
/**
 * Default payload limit, in bytes of JSON. SQS bills each 64 KiB of a message as one
 * request, so the default keeps a job to one billed chunk with room for the envelope.
 */
export const DEFAULT_MAX_PAYLOAD_BYTES = 60 * 1024;
/** The largest payload any kind may allow: an SQS message is at most 256 KiB, envelope included. */
export const MAX_PAYLOAD_BYTES_LIMIT = 250 * 1024;
/** SQS caps a message's visibility timeout at 12 h: longer retry delays go through a one-time schedule. */
export const MAX_VISIBILITY_SECONDS = 43_200;
/** Longest delay between attempts a kind may ask for, in seconds (30 days). */
export const MAX_BACKOFF_SECONDS = 30 * 86_400;
/** Lambda's own limit on one invocation, and so on one attempt. */
export const MAX_TIMEOUT_SECONDS = 900;

/** How a kind retries transient failures. */
export interface RetryPolicy {
  /** Attempts in all, the first one included. @default DEFAULT_MAX_ATTEMPTS (5) */
  readonly maxAttempts: number;
  /** Delay before the first retry, in seconds; attempt n waits base × 2^(n-1). @default 30 */
  readonly backoffBaseSeconds: number;
  /** Longest delay between attempts, in seconds. @default 3600 */
  readonly backoffCapSeconds: number;
  /** Share of each delay that is random, from 0 (none) to 1 (full jitter). @default 0.2 */
  readonly jitter: number;
}

/** How long a finished job stays queryable before DynamoDB's TTL removes it. */
export interface Retention {
  /** Seconds a `succeeded` job is kept. @default 86400 (1 day) */
  readonly succeededSeconds: number;
  /** Seconds a `failed` or `cancelled` job is kept. @default 1209600 (14 days) */
  readonly failedSeconds: number;
}

/**
 * A recurring schedule declared on a kind: the construct creates an EventBridge Scheduler
 * schedule for it, and each firing becomes exactly one job (its id derives from the
 * schedule's name and the scheduled time, so a repeated firing never makes a second job).
 */
export interface CronSchedule<TInput = unknown> {
  /** Short name, unique within the kind: lowercase letters, digits, `-` (like `nightly`). */
  readonly name: string;
  /** `cron(minutes hours day-of-month month day-of-week year)` or `rate(value unit)`, as EventBridge Scheduler takes them. */
  readonly expression: string;
  /** IANA time zone the cron expression reads in. @default 'UTC' */
  readonly timezone?: string;
  /** The payload every firing's job gets; checked against the kind's schema when the kind is defined. */
  readonly payload: TInput;
}

/**
 * Uniqueness: while a job of this kind with the same key was enqueued within the window, a
 * new enqueue returns that job instead of creating a second one.
 */
export interface Uniqueness<TPayload = unknown> {
  /** The key of a payload, e.g. `(p) => \`${p.type}:${p.from}:${p.to}\``. */
  key(payload: TPayload): string;
  /** Seconds a key stays taken after its job was enqueued. */
  readonly windowSeconds: number;
}

/** What a caller writes to define a kind. Only `kind` and `schema` are required. */
export interface JobDefinitionInput<TSchema extends z.ZodType> {
  /** Stable name of the job type, such as `email.send`. Never a class name: it is stored in every record. */
  readonly kind: string;
  /** Schema every payload must match, at enqueue and again in the worker. */
  readonly schema: TSchema;
  /** Retry policy; missing fields take the defaults above. */
  readonly retry?: Partial<RetryPolicy>;
  /** Seconds one attempt may run before its AbortSignal fires. @default 60 */
  readonly timeoutSeconds?: number;
  /**
   * For long jobs: the handler promises to call `ctx.heartbeat()` at least this often, in
   * seconds. The attempt's lease (record and message visibility) then lasts 3 heartbeats and
   * each heartbeat renews it, so a worker that dies or hangs loses the job within 3 heartbeats
   * instead of the queue's visibility timeout. @default none (the lease lasts the whole timeout)
   */
  readonly heartbeatSeconds?: number;
  /** Lane (queue) the kind runs on: lanes isolate slow or bulky kinds from the rest. @default 'default' */
  readonly lane?: string;
  /** How long finished jobs stay queryable. */
  readonly retention?: Partial<Retention>;
  /** Largest payload accepted, in bytes of JSON. @default 61440 */
  readonly maxPayloadBytes?: number;
  /**
   * Largest result kept on the job's record, in bytes of JSON (0 to 32768). A larger one goes to
   * the JobQueue's results bucket (S3) with a pointer on the record, up to
   * 4,194,304 bytes; `JobClient.result` reads it back either way. A record over
   * 1 KB costs 2 write units a write (see docs/cost.md). @default 4096
   */
  readonly maxInlineResultBytes?: number;
  /** Recurring schedules that enqueue this kind. @default none */
  readonly schedules?: readonly CronSchedule<z.input<TSchema>>[];
  /** One job per key within a window. @default none */
  readonly unique?: Uniqueness<z.output<TSchema>>;
  /** At most this many jobs (per key) running at once. @default no limit */
  readonly concurrency?: ConcurrencyLimit<z.output<TSchema>>;
  /** At most this many starts (per key) per period. @default no limit */
  readonly rateLimit?: RateLimit<z.output<TSchema>>;
  /** One run per burst of enqueues of a key, with the latest payload. @default none */
  readonly debounce?: Debounce<z.output<TSchema>>;
  /** The tenant each job's message is grouped under, for SQS fair queues. @default none */
  readonly group?: FairGroup<z.output<TSchema>>;
  /**
   * Payload fields that hold personal data (`email`, `card.number`; arrays are crossed): the
   * dashboard, the CLI, the inspector and the HTTP API show them as `[redacted]`, and their
   * values are scrubbed out of stored errors, DLQ notes and the worker's logs. The stored
   * payload stays whole, so a retry still runs with it. @default none
   */
  readonly redact?: readonly string[];
  /**
   * How much of a job's life is recorded — a dial between visibility and price (see
   * {@link TrackingLevel}). @default 'full'
   */
  readonly tracking?: TrackingLevel;
  /**
   * Tags each job of the kind carries — fixed, or computed from its payload (`(p) =>
   * [`customer:${p.customerId}`]`) — beside any an enqueue adds (`options.tags`): operators list
   * and count jobs by tag (`JobInspector.list({ tag })`, `jobline jobs ls --tag`). At most 5 a
   * job, each 1–64 of `A–Z a–z 0–9 _ . : / @ = + -`; each costs one write at enqueue; only kinds
   * tracked `full`. @default none: nothing is written for tags
   */
  readonly tags?: JobTags<z.output<TSchema>>;
}

/**
 * How much of a job's life its record shows:
 * - `full`: queued, scheduled, running and finished jobs are all queryable (3 write units per
 *   job with a 1 KB payload);
 * - `from-claim`: the enqueue writes no record — the message is the job until a worker claims
 *   it, and the claim writes the record (2 write units). Queued and scheduled jobs show only in
 *   the lanes' depths, cannot be cancelled by id, and a failed send is the caller's error (no
 *   sweeper to fall back on). A duplicate delivery is still dropped by the claim. Not with
 *   `unique` or `debounce` (both point at the record), nor in a transactional enqueue.
 * - `outcome`: only the outcome is recorded, once: no record at enqueue and no claim — the
 *   worker reads whether the job already finished, runs it, and writes its final record
 *   (1 write unit). What it gives up: the claim's fence — a duplicate delivered while the job
 *   runs, or a worker that dies mid-run, runs the handler again (guard effects with
 *   `ctx.once`); running and retrying jobs have no record; attempts are SQS's receive count. A
 *   duplicate of a finished job is still dropped. Not with `unique`, `debounce`, flow-control
 *   limits, `heartbeatSeconds`, backoffs past 12 hours, `ctx.spawn` or `ctx.then`.
 */
export type TrackingLevel = 'full' | 'from-claim' | 'outcome';
export const TRACKING_LEVELS: readonly TrackingLevel[] = ['full', 'from-claim', 'outcome'];

/**
 * A job type, defined once as data and shared by the client (validation), the worker
 * (dispatch) and the CDK construct (lanes, timeouts, redrive counts). It holds no handler,
 * so infrastructure code can read it without importing handler code.
 */
export interface JobDefinition<TPayload = unknown, TInput = TPayload> {
  readonly kind: string;
  /** Parses what callers enqueue (`TInput`) into what the handler gets (`TPayload`, defaults filled). */
  readonly schema: z.ZodType<TPayload, TInput>;
  readonly retry: RetryPolicy;
  readonly timeoutSeconds: number;
  readonly heartbeatSeconds?: number | undefined;
  readonly lane: string;
  readonly retention: Retention;
  readonly maxPayloadBytes: number;
  readonly maxInlineResultBytes: number;
  readonly schedules: readonly CronSchedule<TInput>[];
  readonly unique?: Uniqueness<TPayload> | undefined;
  readonly concurrency?: ConcurrencyLimit<TPayload> | undefined;
  readonly rateLimit?: RateLimit<TPayload> | undefined;
  readonly debounce?: Debounce<TPayload> | undefined;
  readonly group?: FairGroup<TPayload> | undefined;
  readonly redact?: readonly string[] | undefined;
  readonly tracking: TrackingLevel;
  readonly tags?: JobTags<TPayload> | undefined;
}

/** The payload type a handler of a definition receives. */
export type PayloadOf<TDefinition> = TDefinition extends JobDefinition<infer P, unknown> ? P : never;
/** The payload type a caller enqueues for a definition (optional fields with defaults may be left out). */
export type InputOf<TDefinition> = TDefinition extends JobDefinition<unknown, infer I> ? I : never;

const KIND = /^[a-z][a-z0-9]*(?:[._-][a-z0-9]+)*$/;
const LANE = /^[a-z][a-z0-9-]{0,29}$/;

/**
 * Defines a job type: fills every option from the exported defaults, then validates the
 * result and throws one {@link ConfigurationError} naming every problem. Nothing is clamped.
 *
 * @example
 * export const sendEmail = defineJob({
 *   kind: 'email.send',
 *   schema: z.object({ to: z.string(), template: z.string() }),
 *   retry: { maxAttempts: 8 },
 * });
 */
export function defineJob<TSchema extends z.ZodType>(input: JobDefinitionInput<TSchema>): JobDefinition<z.output<TSchema>, z.input<TSchema>> {
  const definition: JobDefinition<z.output<TSchema>, z.input<TSchema>> = {
    kind: input.kind,
    schema: input.schema as z.ZodType<z.output<TSchema>, z.input<TSchema>>,
    retry: {
      maxAttempts: input.retry?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      backoffBaseSeconds: input.retry?.backoffBaseSeconds ?? DEFAULT_BACKOFF_BASE_SECONDS,
      backoffCapSeconds: input.retry?.backoffCapSeconds ?? DEFAULT_BACKOFF_CAP_SECONDS,
      jitter: input.retry?.jitter ?? DEFAULT_BACKOFF_JITTER,
    },
    timeoutSeconds: input.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    heartbeatSeconds: input.heartbeatSeconds,
    lane: input.lane ?? DEFAULT_LANE,
    retention: {
      succeededSeconds: input.retention?.succeededSeconds ?? DEFAULT_SUCCEEDED_RETENTION_SECONDS,
      failedSeconds: input.retention?.failedSeconds ?? DEFAULT_FAILED_RETENTION_SECONDS,
    },
    maxPayloadBytes: input.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
    maxInlineResultBytes: input.maxInlineResultBytes ?? DEFAULT_INLINE_RESULT_BYTES,
    schedules: (input.schedules ?? []).map((schedule) => ({ ...schedule, timezone: schedule.timezone ?? 'UTC' })),
    unique: input.unique,
    concurrency: input.concurrency,
    rateLimit: input.rateLimit,
    debounce: input.debounce,
    group: input.group,
    redact: input.redact,
    tracking: input.tracking ?? 'full',
    tags: input.tags,
  };
  const problems = definitionProblems(definition);
  if (problems.length > 0) throw new ConfigurationError(`job definition "${String(input.kind)}" is invalid`, problems);
  return Object.freeze(definition);
}

/** Every rule a definition must meet, as `[broken?, message]` pairs. */
function definitionProblems(d: JobDefinition<unknown, unknown>): string[] {
  const { retry, retention } = d;
  const rules: Array<[boolean, string]> = [
    ...flowControlRules(d),
    [typeof d.kind !== 'string' || !KIND.test(d.kind) || d.kind.length > 64,
      `kind must be 1–64 lowercase letters, digits and single . _ - separators (like "email.send"), got ${JSON.stringify(d.kind)}`],
    [typeof d.schema?.safeParse !== 'function', 'schema must be a zod schema'],
    [!LANE.test(d.lane), `lane must be 1–30 lowercase letters, digits or -, starting with a letter, got ${JSON.stringify(d.lane)}`],
    [!isIntegerIn(retry.maxAttempts, 1, 100), `retry.maxAttempts must be an integer from 1 to 100, got ${retry.maxAttempts}`],
    [!isIntegerIn(retry.backoffBaseSeconds, 1, MAX_BACKOFF_SECONDS),
      `retry.backoffBaseSeconds must be an integer from 1 to ${MAX_BACKOFF_SECONDS} (30 days), got ${retry.backoffBaseSeconds}`],
    [!isIntegerIn(retry.backoffCapSeconds, retry.backoffBaseSeconds, MAX_BACKOFF_SECONDS),
      `retry.backoffCapSeconds must be an integer from backoffBaseSeconds (${retry.backoffBaseSeconds}) to ${MAX_BACKOFF_SECONDS} (30 days), got ${retry.backoffCapSeconds}`],
    [!(retry.jitter >= 0 && retry.jitter <= 1), `retry.jitter must be a number from 0 to 1, got ${retry.jitter}`],
    [!isIntegerIn(d.timeoutSeconds, 1, MAX_TIMEOUT_SECONDS),
      `timeoutSeconds must be an integer from 1 to ${MAX_TIMEOUT_SECONDS} (Lambda's limit), got ${d.timeoutSeconds}`],
    [d.unique !== undefined && (typeof d.unique.key !== 'function' || !isIntegerIn(d.unique.windowSeconds, 1, 365 * 86_400)),
      `unique needs a key function and windowSeconds, an integer from 1 to ${365 * 86_400}, got ${d.unique?.windowSeconds}`],
    [d.heartbeatSeconds !== undefined && !isIntegerIn(d.heartbeatSeconds, 1, d.timeoutSeconds),
      `heartbeatSeconds must be an integer from 1 to timeoutSeconds (${d.timeoutSeconds}), got ${d.heartbeatSeconds}`],
    [!isIntegerIn(retention.succeededSeconds, 60, 10 * 365 * 86_400), `retention.succeededSeconds must be an integer of at least 60, got ${retention.succeededSeconds}`],
    [!isIntegerIn(retention.failedSeconds, 60, 10 * 365 * 86_400), `retention.failedSeconds must be an integer of at least 60, got ${retention.failedSeconds}`],
    [d.redact !== undefined && (!Array.isArray(d.redact) || d.redact.length > 50 || !d.redact.every((path) => typeof path === 'string' && FIELD_PATH.test(path))),
      `redact must list at most 50 field paths like "email" or "card.number", got ${JSON.stringify(d.redact)}`],
    [!TRACKING_LEVELS.includes(d.tracking), `tracking must be one of ${TRACKING_LEVELS.map((t) => `"${t}"`).join(', ')}, got ${JSON.stringify(d.tracking)}`],
    [d.tracking !== 'full' && d.unique !== undefined, `tracking "${d.tracking}" cannot be unique: a unique key points at the job's record, which such a job has only once it runs (use tracking "full")`],
    [d.tracking !== 'full' && d.debounce !== undefined, `tracking "${d.tracking}" cannot be debounced: enqueues join the pending job through its record (use tracking "full")`],
    [d.tracking === 'outcome' && d.heartbeatSeconds !== undefined, 'tracking "outcome" cannot take heartbeatSeconds: a heartbeat renews the lease on a running record, which such a job does not have'],
    [d.tracking === 'outcome' && (d.concurrency !== undefined || d.rateLimit !== undefined), 'tracking "outcome" cannot take concurrency or rateLimit: its attempts are counted by SQS receives, which a wait for a limit starts over'],
    [d.tracking === 'outcome' && retry.backoffCapSeconds > MAX_VISIBILITY_SECONDS,
      `tracking "outcome" needs retry.backoffCapSeconds of at most ${MAX_VISIBILITY_SECONDS} (12 h): its attempts are counted by SQS receives, which a retry through the Scheduler starts over`],
    [!isIntegerIn(d.maxPayloadBytes, 1, MAX_PAYLOAD_BYTES_LIMIT),
      `maxPayloadBytes must be an integer from 1 to ${MAX_PAYLOAD_BYTES_LIMIT}, got ${d.maxPayloadBytes}`],
    [d.tags !== undefined && typeof d.tags !== 'function' && !(Array.isArray(d.tags) && d.tags.length <= MAX_TAGS && d.tags.every((tag) => typeof tag === 'string' && TAG.test(tag))),
      `tags must be a function of the payload or at most ${MAX_TAGS} tags of 1–64 letters, digits or _ . : / @ = + -, got ${JSON.stringify(d.tags)}`],
    [d.tags !== undefined && d.tracking !== 'full', `tracking "${d.tracking}" cannot take tags: a tag points at the job's record, which such a job has only once it runs (use tracking "full")`],
    [!isIntegerIn(d.maxInlineResultBytes, 0, MAX_INLINE_RESULT_BYTES),
      `maxInlineResultBytes must be an integer from 0 to ${MAX_INLINE_RESULT_BYTES} (larger results go to the results bucket), got ${d.maxInlineResultBytes}`],
  ];
  const names = d.schedules.map((s) => s.name);
  for (const schedule of d.schedules) {
    const parsed = d.schema?.safeParse?.(schedule.payload);
    rules.push(
      [!CRON_NAME.test(schedule.name), `schedules: name must be 1–40 lowercase letters, digits or -, got ${JSON.stringify(schedule.name)}`],
      [names.indexOf(schedule.name) !== names.lastIndexOf(schedule.name), `schedules: name "${schedule.name}" is used more than once`],
      [scheduleExpressionProblem(String(schedule.expression)) !== undefined,
        `schedules."${schedule.name}": expression ${JSON.stringify(schedule.expression)} is not one EventBridge Scheduler takes: ${scheduleExpressionProblem(String(schedule.expression))}`],
      [!isTimeZone(schedule.timezone ?? 'UTC'), `schedules."${schedule.name}": timezone must be an IANA time zone like "Europe/Berlin", got ${JSON.stringify(schedule.timezone)}`],
      [parsed !== undefined && !parsed.success, `schedules."${schedule.name}": payload does not match the schema: ${parsed && !parsed.success ? parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ') : ''}`],
    );
  }
  return rules.filter(([broken]) => broken).map(([, message]) => message);
}

const CRON_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function isIntegerIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** A definition of any payload type, for lists of mixed kinds. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyJobDefinition = JobDefinition<any, any>;



/** How many heartbeats the lease of a heartbeat kind's attempt lasts (see `heartbeatSeconds`). */
export const HEARTBEAT_LEASE_BEATS = 3;

/** The lease of one attempt of a heartbeat kind, in seconds: {@link HEARTBEAT_LEASE_BEATS} heartbeats; undefined for other kinds (their lease lasts the attempt). */
export function heartbeatLeaseSeconds(definition: JobDefinition | undefined): number | undefined {
  return definition?.heartbeatSeconds ? definition.heartbeatSeconds * HEARTBEAT_LEASE_BEATS : undefined;
}

/**
 * How long a job that ended `ended` stays queryable, in seconds: its kind's retention of
 * succeeded jobs, or of failed ones (cancelled jobs keep the failed retention); the defaults
 * for a kind this code does not know. The one place retention is decided.
 */
export function retentionSeconds(definition: JobDefinition | undefined, ended: 'succeeded' | 'failed' | 'cancelled'): number {
  if (ended === 'succeeded') return definition?.retention.succeededSeconds ?? DEFAULT_SUCCEEDED_RETENTION_SECONDS;
  return definition?.retention.failedSeconds ?? DEFAULT_FAILED_RETENTION_SECONDS;
}

/** When the record of a job that ended `ended` at `now` expires (DynamoDB's TTL removes it then). */
export function expiryOf(definition: JobDefinition | undefined, ended: 'succeeded' | 'failed' | 'cancelled', now: Date): Date {
  return new Date(now.getTime() + retentionSeconds(definition, ended) * 1000);
}
