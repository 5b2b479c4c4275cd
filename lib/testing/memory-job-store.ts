import { JobNotCancellableError, JobNotRetryableError } from '../errors.js';
import type { JobRecord } from '../job-record.js';
import type { JobStatus } from '../job-status.js';
import { CLAIMABLE_STATUSES } from '../job-status.js';
import type { JobError } from '../job-record.js';
import { CANCELLED_IN_FLIGHT, type AttemptRef, type ChildReport, type ClaimRequest, type ClaimResult, type FollowUp, type JobStore, type ListQuery, type NewJob, type UniqueInsertResult } from '../store/job-store.js';

type MutableRecord = { -readonly [K in keyof JobRecord]: JobRecord[K] } & {
  childrenTotal?: number; childrenDone?: number; childrenFailed?: number; childTotals?: Record<string, number>; failFast?: boolean;
};

/**
 * A {@link JobStore} in memory with the same conditions as the DynamoDB one (claim only
 * from claimable states or an expired lease; finishing writes fenced to the attempt). For
 * unit tests of handlers and of code that enqueues.
 */
export class MemoryJobStore implements JobStore {
  readonly records = new Map<string, MutableRecord>();
  /** Every write, in order, for assertions. */
  readonly writes: string[] = [];

  async insert(jobs: readonly NewJob[]): Promise<void> {
    for (const job of jobs) {
      this.writes.push(`insert ${job.id}`);
      this.records.set(job.id, {
        id: job.id, kind: job.kind, lane: job.lane, status: job.status, attempt: 0, maxAttempts: job.maxAttempts,
        payloadBytes: job.payloadBytes, createdAt: job.createdAt.toISOString(), updatedAt: job.createdAt.toISOString(),
        runAt: job.runAt?.toISOString(), createdBy: job.createdBy, scheduleName: job.scheduleName, uniqueKey: job.uniqueKey,
      });
    }
  }

  /** Unique-key claims: key → job id and when the window ends. */
  readonly claims = new Map<string, { jobId: string; expiresAt: number }>();

  async insertUnique(job: NewJob, claim: { key: string; expiresAt: Date; now: Date }): Promise<UniqueInsertResult> {
    const key = `unique#${job.kind}#${claim.key}`;
    const existing = this.claims.get(key);
    if (existing && existing.expiresAt >= claim.now.getTime()) return { inserted: false, existingJobId: existing.jobId };
    this.claims.set(key, { jobId: job.id, expiresAt: claim.expiresAt.getTime() });
    await this.insert([job]);
    return { inserted: true };
  }

  async keepUndispatched(id: string, payloadJson: string, now: Date): Promise<void> {
    const record = this.records.get(id);
    if (!record) throw new Error(`no record ${id}`);
    this.writes.push(`keepUndispatched ${id}`);
    Object.assign(record, { payload: JSON.parse(payloadJson), updatedAt: now.toISOString() });
  }

  async claim(request: ClaimRequest): Promise<ClaimResult> {
    const now = request.now.toISOString();
    const existing = this.records.get(request.id);
    if (existing) {
      const expired = existing.status === 'running' && (existing.leaseUntil ?? '') < now;
      if (!CLAIMABLE_STATUSES.includes(existing.status) && !(expired && existing.attempt < existing.maxAttempts)) {
        const record = { ...existing };
        if (existing.status !== 'running') return { outcome: 'skip', record };
        return { outcome: expired ? 'exhausted' : 'busy', record };
      }
    }
    this.writes.push(`claim ${request.id}`);
    const record: MutableRecord = existing ?? {
      id: request.id, kind: request.kind, lane: request.lane, status: 'queued', attempt: 0, maxAttempts: request.maxAttempts,
      payloadBytes: request.payloadBytes, createdAt: now, updatedAt: now, createdBy: request.createdBy,
    };
    Object.assign(record, { status: 'running', attempt: record.attempt + 1, startedAt: now, updatedAt: now, leaseUntil: request.leaseUntil.toISOString(), nextRunAt: undefined, scheduleName: undefined, payload: undefined });
    this.records.set(request.id, record);
    return { outcome: 'claimed', record: { ...record } };
  }

