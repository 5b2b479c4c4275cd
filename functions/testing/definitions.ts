import * as z from 'zod';
import { defineJob } from 'jobline';
import { sendEmail } from '../jobs/definitions.js';

/**
 * Kinds that exist only in the test stack: each makes one behaviour of the runtime
 * observable. Short backoffs so retries take seconds.
 */
const fastRetry = { backoffBaseSeconds: 1, backoffCapSeconds: 2, jitter: 0 };

/** Records its run (under its id and under `value:<value>`), holds for `holdMs`, and returns its input. */
export const echo = defineJob({
  kind: 'test.echo',
  schema: z.object({ value: z.string(), holdMs: z.number().int().min(0).max(4000).default(0) }),
  retry: fastRetry,
  timeoutSeconds: 5,
});

/** Fails transiently on its first `failTimes` attempts, then succeeds. */
export const flaky = defineJob({ kind: 'test.flaky', schema: z.object({ failTimes: z.number().int().min(0) }), retry: { ...fastRetry, maxAttempts: 5 }, timeoutSeconds: 5 });

/** Always throws a PermanentError with the given reason. */
export const permanent = defineJob({ kind: 'test.permanent', schema: z.object({ reason: z.string() }), retry: fastRetry, timeoutSeconds: 5 });

/** Always throws a transient error: it ends failed after its 3 attempts. */
export const alwaysFails = defineJob({ kind: 'test.always-fails', schema: z.object({}), retry: { ...fastRetry, maxAttempts: 3 }, timeoutSeconds: 5 });

/**
 * On its first run, waits until the echo jobs whose values are in `waitForValues` have run,
 * then kills its own process (a worker crash mid-batch). Later runs succeed.
 */
export const crash = defineJob({ kind: 'test.crash', schema: z.object({ waitForValues: z.array(z.string()).default([]) }), retry: fastRetry, timeoutSeconds: 5 });

const heartbeatSchema = z.object({ beats: z.number().int().min(0).max(20), intervalMs: z.number().int().min(0).max(2000), stallAfterBeats: z.number().int().optional() });

/**
 * Heartbeats `beats` times, `intervalMs` apart, reporting `{done, total}` progress. With
 * `stallAfterBeats`, its first attempt stops heartbeating after that many beats and hangs
 * (a wedged worker). Its lease is 3 heartbeats of 1 s.
 */
export const heartbeat = defineJob({ kind: 'test.heartbeat', schema: heartbeatSchema, retry: fastRetry, timeoutSeconds: 10, heartbeatSeconds: 1 });

/** As test.heartbeat, with a single attempt: a stall leaves no attempt to take it over. */
export const heartbeatOnce = defineJob({ kind: 'test.heartbeat-once', schema: heartbeatSchema, retry: { ...fastRetry, maxAttempts: 1 }, timeoutSeconds: 10, heartbeatSeconds: 1 });

/** Hangs (ignoring its AbortSignal) on its first `hangOnAttempts` attempts; its timeout is 2 s. */
export const hang = defineJob({ kind: 'test.hang', schema: z.object({ hangOnAttempts: z.number().int().min(0) }), retry: fastRetry, timeoutSeconds: 2 });

/** Fired by a rate(1 minute) schedule (time zone set so the deploy step's re-application of it is tested). */
export const cron = defineJob({
  kind: 'test.cron',
  schema: z.object({ note: z.string() }),
  retry: fastRetry,
  timeoutSeconds: 5,
  schedules: [{ name: 'every-minute', expression: 'rate(1 minute)', timezone: 'Europe/Berlin', payload: { note: 'tick' } }],
});

/** Sends an email like email.send, then fails its first attempt (a crash after the send). */
export const emailThenFail = defineJob({ kind: 'test.email-then-fail', schema: sendEmail.schema, retry: fastRetry, timeoutSeconds: 10 });

/** Fails permanently on its first run, succeeds on any later one: an operator's retry turns it into a success. */
export const failFirst = defineJob({ kind: 'test.fail-first', schema: z.object({ note: z.string() }), retry: { ...fastRetry, maxAttempts: 1 }, timeoutSeconds: 5 });

/** As test.echo, one job per `value` within a minute (unique). */
export const uniqueEcho = defineJob({ kind: 'test.unique-echo', schema: echo.schema, retry: fastRetry, timeoutSeconds: 5, unique: { key: (p) => p.value, windowSeconds: 60 } });

