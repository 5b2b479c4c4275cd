import { createHash } from 'node:crypto';
import { ConfigurationError, RetryAfterError } from '../errors.js';
import type { IdempotencyStore } from './idempotency-store.js';

/** Default time a `ctx.once` result is remembered, in seconds (7 days). */
export const DEFAULT_ONCE_TTL_SECONDS = 7 * 86_400;

/** Options of `ctx.once`. */
export interface OnceOptions {
  /** How long the result is remembered, in seconds. @default 604800 (7 days) */
  readonly ttlSeconds?: number;
}

/** Where a `once` call runs: the job doing it, and how long its attempt may hold the work. */
export interface OnceScope {
  readonly store: IdempotencyStore;
  readonly jobId: string;
  readonly kind: string;
  /** When the attempt's lease ends: another attempt may take the work over after it. */
  readonly leaseUntil: () => Date;
  readonly now: () => Date;
}

/**
 * Runs `fn` once per key across every attempt and duplicate delivery: the first caller
 * marks the key in progress (under its attempt's lease), runs `fn` and stores its result;
 * later callers get the stored result without running `fn`. If `fn` throws, the mark is
 * released so a retry can run it again. While another attempt holds the key, the call throws
 * a RetryAfterError (transient) so this attempt retries once that lease has ended.
 *
 * Keys are scoped to the job kind: `once('send:' + token, ...)` in `email.send`. `fn` is given
 * {@link providerIdempotencyKey} of the scoped key: pass it to a provider that takes an
 * idempotency key, and the one case `once` cannot cover — a worker that dies after the
 * provider accepted the effect and before `once` stored it — is covered by the provider.
 */
export async function once<T>(scope: OnceScope, key: string, fn: (idempotencyKey: string) => Promise<T>, options: OnceOptions = {}): Promise<T> {
  // A programming error no retry fixes: permanent.
  if (!key) throw new ConfigurationError('ctx.once', ['needs a non-empty key']);
  const scopedKey = `once#${scope.kind}#${key}`;
  const now = scope.now();
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_ONCE_TTL_SECONDS;
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  const attempt = await scope.store.start(scopedKey, scope.jobId, now, scope.leaseUntil(), expiresAt);
  if (!attempt.started) {
    const { existing } = attempt;
    if (existing.status === 'done') return (existing.resultJson === undefined ? undefined : JSON.parse(existing.resultJson)) as T;
    const waitSeconds = Math.max(1, Math.ceil((Date.parse(existing.leaseUntil ?? '') - now.getTime()) / 1000));
    throw new RetryAfterError(`"${key}" is being done by job ${existing.jobId} right now; trying again after its lease`, Number.isFinite(waitSeconds) ? waitSeconds : 30);
  }
  let result: T;
  try {
    result = await fn(providerIdempotencyKey(scopedKey));
  } catch (error) {
    await scope.store.release(scopedKey, scope.jobId);
    throw error;
  }
  // Nothing runs between the effect and this write: the window a crash can repeat the effect in is one DynamoDB write.
  await scope.store.complete(scopedKey, scope.jobId, JSON.stringify(result) ?? 'null', expiresAt);
  return result;
}

/**
 * The key `once` hands its function for a provider's own idempotency: 64 hex characters (the
 * SHA-256 of the scoped key), the same on every attempt and delivery, and within every common
 * provider's limits (AWS `ClientToken`s take 64, Stripe's `Idempotency-Key` 255).
 */
export function providerIdempotencyKey(scopedKey: string): string {
  return createHash('sha256').update(scopedKey).digest('hex');
}
