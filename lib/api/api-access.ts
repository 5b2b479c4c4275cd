import type { AnyJobDefinition } from '../job-definition.js';
import type { JobRecord } from '../job-record.js';

/** Who called the API, as its authorizer says. */
export interface ApiPrincipal {
  /** The IAM principal's ARN, `jwt:<sub>` or `lambda:<principalId>`: what a job's `createdBy` records. */
  readonly id: string;
  /** A JWT authorizer's claims (`email`, `cognito:groups`, …) or a Lambda authorizer's context, when there are any. */
  readonly claims?: Readonly<Record<string, unknown>> | undefined;
}

/** One call for the app's `authorize` hook to decide. */
export interface ApiCall {
  readonly action: 'enqueue' | 'get' | 'cancel';
  /** Who called; undefined only when no authorizer ran (never on a `JobQueue`'s API). */
  readonly principal: ApiPrincipal | undefined;
  readonly kind: string;
  /** For `enqueue`: the payload as the kind's schema parsed it. */
  readonly payload?: unknown;
  /** For `get` and `cancel`: the job's record (redacted fields already hidden). */
  readonly job?: JobRecord;
}

/** The hook's answer: `true` allows; `false` or a reason refuses the call with 403. */
export type ApiDecision = boolean | string;

/**
 * What callers of the enqueue API may do. Nothing is enqueueable over HTTP unless listed:
 * a child kind (`import.chunk`), a follow-up or an internal kind has no business being sent
 * by an outside caller, who could then start work — and its side effects — that only your
 * own code should start.
 */
export interface EnqueueApiAccess {
  /** The kinds callers may enqueue over HTTP, by definition or name. Any other known kind answers 403. */
  readonly kinds: readonly (AnyJobDefinition | string)[];
  /**
   * Decides each call that passed the kind check and the schema: an enqueue (with the parsed
   * payload), a `GET` or a cancel (with the job's record). Return `true` to allow it, `false` or
   * a reason to refuse it with 403; nothing is written for a refused call. Throwing answers 500.
   *
   * @example authorize: ({ action, principal, payload }) => action !== 'enqueue' || (payload as { requestedBy: string }).requestedBy === principal?.claims?.email || 'requestedBy must be your own address'
   */
  readonly authorize?: (call: ApiCall) => ApiDecision | Promise<ApiDecision>;
  /**
   * `GET /jobs/{id}` and cancel only for the principal that enqueued the job; anyone else gets
   * 404, as for a job that does not exist. Use it with a JWT authorizer (one principal per end
   * user); with IAM authorization, a role's sessions differ by name, so leave it off. @default false
   */
  readonly ownJobsOnly?: boolean;
}

/** The names of the kinds `access` lets callers enqueue. */
export function enqueueableKinds(access: EnqueueApiAccess | undefined): ReadonlySet<string> {
  return new Set((access?.kinds ?? []).map((kind) => (typeof kind === 'string' ? kind : kind.kind)));
}

/** The hook's decision on `call`: undefined to allow, else the reason to refuse it. */
export async function refusal(access: EnqueueApiAccess | undefined, call: ApiCall): Promise<string | undefined> {
  if (!access?.authorize) return undefined;
  const decision = await access.authorize(call);
  if (decision === true) return undefined;
  return typeof decision === 'string' && decision.length > 0 ? decision : `the app does not allow this ${call.action} of a ${call.kind} job`;
}

/** Whether `principal` may see and cancel `job` under `ownJobsOnly`. */
export function mayReach(access: EnqueueApiAccess | undefined, principal: ApiPrincipal | undefined, job: JobRecord): boolean {
  return !access?.ownJobsOnly || (principal !== undefined && job.createdBy === principal.id);
}
