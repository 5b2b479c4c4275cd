import type { JobRecord, JobWait } from '../job-record.js';
import { assertTransition, CLAIMABLE_STATUSES, INDEXED_STATUSES, PARENT_FINISHABLE_STATUSES, type JobStatus } from '../job-status.js';
import type { AttemptOutcome, ChildReport, FailedOutcome, SucceededOutcome } from '../store/attempt-outcome.js';
import { DEFAULT_LIST_WINDOW_MS, type AttemptRef, type CancelUpdate, type ClaimRequest, type ParentFinish, type ClaimResult, type JobStore, type ListPage, type ListQuery, type NewJob, type UniqueInsertResult, type UntrackedRun } from '../store/job-store.js';
import { keptResult, MAX_PARENT_SUMMARY_BYTES, smallResult } from '../store/small-result.js';
import { UNKNOWN_CREATOR } from '../store/claim-request.js';
import { childCountsOf, countedAs, reopensOnChildRetry } from '../store/dynamo/child-counts.js';
import { cancelRefusal, discardRefusal, retryRefusal } from '../store/operator-rules.js';
import { ownWriteToken } from '../aws/conditional-write.js';

type MutableRecord = { -readonly [K in keyof JobRecord]: JobRecord[K] } & { childTotals?: Record<string, number> };

/**
 * A `JobStore` in memory with the same conditions as the DynamoDB one (claim only
 * from claimable states or an expired lease; finishing writes fenced to the attempt), held
 * to the same contract by the store conformance suite. Every write that changes a status is
 * checked against the transition table: an illegal one throws `IllegalTransitionError`. For
 * unit tests of handlers and of code that enqueues.
 */
export class MemoryJobStore implements JobStore {
  readonly records = new Map<string, MutableRecord>();
  /** Every write, in order, for assertions: `<write> <job id>`. */
  readonly writes: string[] = [];
  /** When each parent's settling was taken (`claimSettlement`), kept off its record as DynamoDB keeps it off the record it returns. */
  private readonly settling = new Map<string, number>();
  /** Jobs whose message waits to be sent (the sweeper's undispatched set). */
  readonly undispatched = new Set<string>();
  /** Unique-key claims: key → job id and when the window ends. */
  readonly claims = new Map<string, { jobId: string; expiresAt: number }>();
  /** Tag items: tag → the ids of the jobs that carry it. */
  readonly tagged = new Map<string, Set<string>>();

  async insert(jobs: readonly NewJob[]): Promise<void> {
    for (const job of jobs) this.put(job, 'insert');
  }

  async insertUnique(job: NewJob, claim: { key: string; expiresAt: Date; now: Date }): Promise<UniqueInsertResult> {
    const key = `unique#${job.kind}#${claim.key}`;
    const existing = this.claims.get(key);
    if (existing && existing.expiresAt >= epochSeconds(claim.now)) return { inserted: false, existingJobId: existing.jobId };
    this.claims.set(key, { jobId: job.id, expiresAt: epochSeconds(claim.expiresAt) });
    this.put(job, 'insertUnique');
    return { inserted: true };
  }

  async keepUndispatched(id: string, payloadJson: string, now: Date): Promise<void> {
    const record = this.records.get(id);
    if (!record) throw new Error(`no record ${id}`);
    // Only while it waits to start: a job cancelled meanwhile keeps its own state.
    if (record.status !== 'queued' && record.status !== 'scheduled') return;
    this.writes.push(`keepUndispatched ${id}`);
    Object.assign(record, { payload: JSON.parse(payloadJson), updatedAt: now.toISOString() });
    this.undispatched.add(id);
  }