  async markSucceeded(ref: AttemptRef, update: { now: Date; durationMs: number; result?: unknown; expiresAt: Date; followUps?: readonly FollowUp[]; parent?: ChildReport }): Promise<boolean> {
    const done = this.finish(ref, 'markSucceeded', { status: 'succeeded', finishedAt: update.now.toISOString(), durationMs: update.durationMs, result: update.result, expiresAt: Math.floor(update.expiresAt.getTime() / 1000) }, update.now);
    if (done && update.parent) this.report(update.parent);
    if (done && update.followUps?.length) {
      await this.insert(update.followUps.map((f) => f.record));
      for (const f of update.followUps) Object.assign(this.records.get(f.record.id)!, { payload: JSON.parse(f.payloadJson), predecessorId: f.record.predecessorId });
    }
    return done;
  }

  async markDispatched(id: string): Promise<void> {
    const record = this.records.get(id);
    if (record) record.payload = undefined;
  }

  async markRetrying(ref: AttemptRef, update: Parameters<JobStore['markRetrying']>[1]): Promise<boolean> {
    return this.finish(ref, 'markRetrying', { status: 'retrying', durationMs: update.durationMs, lastError: update.error, errors: update.errors, nextRunAt: update.nextRunAt.toISOString() }, update.now);
  }

  async markFailed(ref: AttemptRef, update: Parameters<JobStore['markFailed']>[1]): Promise<boolean> {
    const done = this.finish(ref, 'markFailed', {
      status: 'failed', finishedAt: update.now.toISOString(), durationMs: update.durationMs, lastError: update.error, errors: update.errors,
      payload: JSON.parse(update.payloadJson), expiresAt: Math.floor(update.expiresAt.getTime() / 1000),
    }, update.now);
    if (done && update.parent) this.report(update.parent);
    return done;
  }

  async prepareChildren(ref: AttemptRef, update: { total: number; failFast: boolean }): Promise<boolean> {
    const record = this.records.get(ref.id);
    if (!record || record.status !== 'running' || record.attempt !== ref.attempt) return false;
    Object.assign(record, { childrenTotal: update.total, failFast: update.failFast, childrenDone: record.childrenDone ?? 0, childrenFailed: record.childrenFailed ?? 0, childTotals: record.childTotals ?? {} });
    return true;
  }

  async insertChildren(children: readonly NewJob[]): Promise<void> {
    const fresh = children.filter((c) => !this.records.has(c.id));
    await this.insert(fresh);
    for (const child of fresh) this.records.get(child.id)!.parentId = child.parentId;
  }

  async markWaiting(ref: AttemptRef, update: { now: Date; durationMs: number; result?: unknown }): Promise<boolean> {
    return this.finish(ref, 'markWaiting', { status: 'waiting', durationMs: update.durationMs, result: update.result }, update.now);
  }

  async finishParent(id: string, update: { now: Date; status: 'succeeded' | 'failed'; result: unknown; error?: JobError | undefined; expiresAt: Date }): Promise<boolean> {
    const record = this.records.get(id);
    if (!record || (record.status !== 'waiting' && record.status !== 'running')) return false;
    Object.assign(record, { status: update.status, finishedAt: update.now.toISOString(), updatedAt: update.now.toISOString(), result: update.result, lastError: update.error ?? record.lastError });
    return true;
  }

  private report(report: ChildReport): void {
    const parent = this.records.get(report.parentId);
    if (!parent?.childTotals) throw new Error(`parent ${report.parentId} was not prepared for children`);
    parent.childrenDone = (parent.childrenDone ?? 0) + 1;
    if (report.failed) parent.childrenFailed = (parent.childrenFailed ?? 0) + 1;
    for (const [field, value] of Object.entries(report.totals)) parent.childTotals[field] = (parent.childTotals[field] ?? 0) + value;
  }