/** As test.echo; the test stack's dispatcher fails the first send of each of its jobs (JOBLINE_FAULTS' refuseFirstSendOfKinds). */
export const dispatchFlaky = defineJob({ kind: 'test.dispatch-flaky', schema: echo.schema, retry: fastRetry, timeoutSeconds: 5 });

/** Holds for `holdMs`, recording when it started and ended; at most 2 run at once per `tenant`. */
export const limited = defineJob({
  kind: 'test.limited',
  schema: z.object({ tenant: z.string(), holdMs: z.number().int().min(0).max(4000), crashOnFirstAttempt: z.boolean().default(false) }),
  retry: fastRetry,
  timeoutSeconds: 8,
  concurrency: { limit: 2, key: (p) => p.tenant },
});

/** Rate-limited to 5 starts per 10 s per tenant; records when it started. */
export const rateLimited = defineJob({
  kind: 'test.rate-limited',
  schema: z.object({ tenant: z.string() }),
  retry: fastRetry,
  timeoutSeconds: 5,
  rateLimit: { limit: 5, periodSeconds: 10, key: (p) => p.tenant },
});

/** Rate-limited without a key to 10 starts per 5 s, its turns spread over 2 items; records when it started. */
export const rateSharded = defineJob({
  kind: 'test.rate-sharded',
  schema: z.object({ run: z.string() }),
  retry: fastRetry,
  timeoutSeconds: 5,
  rateLimit: { limit: 10, periodSeconds: 5, shards: 2 },
});

/** Debounced per key over 3 s; counts its runs per key and returns the sequence number it ran with. */
export const debounced = defineJob({
  kind: 'test.debounced',
  schema: z.object({ key: z.string(), seq: z.number().int() }),
  retry: fastRetry,
  timeoutSeconds: 5,
  debounce: { key: (p) => p.key, windowSeconds: 3 },
});

/** Holds personal data (`email`, redacted) and fails permanently with an error that names it — or, with note "deliver", succeeds with a result and progress that name it. */
export const redacted = defineJob({
  kind: 'test.redacted',
  schema: z.object({ email: z.string(), note: z.string() }),
  retry: { ...fastRetry, maxAttempts: 1 },
  timeoutSeconds: 5,
  redact: ['email'],
});

/**
 * Dies (process.exit) on its first attempt at `step`: an attempt step (received — before the
 * claim —, claimed, handled, recorded — see the worker's onStep), or inside the handler: in ctx.once before or after its
 * side effect, right after a heartbeat, inside ctx.spawn (children written, not sent), after
 * spawning children, or after ctx.then.
 */
export const crashAt = defineJob({
  kind: 'test.crash-at',
  schema: z.object({
    step: z.enum(['received', 'claimed', 'handled', 'recorded', 'once-before-effect', 'once-after-effect', 'heartbeat', 'spawning', 'spawned', 'follow-up']),
    tag: z.string(),
  }),
  retry: fastRetry,
  timeoutSeconds: 5,
});

/**
 * The reliability suite's kind: counts its runs, does one side effect through ctx.once, and —
 * as its payload says — fails its first attempt, spawns echo children, or asks for an echo follow-up.
 */
export const chaos = defineJob({
  kind: 'test.chaos',
  schema: z.object({
    tag: z.string(),
    failFirst: z.boolean().default(false),
    children: z.number().int().min(0).max(10).default(0),
    followUp: z.boolean().default(false),
  }),
  retry: { ...fastRetry, maxAttempts: 5 },
  timeoutSeconds: 5,
});

/** As test.echo, tracked from its claim: the enqueue writes no record. */
export const fromClaim = defineJob({ kind: 'test.from-claim', schema: echo.schema, retry: fastRetry, timeoutSeconds: 5, tracking: 'from-claim' });

/** As test.echo, tracked by its outcome only: no record until it finishes, no claim. */
export const outcomeOnly = defineJob({ kind: 'test.outcome', schema: echo.schema, retry: fastRetry, timeoutSeconds: 5, tracking: 'outcome' });

/**
 * A child for the operator-action tests: fails permanently on its first run (`fail: 'first'`) or
 * on every run (`always`), holds for `holdMs`; with `after`, it first waits (up to 5 s) until a
 * job of that lock has started; at most one of a `lock` runs at once; its messages carry the
 * fair-queue group `tenant`.
 */
