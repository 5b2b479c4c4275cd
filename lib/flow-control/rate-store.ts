import type { RateLimit } from '../flow-options.js';

/** A start reserved under a rate limit. */
export interface RateRequest {
  readonly kind: string;
  /** The key the limit counts under (`*` for a limit of the whole kind). */
  readonly key: string;
  /** Time between two starts of the key, in ms (see {@link rateSpacing}). */
  readonly intervalMs: number;
  readonly now: Date;
}

/**
 * Rate-limit turns, shared by every worker invocation: each call reserves the key's next start
 * time, one interval after the one before (or now, when the key has been idle). A reservation
 * is never given twice, so starts are at least an interval apart however many workers ask.
 */
export interface RateStore {
  /** The start time reserved for the caller: now, or later when the key's turns are taken. */
  reserve(request: RateRequest): Promise<Date>;
}

/** Share of a rate limit's period kept as a cushion against timing jitter (5 %, at least {@link RATE_CUSHION_MIN_MS}). */
export const RATE_CUSHION_SHARE = 0.05;
/** The smallest cushion, in ms. */
export const RATE_CUSHION_MIN_MS = 100;

/** Starts a second one rate item takes, at most, before a limit's turns are spread over more items (a wrong busy-or-idle guess doubles an item's writes; DynamoDB takes 1,000 a second on one item). */
export const RATE_ITEM_STARTS_PER_SECOND = 400;

/** The items a rate limit's turns are spread over, per key: its `shards`, or as many as keep each under {@link RATE_ITEM_STARTS_PER_SECOND}. */
export function rateShards(rate: RateLimit): number {
  return rate.shards ?? Math.max(1, Math.ceil(rate.limit / rate.periodSeconds / RATE_ITEM_STARTS_PER_SECOND));
}

/**
 * How a rate limit spaces its starts, on each of its {@link rateShards} items. Each item keeps
 * `floor(limit / shards)` starts per period: they fit the period plus a cushion (5 % of the
 * period, at least 100 ms), so one item's starts are `intervalMs` apart; a job whose message
 * comes back more than `lateToleranceMs` after its reserved time takes a new turn. Together:
 * however late within the tolerance each job starts, no window of the period holds more than an
 * item's share of starts from one item, so no more than `limit` in all.
 */
export function rateSpacing(rate: RateLimit): { intervalMs: number; lateToleranceMs: number; shards: number } {
  const shards = rateShards(rate);
  const periodMs = rate.periodSeconds * 1000;
  const cushionMs = Math.max(periodMs * RATE_CUSHION_SHARE, RATE_CUSHION_MIN_MS);
  return { intervalMs: (periodMs + cushionMs) / Math.floor(rate.limit / shards), lateToleranceMs: cushionMs / 2, shards };
}
