import { describe, expect, it } from 'vitest';
import { JobNotCancellableError, JobNotRetryableError } from '../../lib/errors.js';
import { newJobId } from '../../lib/job-id.js';
import type { JobRecord } from '../../lib/job-record.js';
import { canTransition, JOB_STATUSES, type JobStatus } from '../../lib/job-status.js';
import { attemptOf, failed, retrying, succeeded, waiting } from '../../lib/store/attempt-outcome.js';
import { childCountsOf } from '../../lib/store/dynamo/child-counts.js';
import { childJobId } from '../../lib/continuations/children.js';
import { CANCELLED_IN_FLIGHT, type JobStore, type NewJob } from '../../lib/store/job-store.js';
import { found } from '../support/claim.js';
import { MAX_INLINE_RESULT_BYTES } from '../../lib/results/result-store.js';

/** What each store under test gives the suite. */
export interface StoreUnderTest {
  readonly store: JobStore;
  readonly shardCount: number;
}

const error = (message: string, attempt = 1) => ({ message, class: 'Error', permanent: false, attempt, at: new Date().toISOString() });

/**
 * The `JobStore` contract, run against every store (in the manner of river's driver tests):
 * `MemoryJobStore` in the unit project, `DynamoJobStore` on a table in the emulator in the
 * integration project. A divergence between the in-memory store that unit tests trust and
 * the store that runs on AWS fails here.
 */