export const child = defineJob({
  kind: 'test.child',
  schema: z.object({
    tenant: z.string(),
    lock: z.string(),
    fail: z.enum(['never', 'first', 'always']).default('never'),
    holdMs: z.number().int().min(0).max(7_000).default(0),
    after: z.string().optional(),
  }),
  retry: { ...fastRetry, maxAttempts: 1 },
  timeoutSeconds: 10,
  concurrency: { limit: 1, key: (p) => p.lock },
  group: { key: (p) => p.tenant },
});

/** Spawns its `children` (test.child), fail-fast when asked, and waits for them. */
export const parentOf = defineJob({
  kind: 'test.parent',
  schema: z.object({ children: z.array(child.schema).min(1).max(60), failFast: z.boolean().default(false) }),
  retry: { ...fastRetry, maxAttempts: 1 },
  timeoutSeconds: 10,
});

/**
 * A stalled worker that wakes up: its first run stops heartbeating (its 3 s lease runs out, and
 * with a single attempt the job is failed) and wakes once a second run has started — an
 * operator's retry's — then fails permanently; later runs heartbeat through `holdMs` and
 * succeed with their run number.
 */
export const staleWriter = defineJob({
  kind: 'test.stale-writer',
  schema: z.object({ holdMs: z.number().int().min(0).max(7_000) }),
  retry: { ...fastRetry, maxAttempts: 1 },
  timeoutSeconds: 9,
  heartbeatSeconds: 1,
});

/**
 * Returns `{ blob }` of exactly `bytes` bytes of JSON after `holdMs` (or fails permanently when
 * `fail` is set): over 1 KB the result leaves the record for the results bucket, over 4 MiB it is
 * not kept at all. A payload's `customer` becomes its tag `customer:<customer>`.
 */
export const sizedResult = defineJob({
  kind: 'test.result',
  schema: z.object({ bytes: z.number().int().min(11).max(5_000_000), holdMs: z.number().int().min(0).max(4000).default(0), fail: z.boolean().default(false), customer: z.string().optional() }),
  retry: { ...fastRetry, maxAttempts: 1 },
  timeoutSeconds: 8,
  maxInlineResultBytes: 1024,
  // A tag computed from the payload, when it names a customer.
  tags: (p) => (p.customer ? [`customer:${p.customer}`] : []),
});

/**
 * Kinds the cost test prices, each on one measured path and run by nothing else: two fixed tags
 * (bench:cost's "two tags" row), and a transient failure on every first attempt ("one retry").
 */
export const pricedTags = defineJob({ kind: 'test.priced-tags', schema: z.object({ run: z.string() }), retry: fastRetry, timeoutSeconds: 5, tags: ['priced:a', 'priced:b'] });
export const pricedRetry = defineJob({ kind: 'test.priced-retry', schema: z.object({ run: z.string() }), retry: fastRetry, timeoutSeconds: 5 });

/** Fails its first attempt and is retried 20 s later: it stays `retrying` long enough for a page to show it. */
export const slowRetry = defineJob({ kind: 'test.slow-retry', schema: z.object({ run: z.string() }), retry: { backoffBaseSeconds: 20, backoffCapSeconds: 20, jitter: 0, maxAttempts: 2 }, timeoutSeconds: 5 });

/** Where the test stack's functions export their spans (OTLP/HTTP): `test/integration/tracing.test.ts` runs a receiver there. */
export const TEST_OTLP_TRACES_URL = 'http://127.0.0.1:4318/v1/traces';

/** A traced request's job: fails its first attempt (transiently), then spawns two `test.traced-child`. */
export const traced = defineJob({ kind: 'test.traced', schema: z.object({ run: z.string() }), retry: { ...fastRetry, maxAttempts: 2 }, timeoutSeconds: 5 });
/** A child of `test.traced`: the first (`index` 0) has a follow-up, `test.traced-next` (a parent itself cannot have one). */
export const tracedChild = defineJob({ kind: 'test.traced-child', schema: z.object({ run: z.string(), index: z.number().int() }), retry: fastRetry, timeoutSeconds: 5 });
/** The follow-up of a traced request's first child. */
export const tracedNext = defineJob({ kind: 'test.traced-next', schema: z.object({ run: z.string() }), retry: fastRetry, timeoutSeconds: 5 });

export const testJobs = [traced, tracedChild, tracedNext, slowRetry, pricedTags, pricedRetry, sizedResult, failFirst, emailThenFail, echo, flaky, permanent, alwaysFails, crash, heartbeat, heartbeatOnce, hang, cron, uniqueEcho, dispatchFlaky, limited, rateLimited, rateSharded, debounced, redacted, crashAt, chaos, fromClaim, outcomeOnly, child, parentOf, staleWriter] as const;
