import { LeaseLostError } from '../errors.js';
import { LEASE_GRACE_MS } from './attempt-plan.js';
import type { AttemptRef } from '../store/job-store.js';
import type { JobTransport } from '../transport/job-transport.js';
import type { AttemptRecorder } from './worker-dependencies.js';

/** Heartbeats that store only progress write at most this often, in ms (each write is a write unit). */
export const PROGRESS_WRITE_INTERVAL_MS = 1000;

/** What a heartbeat renews: the record's lease and, for heartbeat kinds, the message's visibility. */
export interface HeartbeatTarget extends AttemptRef {
  readonly lane: string;
  readonly receiptHandle: string;
  /** The lease a heartbeat grants, in seconds; undefined for kinds without `heartbeatSeconds` (progress only). */
  readonly leaseSeconds?: number | undefined;
}

/**
 * `ctx.heartbeat(progress?)`: renews the lease (record, message visibility and the concurrency
 * slot it holds) of a kind with `heartbeatSeconds`, and stores progress for status queries. Writes are spaced out — at most
 * one per third of the lease, or one per second for progress alone — so calling it in a tight
 * loop costs little. When another delivery has taken the job over it aborts the attempt.
 */
export class Heartbeat {
  private lastWrite = 0;

  constructor(
    private readonly target: HeartbeatTarget,
    private readonly store: Pick<AttemptRecorder, 'heartbeat'>,
    private readonly transport: JobTransport,
    private readonly controller: AbortController,
    private readonly now: () => Date,
    /** Moves the lease of the concurrency slot the attempt holds (a heartbeat kind with a limit); false when it is lost. */
    private readonly renewSlot?: ((leaseUntil: Date) => Promise<boolean>) | undefined,
  ) {}

  async beat(progress?: unknown): Promise<void> {
    if (this.controller.signal.aborted) throw this.controller.signal.reason;
    const now = this.now();
    const spacing = this.target.leaseSeconds ? (this.target.leaseSeconds * 1000) / 3 : PROGRESS_WRITE_INTERVAL_MS;
    if (now.getTime() - this.lastWrite < spacing) return;
    this.lastWrite = now.getTime();
    const leaseUntil = this.target.leaseSeconds ? new Date(now.getTime() + this.target.leaseSeconds * 1000) : undefined;
    const held = await this.store.heartbeat(this.target, { now, leaseUntil, progress });
    if (!held) {
      const error = new LeaseLostError(`attempt ${this.target.attempt} lost its lease: another delivery took the job over`);
      this.controller.abort(error);
      throw error;
    }
    if (this.target.leaseSeconds && this.renewSlot && !(await this.renewSlot(new Date(leaseUntil!.getTime() + LEASE_GRACE_MS)))) {
      // Its slot's lease ran out and another job took it: running on would break the limit.
      const error = new LeaseLostError(`attempt ${this.target.attempt} lost its concurrency slot: its lease ended and another job took it`);
      this.controller.abort(error);
      throw error;
    }
    if (this.target.leaseSeconds) await this.transport.changeVisibility(this.target.lane, this.target.receiptHandle, this.target.leaseSeconds);
  }
}