  async claim(request: ClaimRequest): Promise<ClaimResult> {
    const now = request.now.toISOString();
    const existing = this.records.get(request.id);
    if (existing) {
      const expired = existing.status === 'running' && (existing.leaseUntil ?? '') < now;
      if (existing.status === 'retrying' && (existing.nextRunAt ?? '') > now) return { outcome: 'early', record: { ...existing } };
      if (!CLAIMABLE_STATUSES.includes(existing.status) && !(expired && existing.attempt < existing.maxAttempts)) {
        const record = { ...existing };
        if (existing.status !== 'running') return { outcome: 'skip', record };
        return { outcome: expired ? 'exhausted' : 'busy', record };
      }
    } else if (request.recordedAtEnqueue) {
      return { outcome: 'missing' };
    }
    assertTransition(request.id, existing?.status, 'running', 'claim');
    this.writes.push(`claim ${request.id}`);
    const record: MutableRecord = existing ?? {
      id: request.id, kind: request.kind, lane: request.lane, status: 'queued', attempt: 0, maxAttempts: request.maxAttempts,
      payloadBytes: request.payloadBytes, createdAt: (request.createdAt ?? request.now).toISOString(), updatedAt: now, createdBy: request.createdBy ?? UNKNOWN_CREATOR, groupId: request.groupId,
      ...(request.trace && !request.recordedAtEnqueue ? { trace: request.trace } : {}),
    };
    Object.assign(record, { status: 'running', attempt: record.attempt + 1, startedAt: now, updatedAt: now, leaseUntil: request.leaseUntil.toISOString(), claimToken: ownWriteToken(), nextRunAt: undefined, scheduleName: undefined, payload: undefined, waitingFor: undefined });
    this.undispatched.delete(request.id);
    this.records.set(request.id, record);
    return { outcome: 'claimed', record: { ...record } };
  }

  async claimSettlement(id: string, now: Date, staleAfterMs: number): Promise<boolean> {
    if (this.records.get(id)?.status !== 'waiting') return false;
    const settling = this.settling.get(id);
    if (settling !== undefined && settling >= now.getTime() - staleAfterMs) return false;
    this.writes.push(`claimSettlement ${id}`);
    this.settling.set(id, now.getTime());
    return true;
  }

  async recordUntracked(run: UntrackedRun, outcome: SucceededOutcome | FailedOutcome): Promise<boolean> {
    if (this.records.has(run.id)) return false;
    this.writes.push(`untracked ${outcome.status} ${run.id}`);
    const now = outcome.now.toISOString();
    const record: MutableRecord = {
      id: run.id, kind: run.kind, lane: run.lane, status: outcome.status, attempt: run.attempt, maxAttempts: run.maxAttempts,
      payloadBytes: run.payloadBytes, createdAt: run.createdAt.toISOString(), updatedAt: now, startedAt: run.startedAt.toISOString(),
      finishedAt: now, durationMs: outcome.durationMs, createdBy: run.createdBy ?? UNKNOWN_CREATOR, expiresAt: epochSeconds(outcome.expiresAt),
    };
    if (outcome.status === 'succeeded') Object.assign(record, keptResult(outcome));
    else Object.assign(record, { lastError: outcome.error, errors: outcome.errors, payload: JSON.parse(outcome.payloadJson) });
    this.records.set(run.id, record);
    return true;
  }

  async recordOutcome(ref: AttemptRef, outcome: AttemptOutcome): Promise<boolean> {
    const record = this.fenced(ref);
    if (!record) return false;
    assertTransition(ref.id, record.status, outcome.status, `recordOutcome(${outcome.status})`);
    if ((outcome.status === 'succeeded' || outcome.status === 'failed') && outcome.parent) this.assertParentPrepared(outcome.parent);
    this.writes.push(`${outcome.status} ${ref.id}`);
    const common = { status: outcome.status, updatedAt: outcome.now.toISOString(), leaseUntil: undefined, durationMs: outcome.durationMs };
    switch (outcome.status) {
      case 'succeeded':
        Object.assign(record, common, { finishedAt: outcome.now.toISOString(), ...keptResult(outcome), expiresAt: epochSeconds(outcome.expiresAt) });
        if (outcome.parent && this.records.has(outcome.parent.parentId)) this.report(outcome.parent);
        for (const f of outcome.followUps) {
          this.put(f.record, 'followUp');
          this.records.get(f.record.id)!.payload = JSON.parse(f.payloadJson);
          this.undispatched.add(f.record.id);
        }
        break;
      case 'retrying':
        Object.assign(record, common, { lastError: outcome.error, errors: outcome.errors, nextRunAt: outcome.nextRunAt.toISOString() });
        break;
      case 'failed':
        Object.assign(record, common, { finishedAt: outcome.now.toISOString(), lastError: outcome.error, errors: outcome.errors, payload: JSON.parse(outcome.payloadJson), expiresAt: epochSeconds(outcome.expiresAt) });
        if (outcome.parent && this.records.has(outcome.parent.parentId)) this.report(outcome.parent);
        break;
      case 'waiting':
        Object.assign(record, common, { result: smallResult(outcome.result) });
        break;
    }
    return true;
  }

