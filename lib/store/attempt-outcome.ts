import { ERROR_HISTORY_LENGTH, type JobError, type JobRecord } from '../job-record.js';
import type { NewJob } from './new-job.js';
import type { KeptResult } from '../results/keep-result.js';
import type { DroppedResult, ResultRef } from '../results/result-store.js';

/**
 * What one attempt came to, as the store records it through `JobStore.recordOutcome` — always
 * fenced to the attempt, always from `running`. Built only by the constructors below, which
 * compute what follows from the record (error history, retention, the parent's report).
 */
export type AttemptOutcome = SucceededOutcome | RetryingOutcome | FailedOutcome | WaitingOutcome;

/**
 * Fences a write to the attempt that claimed the job: it applies only while the record is
 * `running` under this claim's token. The attempt number alone would not do: an operator's
 * retry starts the count again, so a stalled attempt 1 and its replacement share a number.
 */
export interface AttemptRef {
  readonly id: string;
  readonly attempt: number;
  /** The claim's token (`claimToken` on the record the claim returned). */
  readonly token: string;
}

/** The fence of the attempt a claim started: from the record the claim returned. */
export function attemptOf(record: JobRecord): AttemptRef {
  return { id: record.id, attempt: record.attempt, token: record.claimToken ?? '' };
}

/** What a child reports to its parent when it reaches a final state: which one, and its numeric result fields, summed on the parent. */
export interface ChildReport {
  readonly parentId: string;
  readonly outcome: 'succeeded' | 'failed' | 'cancelled';
  readonly totals: Readonly<Record<string, number>>;
}

/** A job to enqueue when its predecessor succeeds, written in the same transaction as that success. */
export interface FollowUp {
  readonly record: NewJob;
  readonly payloadJson: string;
}

/** `running` → `succeeded`: with its follow-ups written in the same transaction, and its report to its parent. */
export interface SucceededOutcome {
  readonly status: 'succeeded';
  readonly now: Date;
  readonly durationMs: number;
  /** The result as the record keeps it: absent when it went to the result store or was dropped. */
  readonly result?: unknown;
  readonly resultRef?: ResultRef | undefined;
  readonly resultDropped?: DroppedResult | undefined;
  /** When the record expires (TTL): the kind's retention of succeeded jobs from now. */
  readonly expiresAt: Date;
  readonly followUps: readonly FollowUp[];
  readonly parent?: ChildReport | undefined;
}

/** `running` → `retrying`: due again at `nextRunAt`. */
export interface RetryingOutcome {
  readonly status: 'retrying';
  readonly now: Date;
  readonly durationMs?: number | undefined;
  readonly error: JobError;
  /** The record's error history with this error appended (the last {@link ERROR_HISTORY_LENGTH}). */
  readonly errors: readonly JobError[];
  readonly nextRunAt: Date;
}

/** `running` → `failed`: the payload kept for inspection and retry, and a report to its parent. */
export interface FailedOutcome {
  readonly status: 'failed';
  readonly now: Date;
  readonly durationMs?: number | undefined;
  readonly error: JobError;
  readonly errors: readonly JobError[];
  readonly payloadJson: string;
  readonly expiresAt: Date;
  readonly parent?: ChildReport | undefined;
}

/** `running` → `waiting`: a parent whose handler returned waits for its children. */
export interface WaitingOutcome {
  readonly status: 'waiting';
  readonly now: Date;
  readonly durationMs: number;
  readonly result?: unknown;
}

/**
 * The attempt returned `result`: succeeded, kept for `retentionSeconds`, with its follow-ups.
 * `kept` says where the result lives (keepResult): without it, the record keeps it as it is.
 */
export function succeeded(record: JobRecord, attempt: { now: Date; durationMs: number; result?: unknown; kept?: KeptResult; retentionSeconds: number; followUps?: readonly FollowUp[] }): SucceededOutcome {
  const kept = attempt.kept ?? { result: attempt.result };
  return {
    status: 'succeeded',
    now: attempt.now,
    durationMs: attempt.durationMs,
    result: kept.result,
    resultRef: kept.resultRef,
    resultDropped: kept.resultDropped,
    expiresAt: after(attempt.now, attempt.retentionSeconds),
    followUps: attempt.followUps ?? [],
    parent: record.parentId ? { parentId: record.parentId, outcome: 'succeeded', totals: numericFields(attempt.result) } : undefined,
  };
}

/** The attempt failed transiently with attempts left: it runs again `delaySeconds` from now. */
export function retrying(record: JobRecord, attempt: { now: Date; durationMs?: number | undefined; error: JobError; delaySeconds: number }): RetryingOutcome {
  return {
    status: 'retrying',
    now: attempt.now,
    durationMs: attempt.durationMs,
    error: attempt.error,
    errors: withError(record, attempt.error),
    nextRunAt: after(attempt.now, attempt.delaySeconds),
  };
}

/** The job failed for good: kept for `retentionSeconds` with its payload, and its parent told. */
export function failed(record: JobRecord, attempt: { now: Date; durationMs?: number | undefined; error: JobError; payloadJson: string; retentionSeconds: number }): FailedOutcome {
  return {
    status: 'failed',
    now: attempt.now,
    durationMs: attempt.durationMs,
    error: attempt.error,
    errors: withError(record, attempt.error),
    payloadJson: attempt.payloadJson,
    expiresAt: after(attempt.now, attempt.retentionSeconds),
    parent: record.parentId ? { parentId: record.parentId, outcome: 'failed', totals: {} } : undefined,
  };
}

/** The handler spawned children and returned: the job waits for them. */
export function waiting(attempt: { now: Date; durationMs: number; result?: unknown }): WaitingOutcome {
  return { status: 'waiting', now: attempt.now, durationMs: attempt.durationMs, result: attempt.result };
}

/** The numeric fields of a child's result: what it adds to its parent's totals. */
export function numericFields(result: unknown): Record<string, number> {
  if (typeof result !== 'object' || result === null) return {};
  return Object.fromEntries(Object.entries(result).filter(([, v]) => typeof v === 'number' && Number.isFinite(v))) as Record<string, number>;
}

function withError(record: JobRecord, error: JobError): JobError[] {
  return [...(record.errors ?? []), error].slice(-ERROR_HISTORY_LENGTH);
}

function after(now: Date, seconds: number): Date {
  return new Date(now.getTime() + seconds * 1000);
}

/** A run of a job tracked by its outcome only: what its record says besides the outcome. */
export interface UntrackedRun {
  readonly id: string;
  readonly kind: string;
  readonly lane: string;
  /** SQS's receive count of the message (such a job has no claim to count attempts). */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly payloadBytes: number;
  /** When SQS took the message. */
  readonly createdAt: Date;
  readonly startedAt: Date;
  readonly createdBy?: string | undefined;
}
