import type { z } from 'zod';
import { MAX_SQS_DELAY_SECONDS } from './transport/sqs-limits.js';

/*
 * The flow-control options a kind can declare (concurrency and rate limits, debounce, fair
 * groups), their limits, and the rules a definition's options must meet.
 */

/** The most jobs of one key a concurrency limit lets run at once. */
export const MAX_CONCURRENCY_LIMIT = 100;
/** The most starts of one key a rate limit allows per period. */
export const MAX_RATE_LIMIT = 10_000;
/** The most items one key's rate-limit turns are spread over. */
export const MAX_RATE_SHARDS = 100;
/** The longest period of a rate limit, in seconds (a day). */
export const MAX_RATE_PERIOD_SECONDS = 86_400;
/** The longest debounce window, in seconds: SQS's longest message delay (15 minutes). */
export const MAX_DEBOUNCE_SECONDS = MAX_SQS_DELAY_SECONDS;
/** The longest key a flow-control key function may return (SQS's limit on a message group id). */
export const MAX_FLOW_KEY_LENGTH = 128;

/**
 * A concurrency limit: at most `limit` jobs of this kind with the same key run at once, across
 * every worker invocation. A job that finds no free slot waits — without using an attempt —
 * and tries again a few seconds later; a slot held by a worker that died frees itself when the
 * attempt's lease ends.
 */
export interface ConcurrencyLimit<TPayload = unknown> {
  /** Jobs of one key that may run at once, 1–100. */
  readonly limit: number;
  /** The key of a payload (a tenant, a customer). @default none: the limit is the kind's own */
  key?(payload: TPayload): string;
}

/**
 * A rate limit: at most `limit` jobs of this kind with the same key start per `periodSeconds`,
 * across every worker invocation. Starts are spread evenly over the period (not all at once
 * when it opens); a job over the limit waits — without using an attempt — until its turn.
 */
export interface RateLimit<TPayload = unknown> {
  /** Starts of one key per period, 1–10000. */
  readonly limit: number;
  /** The period, in seconds, 1–86400 (a day). */
  readonly periodSeconds: number;
  /** The key of a payload (a sender, an API account). @default none: the limit is the kind's own */
  key?(payload: TPayload): string;
  /**
   * Items each key's turns are spread over (1 to `limit`, at most 100): each takes an equal
   * share of the limit, `floor(limit / shards)` starts per period, and a job takes its turn from
   * one at random. One item takes a write per start, and DynamoDB takes at most 1,000 a second
   * on one item. @default enough for at most 400 starts a second each: one below 400 starts a second
   */
  readonly shards?: number;
}

/**
 * Debounce: enqueues of the same key within the window become one job, which runs once no
 * enqueue of that key has come for `windowSeconds`, with the latest payload. (Uniqueness is the
 * opposite: the first enqueue wins.)
 */
export interface Debounce<TPayload = unknown> {
  /** The key of a payload, e.g. `(p) => p.reportId`. */
  key(payload: TPayload): string;
  /** Quiet seconds before the job runs, 1–900 (SQS holds a message at most 15 minutes). */
  readonly windowSeconds: number;
}

/**
 * Fairness across tenants: the key becomes the message's `MessageGroupId` on the lane's
 * standard queue (SQS fair queues), so one tenant's backlog does not hold up another's.
 */
export interface FairGroup<TPayload = unknown> {
  /** The tenant of a payload, 1–128 characters. */
  key(payload: TPayload): string;
}

/** What the rules read of a definition. */
interface FlowControlled {
  readonly schema: z.ZodType;
  readonly schedules: readonly { readonly name: string; readonly payload: unknown }[];
  readonly unique?: unknown;
  readonly concurrency?: ConcurrencyLimit | undefined;
  readonly rateLimit?: RateLimit | undefined;
  readonly debounce?: Debounce | undefined;
  readonly group?: FairGroup | undefined;
}

/** The rules of the flow-control options: limits in range, key functions that are functions, no conflicting options. */
export function flowControlRules(d: FlowControlled): Array<[boolean, string]> {
  const { rateLimit, debounce, group } = d;
  const rules: Array<[boolean, string]> = [
    [d.concurrency !== undefined && !isIntegerIn(d.concurrency.limit, 1, MAX_CONCURRENCY_LIMIT),
      `concurrency.limit must be an integer from 1 to ${MAX_CONCURRENCY_LIMIT} (jobs of one key running at once), got ${d.concurrency?.limit}`],
    [d.concurrency?.key !== undefined && typeof d.concurrency.key !== 'function', 'concurrency.key must be a function of the payload'],
    [rateLimit !== undefined && !isIntegerIn(rateLimit.limit, 1, MAX_RATE_LIMIT),
      `rateLimit.limit must be an integer from 1 to ${MAX_RATE_LIMIT} (starts of one key per period), got ${rateLimit?.limit}`],
    [rateLimit !== undefined && !isIntegerIn(rateLimit.periodSeconds, 1, MAX_RATE_PERIOD_SECONDS),
      `rateLimit.periodSeconds must be an integer from 1 to ${MAX_RATE_PERIOD_SECONDS} (a day), got ${rateLimit?.periodSeconds}`],
    [rateLimit?.key !== undefined && typeof rateLimit.key !== 'function', 'rateLimit.key must be a function of the payload'],
    [rateLimit?.shards !== undefined && !isIntegerIn(rateLimit.shards, 1, Math.min(MAX_RATE_SHARDS, rateLimit.limit)),
      `rateLimit.shards must be an integer from 1 to ${MAX_RATE_SHARDS} and at most the limit (each shard keeps a whole share of it), got ${rateLimit?.shards}`],
    [debounce !== undefined && typeof debounce.key !== 'function', 'debounce.key must be a function of the payload'],
    [debounce !== undefined && !isIntegerIn(debounce.windowSeconds, 1, MAX_DEBOUNCE_SECONDS),
      `debounce.windowSeconds must be an integer from 1 to ${MAX_DEBOUNCE_SECONDS} (SQS holds a message at most 15 minutes), got ${debounce?.windowSeconds}`],
    [debounce !== undefined && d.unique !== undefined,
      'unique and debounce both decide what a repeated enqueue does (unique: the first one wins; debounce: the last one runs); choose one'],
    [group !== undefined && typeof group.key !== 'function', 'group.key must be a function of the payload'],
  ];
  // A key function is tried on the payloads the kind is known to get: its schedules'.
  for (const schedule of d.schedules) {
    const parsed = d.schema?.safeParse?.(schedule.payload);
    if (!parsed?.success) continue;
    for (const [option, keyOf] of [['concurrency', d.concurrency?.key], ['rateLimit', rateLimit?.key], ['debounce', debounce?.key], ['group', group?.key]] as const) {
      if (typeof keyOf !== 'function') continue;
      const problem = keyProblem(() => keyOf(parsed.data));
      rules.push([problem !== undefined, `${option}.key fails on the payload of schedule "${schedule.name}": ${problem}`]);
    }
  }
  return rules;
}

/** Why a key function's result is not a key (it threw, or gave no string of 1–128 characters), or undefined. */
export function keyProblem(keyOf: () => unknown): string | undefined {
  let key: unknown;
  try {
    key = keyOf();
  } catch (error) {
    return `it threw: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_FLOW_KEY_LENGTH) {
    return `it must return a string of 1–${MAX_FLOW_KEY_LENGTH} characters, got ${JSON.stringify(key)}`;
  }
  return undefined;
}

function isIntegerIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}