  async cancel(id: string, update: { now: Date; reason: string; expiresAt: Date }): Promise<JobRecord> {
    const record = this.records.get(id);
    if (!record || !CLAIMABLE_STATUSES.includes(record.status)) throw new JobNotCancellableError(id, record?.status);
    this.writes.push(`cancel ${id}`);
    Object.assign(record, { status: 'cancelled', finishedAt: update.now.toISOString(), updatedAt: update.now.toISOString(), cancelReason: update.reason, expiresAt: Math.floor(update.expiresAt.getTime() / 1000) });
    return { ...record };
  }

  async heartbeat(ref: AttemptRef, update: { now: Date; leaseUntil?: Date | undefined; progress?: unknown }): Promise<boolean> {
    const record = this.records.get(ref.id);
    if (!record || record.status !== 'running' || record.attempt !== ref.attempt) return false;
    this.writes.push(`heartbeat ${ref.id}`);
    Object.assign(record, { updatedAt: update.now.toISOString() });
    if (update.leaseUntil) record.leaseUntil = update.leaseUntil.toISOString();
    if (update.progress !== undefined) record.progress = update.progress;
    return true;
  }

  async requeue(id: string, now: Date): Promise<JobRecord> {
    const record = this.records.get(id);
    if (!record || (record.status !== 'failed' && record.status !== 'cancelled') || (record.status === 'failed' && record.payload === undefined)) throw new JobNotRetryableError(id, record?.status);
    this.writes.push(`requeue ${id}`);
    Object.assign(record, { status: 'queued', attempt: 0, updatedAt: now.toISOString(), finishedAt: undefined, expiresAt: undefined, cancelReason: undefined });
    return { ...record };
  }

  async keepCancelledPayload(id: string, payloadJson: string, now: Date): Promise<boolean> {
    const record = this.records.get(id);
    if (!record || record.status !== 'cancelled') return false;
    this.writes.push(`keepCancelledPayload ${id}`);
    Object.assign(record, { payload: JSON.parse(payloadJson), updatedAt: now.toISOString() });
    return true;
  }

  async discard(id: string): Promise<void> {
    const record = this.records.get(id);
    if (record?.status === 'cancelled' && record.payload === undefined) throw new JobNotRetryableError(id, 'cancelled', 'discarded', CANCELLED_IN_FLIGHT);
    if (!record || (record.status !== 'failed' && record.status !== 'cancelled')) throw new JobNotRetryableError(id, record?.status, 'discarded');
    this.records.delete(id);
  }

  async markRetryScheduled(ref: { id: string; attempt: number }, scheduleName: string): Promise<boolean> {
    const record = this.records.get(ref.id);
    if (!record || record.status !== 'retrying' || record.attempt !== ref.attempt) return false;
    record.scheduleName = scheduleName;
    return true;
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const record = this.records.get(id);
    return record ? { ...record } : undefined;
  }

  async list(query: ListQuery): Promise<JobRecord[]> {
    const since = (query.since ?? new Date(0)).toISOString();
    return [...this.records.values()]
      .filter((r) => r.status === query.status && r.createdAt >= since && (!query.before || r.id < query.before))
      .sort((a, b) => (a.id < b.id ? 1 : -1))
      .slice(0, query.limit ?? 50)
      .map((r) => ({ ...r }));
  }

  async countByLane(status: JobStatus, since: Date): Promise<{ byLane: Record<string, number>; complete: boolean }> {
    const byLane: Record<string, number> = {};
    for (const r of this.records.values()) if (r.status === status && r.createdAt >= since.toISOString()) byLane[r.lane] = (byLane[r.lane] ?? 0) + 1;
    return { byLane, complete: true };
  }

  private finish(ref: AttemptRef, write: string, change: Partial<MutableRecord>, now: Date): boolean {
    const record = this.records.get(ref.id);
    if (!record || record.status !== 'running' || record.attempt !== ref.attempt) return false;
    this.writes.push(`${write} ${ref.id}`);
    Object.assign(record, change, { updatedAt: now.toISOString(), leaseUntil: undefined });
    return true;
  }
}