  async markDispatched(id: string, _status?: JobStatus): Promise<void> {
    // Only a job still waiting for its message: once claimed, there is nothing to drop.
    if (!this.undispatched.delete(id)) return;
    const record = this.records.get(id);
    if (record) record.payload = undefined;
  }

  async prepareChildren(ref: AttemptRef, update: { total: number; failFast: boolean }): Promise<boolean> {
    const record = this.fenced(ref);
    if (!record) return false;
    this.writes.push(`prepareChildren ${ref.id}`);
    Object.assign(record, { childrenTotal: update.total, failFast: update.failFast, childrenDone: record.childrenDone ?? 0, childrenFailed: record.childrenFailed ?? 0, childrenCancelled: record.childrenCancelled ?? 0, childTotals: record.childTotals ?? {} });
    return true;
  }

  async insertChildren(children: readonly NewJob[]): Promise<void> {
    for (const child of children) if (!this.records.has(child.id)) this.put(child, 'insertChild');
  }

  async finishParent(id: string, update: ParentFinish): Promise<boolean> {
    const record = this.records.get(id);
    if (!record || !PARENT_FINISHABLE_STATUSES.includes(record.status)) return false;
    const counts = childCountsOf(record);
    const holds = update.decidedOn === 'a-child-failed'
      ? counts.failed > 0
      : counts.done === record.childrenTotal && counts.done === update.decidedOn.counts.done && counts.failed === update.decidedOn.counts.failed && counts.cancelled === update.decidedOn.counts.cancelled;
    if (!holds) return false;
    assertTransition(id, record.status, update.status, 'finishParent');
    this.writes.push(`finishParent ${id}`);
    Object.assign(record, {
      status: update.status, finishedAt: update.now.toISOString(), updatedAt: update.now.toISOString(), settledAt: update.now.toISOString(),
      result: smallResult(update.result, MAX_PARENT_SUMMARY_BYTES) ?? null, expiresAt: epochSeconds(update.expiresAt), lastError: update.error ?? record.lastError,
    });
    return true;
  }

  async cancel(id: string, update: CancelUpdate): Promise<JobRecord> {
    const record = this.records.get(id);
    const refused = cancelRefusal(id, record);
    if (refused) throw refused;
    assertTransition(id, record!.status, 'cancelled', 'cancel');
    this.writes.push(`cancel ${id}`);
    Object.assign(record!, { status: 'cancelled', finishedAt: update.now.toISOString(), updatedAt: update.now.toISOString(), cancelReason: update.reason, expiresAt: epochSeconds(update.expiresAt) });
    if (update.payloadJson !== undefined) record!.payload = JSON.parse(update.payloadJson);
    if (update.supersededBy !== undefined) record!.supersededBy = update.supersededBy;
    if (record!.parentId && this.records.get(record!.parentId)?.childTotals) this.report({ parentId: record!.parentId, outcome: 'cancelled', totals: {} });
    return { ...record! };
  }

