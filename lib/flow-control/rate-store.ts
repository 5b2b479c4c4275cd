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

/**
 * How a rate limit spaces its starts. `limit` starts fit the period plus a cushion
 * (5 % of the period, at least 100 ms), so starts are `intervalMs` apart; a job whose message
 * comes back more than `lateToleranceMs` after its reserved time takes a new turn. Together:
 * however late within the tolerance each job starts, no window of the period holds more than
 * `limit` starts.
 */
export function rateSpacing(rate: RateLimit): { intervalMs: number; lateToleranceMs: number } {
  const periodMs = rate.periodSeconds * 1000;
  const cushionMs = Math.max(periodMs * RATE_CUSHION_SHARE, RATE_CUSHION_MIN_MS);
  return { intervalMs: (periodMs + cushionMs) / rate.limit, lateToleranceMs: cushionMs / 2 };
}
