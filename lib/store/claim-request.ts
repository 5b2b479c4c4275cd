/** `createdBy` of a record first written by a worker for a message that says nobody (a raw message, an older client). */
export const UNKNOWN_CREATOR = 'unknown (a message that arrived without a record)';

/** A worker's request to take a job for one attempt. */
export interface ClaimRequest {
  readonly id: string;
  /** Used only when no record exists yet (a message that came without one). */
  readonly kind: string;
  readonly lane: string;
  readonly maxAttempts: number;
  readonly payloadBytes: number;
  readonly now: Date;
  readonly leaseUntil: Date;
  /** Kept as `createdBy` when the claim creates the record (a schedule firing, a `from-claim` job). */
  readonly createdBy?: string | undefined;
  /** Kept as `createdAt` when the claim creates the record: when SQS took the message. @default now */
  readonly createdAt?: Date | undefined;
  /**
   * The job's record was written when it was enqueued (a kind tracked in full, not a schedule's
   * firing): a claim that finds none creates none — the job was discarded, or its record
   * expired — and answers `missing`, so a message still on its way never brings a discarded job back.
   */
  readonly recordedAtEnqueue?: boolean | undefined;
  /** Kept as `groupId` when the claim creates the record: the message's group. */
  readonly groupId?: string | undefined;
  /** Kept as `trace` when the claim creates the record: the creation context a job with no record until its claim carries (tracing on). */
  readonly trace?: string | undefined;
}