  async heartbeat(ref: AttemptRef, update: { now: Date; leaseUntil?: Date | undefined; progress?: unknown }): Promise<boolean> {
    const record = this.fenced(ref);
    if (!record) return false;
    this.writes.push(`heartbeat ${ref.id}`);
    Object.assign(record, { updatedAt: update.now.toISOString() });
    if (update.leaseUntil) record.leaseUntil = update.leaseUntil.toISOString();
    if (update.progress !== undefined) record.progress = smallResult(update.progress);
    return true;
  }

  async requeue(id: string, now: Date): Promise<JobRecord> {
    const record = this.records.get(id);
    const refused = retryRefusal(id, record);
    if (refused) throw refused;
    assertTransition(id, record!.status, 'queued', 'requeue');
    const was = countedAs(record!.status);
    const parent = record!.parentId ? this.records.get(record!.parentId) : undefined;
    if (parent?.childTotals) this.uncount(parent, was, now);
    this.writes.push(`requeue ${id}`);
    Object.assign(record!, { status: 'queued', attempt: 0, updatedAt: now.toISOString(), finishedAt: undefined, leaseUntil: undefined, expiresAt: undefined, nextRunAt: undefined, cancelReason: undefined });
    if (record!.payload !== undefined) this.undispatched.add(id);
    return { ...record! };
  }

  async keepCancelledPayload(id: string, payloadJson: string, now: Date): Promise<boolean> {
    const record = this.records.get(id);
    if (!record || record.status !== 'cancelled') return false;
    this.writes.push(`keepCancelledPayload ${id}`);
    Object.assign(record, { payload: JSON.parse(payloadJson), updatedAt: now.toISOString() });
    return true;
  }

  async noteWaiting(id: string, wait: JobWait, now: Date): Promise<boolean> {
    const record = this.records.get(id);
    if (!record || !CLAIMABLE_STATUSES.includes(record.status)) return false;
    this.writes.push(`noteWaiting ${id}`);
    Object.assign(record, { waitingFor: wait, updatedAt: now.toISOString() });
    return true;
  }

  async discard(id: string): Promise<void> {
    const record = this.records.get(id);
    const refused = discardRefusal(id, record, record?.parentId !== undefined && this.records.has(record.parentId));
    if (refused) throw refused;
    this.writes.push(`discard ${id}`);
    this.records.delete(id);
    this.undispatched.delete(id);
  }

  async markRetryScheduled(ref: AttemptRef, scheduleName: string): Promise<boolean> {
    const record = this.records.get(ref.id);
    if (!record || record.status !== 'retrying' || record.claimToken !== ref.token) return false;
    this.writes.push(`markRetryScheduled ${ref.id}`);
    record.scheduleName = scheduleName;
    return true;
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const record = this.records.get(id);
    return record ? { ...record } : undefined;
  }

  async getMany(ids: readonly string[]): Promise<JobRecord[]> {
    return ids.flatMap((id) => { const record = this.records.get(id); return record ? [{ ...record }] : []; });
  }

  async list(query: ListQuery): Promise<ListPage> {
    const since = (query.since ?? new Date(Date.now() - DEFAULT_LIST_WINDOW_MS)).toISOString();
    const limit = query.limit ?? 50;
    const all = [...this.records.values()]
      .filter((r) => (query.status === undefined || r.status === query.status) && r.createdAt >= since && (!query.before || r.id < query.before))
      .sort((a, b) => (a.id < b.id ? 1 : -1));
    const records = all.slice(0, limit).map((r) => ({ ...r }));
    return all.length > limit ? { records, next: records.at(-1)!.id } : { records };
  }

  async countByLane(status: JobStatus, since: Date): Promise<{ byLane: Record<string, number>; complete: boolean }> {
    if (!INDEXED_STATUSES.includes(status)) throw new RangeError(`only ${INDEXED_STATUSES.join(', ')} jobs can be counted (the sparse index holds them), not ${status}`);
    const byLane: Record<string, number> = {};
    for (const r of this.records.values()) if (r.status === status && r.createdAt >= since.toISOString()) byLane[r.lane] = (byLane[r.lane] ?? 0) + 1;
    return { byLane, complete: true };
  }

