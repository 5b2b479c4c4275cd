import { DEFAULT_TIMEOUT_SECONDS, heartbeatLeaseSeconds, type JobDefinition } from '../job-definition.js';

/** Time kept back from the Lambda's remaining time so the worker can record the outcome, in ms. */
export const FINISH_RESERVE_MS = 1500;
/** How long past its deadline a lease lasts, in ms: the margin before another delivery may take over. */
export const LEASE_GRACE_MS = 2000;

/**
 * An attempt as admission leaves it, worked out once and passed on: when the delivery arrived,
 * when the handler may start (a rate-limit turn may be a moment away), how long it may run, and
 * the lease its claim takes.
 */
export interface AttemptPlan {
  readonly arrivedAt: Date;
  readonly startAt: Date;
  /** How long the handler may run, in ms: the kind's timeout, or less when the invocation ends sooner. */
  readonly timeoutMs: number;
  /** When the claim's lease ends: the start, then the timeout and its grace — or three heartbeats for a heartbeat kind. */
  readonly leaseUntil: Date;
  /** The lease a heartbeat renews (record and message visibility), for a heartbeat kind, in s. */
  readonly heartbeatLeaseSeconds?: number | undefined;
  /** The payload's size as the message carried it, in bytes. */
  readonly payloadBytes: number;
}

/**
 * How long a handler starting at `start` may run, in ms: its kind's timeout, within the
 * invocation's `deadline` (ms since the epoch) less the time kept back to record the outcome.
 */
export function runTimeMs(definition: JobDefinition | undefined, start: Date, deadline: number): number {
  return Math.min((definition?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000, deadline - start.getTime() - FINISH_RESERVE_MS);
}

/** The plan of an attempt admitted at `arrivedAt` to start at `startAt` (not before arrival), in an invocation that ends at `deadline`. */
export function planAttempt(definition: JobDefinition | undefined, payload: unknown, arrivedAt: Date, startAt: Date | undefined, deadline: number): AttemptPlan {
  const start = startAt && startAt > arrivedAt ? startAt : arrivedAt;
  const timeoutMs = runTimeMs(definition, start, deadline);
  const heartbeatSeconds = heartbeatLeaseSeconds(definition);
  const leaseMs = heartbeatSeconds ? heartbeatSeconds * 1000 : Math.max(0, timeoutMs) + LEASE_GRACE_MS;
  return {
    arrivedAt,
    startAt: start,
    timeoutMs,
    leaseUntil: new Date(start.getTime() + leaseMs),
    heartbeatLeaseSeconds: heartbeatSeconds,
    payloadBytes: Buffer.byteLength(JSON.stringify(payload) ?? '', 'utf8'),
  };
}