export function describeJobStoreConformance(name: string, setup: () => StoreUnderTest): void {
  describe(`JobStore conformance: ${name}`, () => {
    const lane = `lane-${Math.random().toString(36).slice(2, 8)}`;
    const at = (offsetMs = 0) => new Date(Date.now() + offsetMs);
    const newJob = (overrides: Partial<NewJob> = {}): NewJob => {
      const createdAt = overrides.createdAt ?? at();
      return { id: newJobId(setup().shardCount, createdAt.getTime()), kind: 'conformance.job', lane, status: 'queued', maxAttempts: 3, payloadBytes: 12, createdAt, ...overrides };
    };
    const claim = (id: string, options: { now?: Date; leaseMs?: number; maxAttempts?: number } = {}) => {
      const now = options.now ?? at();
      return setup().store.claim({ id, kind: 'conformance.job', lane, maxAttempts: options.maxAttempts ?? 3, payloadBytes: 12, now, leaseUntil: new Date(now.getTime() + (options.leaseMs ?? 60_000)) }).then(found);
    };
    const running = async (job: NewJob = newJob()) => {
      await setup().store.insert([job]);
      const claimed = await claim(job.id);
      expect(claimed.outcome).toBe('claimed');
      return claimed.record;
    };

    /** A job brought to `status` through the store's own writes. */
    async function jobIn(status: JobStatus): Promise<JobRecord> {
      const { store } = setup();
      if (status === 'scheduled' || status === 'queued') {
        const job = newJob({ status, runAt: status === 'scheduled' ? at(3_600_000) : undefined });
        await store.insert([job]);
        return (await store.get(job.id))!;
      }
      if (status === 'cancelled') {
        const job = newJob();
        await store.insert([job]);
        return store.cancel(job.id, { now: at(), reason: 'conformance', expiresAt: at(60_000) });
      }
      const record = await running();
      const ref = attemptOf(record);
      if (status === 'retrying') await store.recordOutcome(ref, retrying(record, { now: at(), error: error('once'), delaySeconds: 5 }));
      if (status === 'succeeded') await store.recordOutcome(ref, succeeded(record, { now: at(), durationMs: 5, retentionSeconds: 60 }));
      if (status === 'failed') await store.recordOutcome(ref, failed(record, { now: at(), error: error('no'), payloadJson: '{"n":1}', retentionSeconds: 60 }));
      if (status === 'waiting') {
        await store.prepareChildren(ref, { total: 1, failFast: false });
        await store.insertChildren([newJob({ id: childJobId(record.id, 0, setup().shardCount), parentId: record.id })]);
        await store.recordOutcome(ref, waiting({ now: at(), durationMs: 5 }));
      }
      const after = (await store.get(record.id))!;
      expect(after.status).toBe(status);
      return after;
    }

    /** A parent of one child that failed, finished `failed` by its children (the one state a retry reopens). */
    async function parentFailedByItsChild(): Promise<JobRecord> {
      const { store } = setup();
      const parent = await jobIn('waiting');
      const counts = await lastChildFinished(parent, 'failed');
      expect(await store.finishParent(parent.id, { now: at(), status: 'failed', result: {}, error: error('1 of 1 children failed'), expiresAt: at(60_000), decidedOn: { counts } })).toBe(true);
      return (await store.get(parent.id))!;
    }

    /** Finishes a waiting parent's one child (as `outcome`): the parent's counts after, which a finish is decided on. */
    async function lastChildFinished(parent: JobRecord, outcome: 'succeeded' | 'failed') {
      const { store } = setup();
      const child = (await claim(childJobId(parent.id, 0, setup().shardCount))).record;
      await store.recordOutcome(attemptOf(child), outcome === 'succeeded'
        ? succeeded(child, { now: at(), durationMs: 1, retentionSeconds: 60 })
        : failed(child, { now: at(), error: error('bad row'), payloadJson: '{}', retentionSeconds: 60 }));
      return childCountsOf((await store.get(parent.id))!);
    }

    /** The write that moves a job to `to` (a parent leaves `waiting` through finishParent); true when it applied. */
    async function moveTo(record: JobRecord, to: JobStatus): Promise<boolean> {
      const { store } = setup();
      const ref = attemptOf(record);
      // A millisecond on: a write at the very time of the record's last one, by the same attempt,
      // would read as that write retried after its response was lost (and count as applied).
      const now = at(1);
      const refused = (e: unknown) => {
        if (e instanceof JobNotCancellableError || e instanceof JobNotRetryableError) return false;
        throw e;
      };
      switch (to) {
        // A running job is taken over only once its lease has expired: claim it later than that.
        // A retrying one once its backoff (5 s here) is over.
        case 'running': return (await claim(record.id, record.status === 'running' || record.status === 'retrying' ? { now: at(120_000) } : {})).outcome === 'claimed';
        case 'succeeded':
          if (record.status === 'waiting') return store.finishParent(record.id, { now, status: 'succeeded', result: { ok: true }, expiresAt: at(60_000), decidedOn: { counts: await lastChildFinished(record, 'succeeded') } });
          return store.recordOutcome(ref, succeeded(record, { now, durationMs: 1, retentionSeconds: 60 }));
        case 'failed':
          if (record.status === 'waiting') return store.finishParent(record.id, { now, status: 'failed', result: {}, error: error('child failed'), expiresAt: at(60_000), decidedOn: { counts: await lastChildFinished(record, 'failed') } });
          return store.recordOutcome(ref, failed(record, { now, error: error('no'), payloadJson: '{}', retentionSeconds: 60 }));
        case 'retrying': return store.recordOutcome(ref, retrying(record, { now, error: error('again'), delaySeconds: 5 }));
        case 'waiting':
          // A failed parent moves to waiting only when it was failed by its children and one of them is retried.
          if (record.status === 'failed' && record.childrenTotal !== undefined) return store.requeue(childJobId(record.id, 0, setup().shardCount), now).then(() => true, refused);
          return store.recordOutcome(ref, waiting({ now, durationMs: 1 }));
        case 'cancelled': return store.cancel(record.id, { now, reason: 'conformance', expiresAt: at(60_000) }).then(() => true, refused);
        case 'queued': return store.requeue(record.id, now).then(() => true, refused);
        case 'scheduled': throw new Error('no write moves a job to scheduled: it is only ever inserted so');
      }
    }

    describe('the transition table: every status, every write', () => {
      const rows = JOB_STATUSES.flatMap((from) => JOB_STATUSES.filter((to) => to !== 'scheduled').map((to) => [from, to, canTransition(from, to)] as const));
      it.each(rows)('%s → %s: allowed %s', async (from, to, allowed) => {
        const record = from === 'failed' && to === 'waiting' ? await parentFailedByItsChild() : await jobIn(from);
        const applied = await moveTo(record, to);
        const after = await setup().store.get(record.id);
        if (allowed) {
          expect(applied).toBe(true);
          expect(after?.status).toBe(to);
        } else {
          expect(applied).toBe(false);
          expect(after?.status).toBe(from);
        }
      });
    });

    describe('insert and get', () => {
      it('keeps every field of a new job', async () => {
        const { store } = setup();
        const job = newJob({ status: 'scheduled', runAt: at(60_000), createdBy: 'conformance', uniqueKey: 'k', predecessorId: newJobId(4), parentId: newJobId(4), scheduleName: 'once.x' });
        await store.insert([job]);
        expect(await store.get(job.id)).toMatchObject({
          id: job.id, kind: job.kind, lane, status: 'scheduled', attempt: 0, maxAttempts: 3, payloadBytes: 12,
          createdAt: job.createdAt.toISOString(), updatedAt: job.createdAt.toISOString(), runAt: job.runAt!.toISOString(),
          createdBy: 'conformance', uniqueKey: 'k', predecessorId: job.predecessorId, parentId: job.parentId, scheduleName: 'once.x',
        });
        expect(await store.get(newJobId(4))).toBeUndefined();
      });

      it('reads many records at once, in the order asked, skipping ids with no record (more than one batch of 100)', async () => {
        const { store } = setup();
        const jobs = Array.from({ length: 130 }, () => newJob());
        await store.insert(jobs);
        const missing = newJobId(4);
        const asked = [jobs[129]!.id, missing, ...jobs.slice(0, 129).map((j) => j.id)];
        expect((await store.getMany(asked)).map((r) => r.id)).toEqual(asked.filter((id) => id !== missing));
        expect(await store.getMany([])).toEqual([]);
      });

      it('writes a unique job once per key within its window, and again once the window is over', async () => {
        const { store } = setup();
        const key = `key-${Math.random()}`;
        const first = newJob();
        expect(await store.insertUnique(first, { key, expiresAt: at(60_000), now: at() })).toEqual({ inserted: true });
        const second = newJob();
        expect(await store.insertUnique(second, { key, expiresAt: at(60_000), now: at() })).toEqual({ inserted: false, existingJobId: first.id });
        expect(await store.get(second.id)).toBeUndefined();
        const later = newJob();
        expect(await store.insertUnique(later, { key, expiresAt: at(180_000), now: at(120_000) })).toEqual({ inserted: true });
      });
    });

    describe('claims and leases', () => {
      it('creates the record of a job that came without one (a schedule firing)', async () => {
        const id = newJobId(setup().shardCount);
        const claimed = await claim(id);
        expect(claimed).toMatchObject({ outcome: 'claimed', record: { id, status: 'running', attempt: 1, kind: 'conformance.job', lane } });
        expect(claimed.record.createdBy).toMatch(/./);
      });

      it('keeps the creation context of a job that came without a record, and never changes one a record written at enqueue has', async () => {
        const traceOf = (n: number) => `00-${String(n).repeat(32)}-${String(n).repeat(16)}-01`;
        const id = newJobId(setup().shardCount);
        const now = at();
        const claimed = found(await setup().store.claim({ id, kind: 'conformance.job', lane, maxAttempts: 3, payloadBytes: 12, now, leaseUntil: at(60_000), trace: traceOf(1) }));
        expect(claimed.record.trace).toBe(traceOf(1));
        const job = { ...newJob(), trace: traceOf(2) };
        await setup().store.insert([job]);
        found(await setup().store.claim({ id: job.id, kind: 'conformance.job', lane, maxAttempts: 3, payloadBytes: 12, now, leaseUntil: at(60_000), recordedAtEnqueue: true, trace: traceOf(3) }));
        expect((await setup().store.get(job.id))!.trace).toBe(traceOf(2));
      });

      it('claims a job once when two deliveries claim it at the same instant', async () => {
        const job = newJob();
        await setup().store.insert([job]);
        const both = await Promise.all([claim(job.id), claim(job.id)]);
        expect(both.map((c) => c.outcome).sort()).toEqual(['busy', 'claimed']);
        expect(await setup().store.get(job.id)).toMatchObject({ status: 'running', attempt: 1 });
      });

      it('lets one of two racing claims of a queued job win: the other is told it runs under the winner\'s lease, and the record keeps the winner\'s token, lease and attempt 1', async () => {
        const { store } = setup();
        const job = newJob();
        await store.insert([job]);
        // Two workers' deliveries of the same message, each asking for a lease of its own (its own claim token is made by the store).
        const now = at();
        const leases = [at(60_000), at(90_000)];
        const [a, b] = await Promise.all(leases.map((leaseUntil) => store.claim({ id: job.id, kind: 'conformance.job', lane, maxAttempts: 3, payloadBytes: 12, now, leaseUntil }).then(found)));
        expect([a!.outcome, b!.outcome].sort()).toEqual(['busy', 'claimed']);
        const winnerIndex = a!.outcome === 'claimed' ? 0 : 1;
        const [winner, loser] = winnerIndex === 0 ? [a!, b!] : [b!, a!];
        const lease = leases[winnerIndex]!.toISOString();
        expect(winner.record).toMatchObject({ id: job.id, status: 'running', attempt: 1, leaseUntil: lease, claimToken: expect.any(String) });
        const token = winner.record.claimToken!;
        expect(token.length).toBeGreaterThan(0);
        // The loser sees the job running under the winner's claim and lease, not its own.
        expect(loser.record).toMatchObject({ id: job.id, status: 'running', attempt: 1, leaseUntil: lease, claimToken: token });
        expect(await store.get(job.id)).toMatchObject({ status: 'running', attempt: 1, leaseUntil: lease, claimToken: token });
        // The winner's attempt is the one its writes are fenced to.
        expect(await store.heartbeat(attemptOf(winner.record), { now: at(), progress: 1 })).toBe(true);
      });

      it('ends a claim racing a cancel of a queued job in one consistent state: running and not cancelled, or cancelled and not claimed', async () => {
        const { store } = setup();
        const job = newJob();
        await store.insert([job]);
        const [claimed, cancelled] = await Promise.all([
          claim(job.id),
          store.cancel(job.id, { now: at(), reason: 'conformance race', expiresAt: at(60_000) }).then((record) => ({ ok: true as const, record }), (e: unknown) => ({ ok: false as const, error: e })),
        ]);
        const after = (await store.get(job.id))!;
        if (claimed.outcome === 'claimed') {
          expect(cancelled).toMatchObject({ ok: false, error: { name: 'JobNotCancellableError', status: 'running' } });
          expect(after).toMatchObject({ status: 'running', attempt: 1, claimToken: claimed.record.claimToken });
          expect(after.cancelReason).toBeUndefined();
        } else {
          expect(claimed.outcome).toBe('skip');
          expect(cancelled).toMatchObject({ ok: true, record: { status: 'cancelled', cancelReason: 'conformance race' } });
          expect(after).toMatchObject({ status: 'cancelled', attempt: 0, cancelReason: 'conformance race' });
          expect(after.claimToken).toBeUndefined();
        }
      });

      it('makes no record for the message of a job recorded at enqueue that has none (it was discarded): missing', async () => {
        const id = newJobId(setup().shardCount);
        const now = at();
        expect(await setup().store.claim({ id, kind: 'conformance.job', lane, maxAttempts: 3, payloadBytes: 12, now, leaseUntil: at(60_000), recordedAtEnqueue: true })).toEqual({ outcome: 'missing' });
        expect(await setup().store.get(id)).toBeUndefined();
      });

      it('never calls the creator of a job recorded at enqueue unknown: a record written without one keeps none', async () => {
        const job = newJob();
        await setup().store.insert([job]);
        const now = at();
        const claimed = found(await setup().store.claim({ id: job.id, kind: 'conformance.job', lane, maxAttempts: 3, payloadBytes: 12, now, leaseUntil: at(60_000), recordedAtEnqueue: true }));
        expect(claimed.record.createdBy).toBeUndefined();
        expect((await setup().store.get(job.id))!.createdBy).toBeUndefined();
      });

      it('answers busy while the lease lives, takes over once it expired, and reports exhausted with no attempts left', async () => {
        const job = newJob({ maxAttempts: 2 });
        await setup().store.insert([job]);
        await claim(job.id, { leaseMs: 60_000 });
        expect((await claim(job.id)).outcome).toBe('busy');
        const takeover = await claim(job.id, { now: at(120_000), leaseMs: 60_000 });
        expect(takeover).toMatchObject({ outcome: 'claimed', record: { status: 'running', attempt: 2 } });
        expect((await claim(job.id, { now: at(240_000) })).outcome).toBe('exhausted');
      });

      it('fences outcomes to the attempt: a taken-over attempt records nothing', async () => {
        const { store } = setup();
        const first = await running(newJob());
        const second = await claim(first.id, { now: at(120_000) });
        expect(await store.recordOutcome(attemptOf(first), succeeded(first, { now: at(), durationMs: 1, retentionSeconds: 60 }))).toBe(false);
        expect(await store.heartbeat(attemptOf(first), { now: at(), progress: 1 })).toBe(false);
        expect(await store.get(first.id)).toMatchObject({ status: 'running', attempt: second.record.attempt });
      });

      it('renews the lease and keeps progress on a heartbeat, and truncates large results and progress', async () => {
        const { store } = setup();
        const record = await running();
        const ref = attemptOf(record);
        const leaseUntil = at(300_000);
        expect(await store.heartbeat(ref, { now: at(), leaseUntil, progress: { rows: 10 } })).toBe(true);
        expect(await store.get(record.id)).toMatchObject({ leaseUntil: leaseUntil.toISOString(), progress: { rows: 10 } });
        const big = { text: 'x'.repeat(MAX_INLINE_RESULT_BYTES) };
        await store.recordOutcome(ref, succeeded(record, { now: at(), durationMs: 3, result: big, retentionSeconds: 60 }));
        const done = await store.get(record.id);
        expect(done).toMatchObject({ status: 'succeeded', durationMs: 3, result: { truncated: true, bytes: JSON.stringify(big).length } });
        expect(done?.leaseUntil).toBeUndefined();
        expect(done?.expiresAt).toBeGreaterThan(Date.now() / 1000);
      });

      it('keeps where a result went instead of the record: its pointer, or why it was dropped', async () => {
        const { store } = setup();
        const stored = await running();
        const resultRef = { key: `results/${stored.id}/1.json`, bytes: 90_000 };
        await store.recordOutcome(attemptOf(stored), succeeded(stored, { now: at(), durationMs: 3, kept: { resultRef }, retentionSeconds: 60 }));
        const withRef = await store.get(stored.id);
        expect(withRef).toMatchObject({ status: 'succeeded', resultRef });
        expect(withRef?.result).toBeUndefined();
        const dropped = await running();
        const resultDropped = { bytes: 9_000_000, reason: 'too large' };
        await store.recordOutcome(attemptOf(dropped), succeeded(dropped, { now: at(), durationMs: 3, kept: { resultDropped }, retentionSeconds: 60 }));
        expect(await store.get(dropped.id)).toMatchObject({ status: 'succeeded', resultDropped });
      });
    });

    describe('outcome-only records (tracking "outcome")', () => {
      const runOf = (id: string) => ({ id, kind: 'conformance.job', lane, attempt: 2, maxAttempts: 3, payloadBytes: 12, createdAt: at(-5_000), startedAt: at(-1_000), createdBy: 'conformance' });
      const base = { id: 'x', kind: 'conformance.job', lane, status: 'running', attempt: 2, maxAttempts: 3, payloadBytes: 12, createdAt: at().toISOString(), updatedAt: at().toISOString() } as JobRecord;

      it('writes a success as the job\'s one record, once: a second write (a duplicate that ran beside it) is refused', async () => {
        const { store } = setup();
        const id = newJob().id;
        expect(await store.recordUntracked(runOf(id), succeeded(base, { now: at(), durationMs: 7, result: { n: 1 }, retentionSeconds: 60 }))).toBe(true);
        expect(await store.get(id)).toMatchObject({ status: 'succeeded', attempt: 2, maxAttempts: 3, durationMs: 7, result: { n: 1 }, createdBy: 'conformance' });
        expect(await store.recordUntracked(runOf(id), succeeded(base, { now: at(), durationMs: 9, result: { n: 2 }, retentionSeconds: 60 }))).toBe(false);
        expect((await store.get(id))?.result).toEqual({ n: 1 });
        const pointed = newJob().id;
        const resultRef = { key: `results/${pointed}/2.json`, bytes: 70_000 };
        expect(await store.recordUntracked(runOf(pointed), succeeded(base, { now: at(), durationMs: 7, kept: { resultRef }, retentionSeconds: 60 }))).toBe(true);
        expect(await store.get(pointed)).toMatchObject({ status: 'succeeded', resultRef });
      });

      it('writes a failure with its error and payload, listed with the failed jobs', async () => {
        const { store } = setup();
        const id = newJob().id;
        expect(await store.recordUntracked(runOf(id), failed(base, { now: at(), error: error('no', 2), payloadJson: '{"n":1}', retentionSeconds: 60 }))).toBe(true);
        expect(await store.get(id)).toMatchObject({ status: 'failed', lastError: { message: 'no' }, payload: { n: 1 } });
        expect((await store.list({ status: 'failed', limit: 1000 })).records.map((r) => r.id)).toContain(id);
      });
    });

    describe('outcomes', () => {
      it('keeps the error history and the next run of a retrying job, and the payload of a failed one', async () => {
        const { store } = setup();
        const record = await running();
        const retry = retrying(record, { now: at(), error: error('flaky'), delaySeconds: 30 });
        await store.recordOutcome(attemptOf(record), retry);
        expect(await store.get(record.id)).toMatchObject({ status: 'retrying', nextRunAt: retry.nextRunAt.toISOString(), lastError: { message: 'flaky' }, errors: [{ message: 'flaky' }] });
        // Before its backoff ends a delivery is early (a duplicate never skips the backoff); after, it claims.
        expect(await claim(record.id, { now: at(29_000) })).toMatchObject({ outcome: 'early', record: { status: 'retrying' } });
        const again = (await claim(record.id, { now: at(31_000) })).record;
        await store.recordOutcome(attemptOf(again), failed(again, { now: at(), error: error('broken', 2), payloadJson: '{"to":"ada"}', retentionSeconds: 60 }));
        expect(await store.get(record.id)).toMatchObject({ status: 'failed', payload: { to: 'ada' }, errors: [{ message: 'flaky' }, { message: 'broken' }] });
      });

      it('writes follow-ups with the success, queued with their payload until dispatched', async () => {
        const { store } = setup();
        const record = await running();
        const followUp = newJob({ predecessorId: record.id, createdBy: `job:${record.id}` });
        await store.recordOutcome(attemptOf(record), succeeded(record, { now: at(), durationMs: 1, retentionSeconds: 60, followUps: [{ record: followUp, payloadJson: '{"then":true}' }] }));
        expect(await store.get(followUp.id)).toMatchObject({ status: 'queued', predecessorId: record.id, payload: { then: true } });
        await store.markDispatched(followUp.id);
        expect((await store.get(followUp.id))?.payload).toBeUndefined();
      });

      it('keeps the payload of a job whose send failed until it is dispatched; a dispatch after the claim changes nothing', async () => {
        const { store } = setup();
        const job = newJob();
        await store.insert([job]);
        await store.keepUndispatched(job.id, '{"kept":1}', at());
        expect((await store.get(job.id))?.payload).toEqual({ kept: 1 });
        await store.markDispatched(job.id);
        expect((await store.get(job.id))?.payload).toBeUndefined();
        const other = newJob();
        await store.insert([other]);
        await store.keepUndispatched(other.id, '{"kept":2}', at());
        await claim(other.id);
        await store.markDispatched(other.id);
        expect(await store.get(other.id)).toMatchObject({ status: 'running', attempt: 1 });
      });

      it('a dispatcher\'s late mark on a job that has run and failed since changes nothing: still listed as failed, payload kept for a retry', async () => {
        const { store } = setup();
        const job = newJob();
        await store.insert([job]);
        await store.keepUndispatched(job.id, '{"kept":3}', at());
        const claimed = await claim(job.id);
        await store.recordOutcome(attemptOf(claimed.record), failed(claimed.record, { now: at(), error: error('no'), payloadJson: '{"kept":3}', retentionSeconds: 60 }));
        // The dispatcher (or the sweeper) sent the message before the claim, and marks it only now.
        await store.markDispatched(job.id);
        expect(await store.get(job.id)).toMatchObject({ status: 'failed', payload: { kept: 3 } });
        expect((await store.list({ status: 'failed', limit: 1000 })).records.map((r) => r.id)).toContain(job.id);
      });

      it('records a retry that waits in a schedule only for the attempt that is retrying', async () => {
        const { store } = setup();
        const record = await jobIn('retrying');
        expect(await store.markRetryScheduled({ ...attemptOf(record), token: 'another-claim' }, 'retry.x')).toBe(false);
        expect(await store.markRetryScheduled(attemptOf(record), 'retry.x')).toBe(true);
        expect(await store.get(record.id)).toMatchObject({ scheduleName: 'retry.x' });
      });
    });

    describe('operators: cancel, retry, discard', () => {
      it('cancels with a reason, and says why not for a running job and for no job', async () => {
        const { store } = setup();
        const record = await jobIn('queued');
        expect(await store.cancel(record.id, { now: at(), reason: 'by test', expiresAt: at(60_000) })).toMatchObject({ id: record.id, status: 'cancelled', cancelReason: 'by test' });
        const busy = await jobIn('running');
        await expect(store.cancel(busy.id, { now: at(), reason: 'x', expiresAt: at() })).rejects.toMatchObject({ name: 'JobNotCancellableError', status: 'running' });
        await expect(store.cancel(newJobId(4), { now: at(), reason: 'x', expiresAt: at() })).rejects.toMatchObject({ name: 'JobNotCancellableError', status: undefined });
      });

      it('requeues a failed job with fresh attempts and its payload, and revives a cancelled one whose message is still on its way', async () => {
        const { store } = setup();
        const failedJob = await jobIn('failed');
        expect(await store.requeue(failedJob.id, at())).toMatchObject({ status: 'queued', attempt: 0, payload: { n: 1 } });
        const cancelled = await jobIn('cancelled');
        const revived = await store.requeue(cancelled.id, at());
        expect(revived).toMatchObject({ status: 'queued', attempt: 0 });
        expect(revived.cancelReason).toBeUndefined();
        await expect(store.requeue((await jobIn('succeeded')).id, at())).rejects.toMatchObject({ name: 'JobNotRetryableError', status: 'succeeded' });
      });

      it('keeps a cancelled job\'s payload only while it is cancelled', async () => {
        const { store } = setup();
        const cancelled = await jobIn('cancelled');
        expect(await store.keepCancelledPayload(cancelled.id, '{"p":1}', at())).toBe(true);
        expect((await store.get(cancelled.id))?.payload).toEqual({ p: 1 });
        expect(await store.keepCancelledPayload((await jobIn('queued')).id, '{}', at())).toBe(false);
      });

      it('notes what a job waiting to start waits for, until its claim clears it', async () => {
        const { store } = setup();
        const queued = await jobIn('queued');
        const wait = { limit: 'rateLimit' as const, key: 'ada', since: at().toISOString(), until: at(10_000).toISOString() };
        expect(await store.noteWaiting(queued.id, wait, at())).toBe(true);
        expect((await store.get(queued.id))?.waitingFor).toEqual(wait);
        expect((await store.get(queued.id))?.status).toBe('queued');
        const claimed = await claim(queued.id);
        expect(claimed.outcome).toBe('claimed');
        expect(claimed.record.waitingFor).toBeUndefined();
        expect(await store.noteWaiting(queued.id, wait, at())).toBe(false);
        expect(await store.noteWaiting((await jobIn('succeeded')).id, wait, at())).toBe(false);
      });

      it('discards failed jobs and cancelled ones whose payload is kept, and refuses the rest', async () => {
        const { store } = setup();
        const failedJob = await jobIn('failed');
        await store.discard(failedJob.id);
        expect(await store.get(failedJob.id)).toBeUndefined();
        const inFlight = await jobIn('cancelled');
        await expect(store.discard(inFlight.id)).rejects.toThrow(CANCELLED_IN_FLIGHT);
        await store.keepCancelledPayload(inFlight.id, '{}', at());
        await store.discard(inFlight.id);
        expect(await store.get(inFlight.id)).toBeUndefined();
        await expect(store.discard((await jobIn('succeeded')).id)).rejects.toMatchObject({ name: 'JobNotRetryableError', status: 'succeeded' });
      });
    });

    describe('parents and children', () => {
      /** A running parent prepared for `total` children, its children written (queued). */
      async function parentOf(total: number, failFast = false) {
        const { store } = setup();
        const parent = await running();
        expect(await store.prepareChildren(attemptOf(parent), { total, failFast })).toBe(true);
        const children = Array.from({ length: total }, (_, i) => newJob({ id: childJobId(parent.id, i, setup().shardCount), parentId: parent.id }));
        await store.insertChildren(children);
        return { parent, ids: children.map((c) => c.id) };
      }
      const finish = (id: string, outcome: 'succeeded' | 'failed', result?: unknown) => claim(id).then(({ record }) => setup().store.recordOutcome(attemptOf(record), outcome === 'succeeded'
        ? succeeded(record, { now: at(), durationMs: 1, result, retentionSeconds: 60 })
        : failed(record, { now: at(), error: error('bad'), payloadJson: '{"row":1}', retentionSeconds: 60 })));
      const countsOf = async (id: string) => childCountsOf((await setup().store.get(id))!);

      it('counts children\'s outcomes and sums their numbers on the parent, writes children once, and finishes the parent with an expiry', async () => {
        const { store } = setup();
        const { parent, ids } = await parentOf(2);
        await store.insertChildren(ids.map((id) => newJob({ id, parentId: parent.id })));
        expect(await store.get(ids[0]!)).toMatchObject({ parentId: parent.id, status: 'queued' });
        await store.recordOutcome(attemptOf(parent), waiting({ now: at(), durationMs: 1, result: { spawned: 2 } }));
        await finish(ids[0]!, 'succeeded', { rows: 7 });
        await finish(ids[1]!, 'failed');
        expect(await store.get(parent.id)).toMatchObject({ status: 'waiting', childrenTotal: 2, childrenDone: 2, childrenFailed: 1, childrenCancelled: 0, childTotals: { rows: 7 }, result: { spawned: 2 } });
        const expiresAt = at(3_600_000);
        // A finish decided on other counts than the parent holds does not apply.
        expect(await store.finishParent(parent.id, { now: at(), status: 'succeeded', result: {}, expiresAt, decidedOn: { counts: { done: 2, failed: 0, cancelled: 0 } } })).toBe(false);
        expect(await store.finishParent(parent.id, { now: at(), status: 'failed', result: { children: 2 }, error: error('1 of 2 children failed'), expiresAt, decidedOn: { counts: await countsOf(parent.id) } })).toBe(true);
        expect(await store.get(parent.id)).toMatchObject({ status: 'failed', result: { children: 2 }, lastError: { message: '1 of 2 children failed' }, expiresAt: Math.floor(expiresAt.getTime() / 1000), settledAt: expect.any(String) });
        expect(await store.finishParent(parent.id, { now: at(), status: 'succeeded', result: {}, expiresAt, decidedOn: { counts: await countsOf(parent.id) } })).toBe(false);
      });

      it('counts a retried child once: its retry takes its failure back out, and its new outcome counts', async () => {
        const { store } = setup();
        const { parent, ids } = await parentOf(3);
        await store.recordOutcome(attemptOf(parent), waiting({ now: at(), durationMs: 1 }));
        await finish(ids[0]!, 'failed');
        expect(await countsOf(parent.id)).toEqual({ done: 1, failed: 1, cancelled: 0 });
        expect(await store.requeue(ids[0]!, at())).toMatchObject({ status: 'queued', attempt: 0 });
        expect(await countsOf(parent.id)).toEqual({ done: 0, failed: 0, cancelled: 0 });
        await finish(ids[1]!, 'succeeded');
        // The parent is not finished while a child runs: 1 of 3 done.
        expect(await store.get(parent.id)).toMatchObject({ status: 'waiting', childrenDone: 1 });
        await finish(ids[0]!, 'succeeded');
        await finish(ids[2]!, 'succeeded');
        expect(await countsOf(parent.id)).toEqual({ done: 3, failed: 0, cancelled: 0 });
      });

      it('reopens a parent its children failed when one of them is retried, and a settle decided before the retry does not apply', async () => {
        const { store } = setup();
        const { parent, ids } = await parentOf(2);
        await store.recordOutcome(attemptOf(parent), waiting({ now: at(), durationMs: 1 }));
        await finish(ids[0]!, 'failed');
        await finish(ids[1]!, 'succeeded');
        const decided = await countsOf(parent.id);
        await store.requeue(ids[0]!, at());
        // The settle read the counts before the retry: its finish is refused, the parent stays open.
        expect(await store.finishParent(parent.id, { now: at(), status: 'failed', result: {}, error: error('1 of 2 failed'), expiresAt: at(60_000), decidedOn: { counts: decided } })).toBe(false);
        expect(await store.get(parent.id)).toMatchObject({ status: 'waiting', childrenDone: 1 });
        await finish(ids[0]!, 'failed');
        expect(await store.finishParent(parent.id, { now: at(), status: 'failed', result: {}, error: error('1 of 2 failed'), expiresAt: at(60_000), decidedOn: { counts: await countsOf(parent.id) } })).toBe(true);
        await expect(store.requeue(parent.id, at())).rejects.toThrow(/its children failed it: retry the failed or cancelled children/);
        await store.requeue(ids[0]!, at());
        const reopened = (await store.get(parent.id))!;
        expect(reopened).toMatchObject({ status: 'waiting', childrenDone: 1, childrenFailed: 0 });
        expect(reopened.finishedAt).toBeUndefined();
        expect(reopened.expiresAt).toBeUndefined();
        expect(reopened.settledAt).toBeUndefined();
        expect((await store.list({ status: 'waiting', limit: 1000 })).records.map((r) => r.id)).toContain(parent.id);
      });

      it('counts a cancelled child as final (a parent never waits for it), and takes it back out when it is retried', async () => {
        const { store } = setup();
        const { parent, ids } = await parentOf(2);
        await store.recordOutcome(attemptOf(parent), waiting({ now: at(), durationMs: 1 }));
        await store.cancel(ids[0]!, { now: at(), reason: 'by an operator', expiresAt: at(60_000) });
        await finish(ids[1]!, 'succeeded');
        expect(await countsOf(parent.id)).toEqual({ done: 2, failed: 0, cancelled: 1 });
        await store.requeue(ids[0]!, at());
        expect(await countsOf(parent.id)).toEqual({ done: 1, failed: 0, cancelled: 0 });
      });

      it('fails a fail-fast parent only while a child\'s failure is counted', async () => {
        const { store } = setup();
        const { parent, ids } = await parentOf(2, true);
        await store.recordOutcome(attemptOf(parent), waiting({ now: at(), durationMs: 1 }));
        const failFast = { now: at(), status: 'failed' as const, result: {}, error: error('child failed'), expiresAt: at(60_000), decidedOn: 'a-child-failed' as const };
        expect(await store.finishParent(parent.id, failFast)).toBe(false);
        await finish(ids[0]!, 'failed');
        expect(await store.finishParent(parent.id, failFast)).toBe(true);
      });

      it('refuses to discard a parent while any of its children has not finished', async () => {
        const { store } = setup();
        const { parent, ids } = await parentOf(2, true);
        await store.recordOutcome(attemptOf(parent), waiting({ now: at(), durationMs: 1 }));
        await finish(ids[0]!, 'failed');
        await store.finishParent(parent.id, { now: at(), status: 'failed', result: {}, error: error('child failed'), expiresAt: at(60_000), decidedOn: 'a-child-failed' });
        await claim(ids[1]!);
        await expect(store.discard(parent.id)).rejects.toThrow(/1 of its 2 children have not finished/);
        const running1 = (await store.get(ids[1]!))!;
        expect(await store.recordOutcome(attemptOf(running1), succeeded(running1, { now: at(), durationMs: 1, retentionSeconds: 60 }))).toBe(true);
        await store.discard(parent.id);
        expect(await store.get(parent.id)).toBeUndefined();
      });

      it('records the outcome of a child whose parent is gone (nothing to count on), and refuses one whose parent exists unprepared', async () => {
        const { store } = setup();
        const orphan = await running(newJob({ parentId: newJobId(setup().shardCount) }));
        expect(await store.recordOutcome(attemptOf(orphan), succeeded(orphan, { now: at(), durationMs: 1, retentionSeconds: 60 }))).toBe(true);
        expect(await store.get(orphan.id)).toMatchObject({ status: 'succeeded' });
        const unprepared = await running();
        const child = await running(newJob({ parentId: unprepared.id }));
        await expect(store.recordOutcome(attemptOf(child), succeeded(child, { now: at(), durationMs: 1, retentionSeconds: 60 }))).rejects.toThrow();
        expect(await store.get(child.id)).toMatchObject({ status: 'running' });
      });

      it('lets one caller at a time take a waiting parent\'s settling, and another once it is stale', async () => {
        const { store } = setup();
        const parent = await running();
        const ref = attemptOf(parent);
        await store.prepareChildren(ref, { total: 1, failFast: false });
        expect(await store.claimSettlement(parent.id, at(), 60_000)).toBe(false);
        await store.recordOutcome(ref, waiting({ now: at(), durationMs: 1 }));
        const taken = await Promise.all([1, 2, 3, 4, 5].map(() => store.claimSettlement(parent.id, at(), 60_000)));
        expect(taken.filter(Boolean)).toHaveLength(1);
        expect(await store.claimSettlement(parent.id, at(61_000), 60_000)).toBe(true);
        expect(Object.keys((await store.get(parent.id))!)).not.toContain('settlingAt');
      });
    });

    describe('tags and unique keys', () => {
      const tags = (...names: string[]) => ({ names, expiresAt: at(86_400_000) });

      it('writes a tag item per tag with the record, lists a tag\'s jobs newest first in pages, counts them, and skips a record that is gone', async () => {
        const { store } = setup();
        const tag = `customer:${Math.random().toString(36).slice(2, 10)}`;
        const jobs = [0, 1, 2, 3].map((i) => newJob({ createdAt: at(i * 1000), tags: tags(tag, `n:${i}`) }));
        await store.insert([...jobs.slice(0, 3), newJob()]);
        await store.insertUnique(jobs[3]!, { key: `k-${tag}`, expiresAt: at(60_000), now: at() });
        expect((await store.get(jobs[0]!.id))?.tags).toEqual([tag, 'n:0']);
        const first = await store.listByTag(tag, { limit: 3 });
        expect(first.records.map((r) => r.id)).toEqual([jobs[3]!.id, jobs[2]!.id, jobs[1]!.id]);
        expect(first.next).toBe(jobs[1]!.id);
        const rest = await store.listByTag(tag, { limit: 3, before: first.next });
        expect(rest.records.map((r) => r.id)).toEqual([jobs[0]!.id]);
        expect(rest.next).toBeUndefined();
        expect(await store.countByTag(tag)).toEqual({ count: 4, complete: true });
        expect(await store.uniqueKeyHolder('conformance.job', `k-${tag}`)).toBe(jobs[3]!.id);
        expect(await store.uniqueKeyHolder('conformance.job', 'no-such-key')).toBeUndefined();
        // A discarded job's tag item stays until it expires; the listing leaves the job out.
        await store.cancel(jobs[2]!.id, { now: at(), reason: 'conformance', expiresAt: at(60_000) });
        await store.keepCancelledPayload(jobs[2]!.id, '{}', at());
        await store.discard(jobs[2]!.id);
        expect((await store.listByTag(tag, { limit: 10 })).records.map((r) => r.id)).toEqual([jobs[3]!.id, jobs[1]!.id, jobs[0]!.id]);
        expect(await store.listByTag(`none:${tag}`, { limit: 10 })).toEqual({ records: [] });
      });

      it('tags children like any job', async () => {
        const { store } = setup();
        const tag = `batch:${Math.random().toString(36).slice(2, 10)}`;
        const parent = await running();
        await store.prepareChildren(attemptOf(parent), { total: 2, failFast: false });
        const children = [0, 1].map((i) => newJob({ id: childJobId(parent.id, i, setup().shardCount), parentId: parent.id, tags: tags(tag) }));
        await store.insertChildren(children);
        expect((await store.listByTag(tag, { limit: 10 })).records.map((r) => r.id).sort()).toEqual(children.map((c) => c.id).sort());
      });
    });

    describe('listing and counting', () => {
      it('lists a status newest first, in pages, within the default 24-hour window', async () => {
        const { store } = setup();
        // A lane of its own: other tests' jobs are newer.
        const listed = `${lane}-list`;
        const old = newJob({ lane: listed, status: 'scheduled', createdAt: at(-2 * 86_400_000) });
        const jobs = [0, 1, 2].map((i) => newJob({ lane: listed, status: 'scheduled', createdAt: at(-1000 * (3 - i)) }));
        await store.insert([old, ...jobs]);
        const mine = ({ records }: { records: JobRecord[] }) => records.filter((r) => r.lane === listed).map((r) => r.id);
        const all = mine(await store.list({ status: 'scheduled', limit: 1000 }));
        expect(all.slice(0, 3)).toEqual(jobs.map((j) => j.id).reverse());
        expect(all).not.toContain(old.id);
        expect(mine(await store.list({ status: 'scheduled', limit: 1000, since: at(-3 * 86_400_000) }))).toContain(old.id);
        const page = await store.list({ status: 'scheduled', limit: 1000, before: jobs[2]!.id });
        expect(mine(page).slice(0, 2)).toEqual([jobs[1]!.id, jobs[0]!.id]);
        const queued = newJob({ lane: listed });
        await store.insert([queued]);
        expect(mine(await store.list({ status: 'queued', limit: 1000 }))).toEqual([queued.id]);
        // No status: every status, newest first, in the same window.
        const any = mine(await store.list({ limit: 1000 }));
        expect(any.slice(0, 4)).toEqual([queued.id, ...jobs.map((j) => j.id).reverse()]);
        expect(any).not.toContain(old.id);
      });

      it('counts indexed statuses by lane, and refuses the others', async () => {
        const { store } = setup();
        const since = at(-60_000);
        const before = (await store.countByLane('failed', since)).byLane[lane] ?? 0;
        await jobIn('failed');
        await jobIn('failed');
        expect(await store.countByLane('failed', since)).toMatchObject({ byLane: expect.objectContaining({ [lane]: before + 2 }), complete: true });
        await expect(store.countByLane('queued', since)).rejects.toThrow(RangeError);
      });
    });
  });
}
