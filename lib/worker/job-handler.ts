import type { Logger } from '@aws-lambda-powertools/logger';
import type { OnceOptions } from '../idempotency/once.js';
import type { SpawnOptions } from '../continuations/children.js';
import type { JobDefinition } from '../job-definition.js';

/** What a handler gets besides its payload. */
export interface JobContext {
  /** The job's id. */
  readonly id: string;
  readonly kind: string;
  /** This attempt, 1-based. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Fires at the attempt's deadline; pass it to fetch, SDK calls and loops. */
  readonly signal: AbortSignal;
  /** When the signal fires: the kind's timeout or the Lambda's remaining time, whichever is first. */
  readonly deadline: Date;
  /** A structured logger whose lines carry the job id, kind and attempt. */
  readonly logger: Logger;
  /**
   * Says the attempt is alive and, optionally, how far it got (a small JSON value, kept on the
   * record for status queries). Kinds with `heartbeatSeconds` must call it that often or lose
   * the job to another delivery. Rejects with LeaseLostError when that has happened.
   */
  heartbeat(progress?: unknown): Promise<void>;
  /**
   * Runs `fn` once per `key` (scoped to this kind) across attempts and duplicate deliveries,
   * and returns its result — stored, on later calls. Guard each side effect with it: one
   * email per send token, one import per batch id.
   *
   * @example await ctx.once(`send:${payload.token}`, () => ses.send(command));
   */
  once<T>(key: string, fn: () => Promise<T>, options?: OnceOptions): Promise<T>;
  /**
   * Enqueues a follow-up job when — and only if — this job succeeds: its record is written in
   * the same transaction as this job's success, so a follow-up exists exactly when its
   * predecessor succeeded, and retrying the follow-up never reruns this job. The payload is
   * validated now (throws InvalidPayloadError).
   *
   * @example ctx.then(sendEmail, { to: requestedBy, template: 'report-ready', variables: { link } });
   */
  then<TInput>(job: JobDefinition<unknown, TInput>, payload: TInput): void;
  /**
   * Spawns children (one per payload, validated first) and makes this job their parent: when
   * the handler returns, the job waits (`waiting`) until every child has finished, counting
   * them and summing their numeric result fields as progress, then succeeds — or fails if any
   * child failed (at once, cancelling the rest, with `failFast`). Retrying a child retries only
   * that child. Returns the children's ids.
   */
  spawn<TInput>(job: JobDefinition<unknown, TInput>, payloads: readonly TInput[], options?: SpawnOptions): Promise<string[]>;
}

/**
 * A handler: a plain async function of the payload. Return a small JSON value to keep it
 * as the job's result; throw `PermanentError` to fail at once, `RetryAfterError`
 * to set the next delay, anything else to retry with backoff.
 */
export type JobHandler<TPayload> = (payload: TPayload, context: JobContext) => Promise<unknown>;

/** A definition bound to its handler, as the worker takes it. */
export interface BoundJob<TPayload = unknown> {
  readonly definition: JobDefinition<TPayload, unknown>;
  readonly handler: JobHandler<TPayload>;
}

/**
 * Binds a handler to a definition. Kept apart from `defineJob` so that infrastructure
 * and clients can import definitions without importing handler code.
 *
 * @example export const sendEmailJob = defineHandler(sendEmail, async ({ to }, ctx) => { ... });
 */
export function defineHandler<TPayload, TInput>(definition: JobDefinition<TPayload, TInput>, handler: JobHandler<TPayload>): BoundJob<TPayload> {
  return { definition, handler };
}

/** A bound job of any payload type, for lists of mixed kinds. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyBoundJob = BoundJob<any>;