  async listByTag(tag: string, page: { limit: number; before?: string | undefined }): Promise<ListPage> {
    const ids = [...(this.tagged.get(tag) ?? [])].filter((id) => !page.before || id < page.before).sort().reverse();
    const shown = ids.slice(0, page.limit);
    return { records: await this.getMany(shown), ...(ids.length > page.limit ? { next: shown.at(-1)! } : {}) };
  }

  async countByTag(tag: string): Promise<{ count: number; complete: boolean }> {
    return { count: this.tagged.get(tag)?.size ?? 0, complete: true };
  }

  async uniqueKeyHolder(kind: string, key: string): Promise<string | undefined> {
    return this.claims.get(`unique#${kind}#${key}`)?.jobId;
  }

  /** Writes a new record as the DynamoDB store's `newItem` does, and its tag items as `tagItems` does (one write each, `tag <tag> <id>`). */
  private put(job: NewJob, write: string): void {
    assertTransition(job.id, undefined, job.status, write);
    this.writes.push(`${write} ${job.id}`);
    for (const tag of job.tags?.names ?? []) {
      this.writes.push(`tag ${tag} ${job.id}`);
      (this.tagged.get(tag) ?? this.tagged.set(tag, new Set()).get(tag)!).add(job.id);
    }
    this.records.set(job.id, {
      id: job.id, kind: job.kind, lane: job.lane, status: job.status, attempt: 0, maxAttempts: job.maxAttempts,
      payloadBytes: job.payloadBytes, createdAt: job.createdAt.toISOString(), updatedAt: job.createdAt.toISOString(),
      runAt: job.runAt?.toISOString(), createdBy: job.createdBy, scheduleName: job.scheduleName, uniqueKey: job.uniqueKey,
      predecessorId: job.predecessorId, parentId: job.parentId, groupId: job.groupId, tags: job.tags?.names,
      ...(job.trace ? { trace: job.trace } : {}),
    });
  }

  /** The record while `ref`'s attempt (its claim's token) still runs it, else undefined (a newer claim took over). */
  private fenced(ref: AttemptRef): MutableRecord | undefined {
    const record = this.records.get(ref.id);
    return record && record.status === 'running' && record.claimToken === ref.token ? record : undefined;
  }

  private assertParentPrepared(report: ChildReport): void {
    // DynamoDB's transaction fails on the parent's condition: the child's outcome is not written either.
    // (A parent that is gone — discarded, expired — has nothing to count on: the outcome is written alone.)
    const parent = this.records.get(report.parentId);
    if (parent && !parent.childTotals) throw new Error(`parent ${report.parentId} was not prepared for children`);
  }

  private report(report: ChildReport): void {
    const parent = this.records.get(report.parentId)!;
    parent.childrenDone = (parent.childrenDone ?? 0) + 1;
    if (report.outcome === 'failed') parent.childrenFailed = (parent.childrenFailed ?? 0) + 1;
    if (report.outcome === 'cancelled') parent.childrenCancelled = (parent.childrenCancelled ?? 0) + 1;
    for (const [field, value] of Object.entries(report.totals)) parent.childTotals![field] = (parent.childTotals![field] ?? 0) + value;
  }

  /** A retried child leaves its parent's counts; a parent its children had failed reopens, waiting again. */
  private uncount(parent: MutableRecord, was: 'failed' | 'cancelled', now: Date): void {
    if (reopensOnChildRetry(parent)) {
      assertTransition(parent.id, parent.status, 'waiting', 'requeue (reopen the parent)');
      Object.assign(parent, { status: 'waiting', updatedAt: now.toISOString(), finishedAt: undefined, expiresAt: undefined, settledAt: undefined });
    }
    this.settling.delete(parent.id);
    parent.childrenDone = (parent.childrenDone ?? 0) - 1;
    if (was === 'failed') parent.childrenFailed = (parent.childrenFailed ?? 0) - 1;
    else parent.childrenCancelled = (parent.childrenCancelled ?? 0) - 1;
  }
}

function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
