import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstIdAt, newJobId } from '../../lib/job-id.js';
import { childJobId } from '../../lib/continuations/children.js';
import { encodeJobMessage } from '../../lib/job-message.js';
import type { JobRecord } from '../../lib/job-record.js';
import { attemptOf, failed, succeeded, waiting } from '../../lib/store/attempt-outcome.js';
import { DynamoJobStore } from '../../lib/store/dynamo/dynamo-job-store.js';
import { DynamoSweepStore } from '../../lib/store/dynamo/dynamo-sweep-store.js';
import type { NewJob } from '../../lib/store/job-store.js';
import { sweep } from '../../lib/sweeper/sweep.js';
import { MemoryScheduler } from '../../lib/testing/memory-scheduler.js';
import { MemoryTransport } from '../../lib/testing/memory-transport.js';
import { testConfig } from '../../lib/testing/test-config.js';
import { createJobTables, type JobTables } from '../../scripts/lib/job-tables.js';
import './support/deployed.js';
import { found } from '../support/claim.js';

// The sweeper's reads and writes (SweepStore) on their own tables in the emulator, against
// records written by the job store exactly as the client and the worker write them. There
// is no in-memory SweepStore: the sweep runs only on AWS, so this is its only store.
const SHARDS = 4;
const KIND = 'sweep.job';
const LANE = 'default';
const dynamodb = new DynamoDBClient({});
const error = (message: string) => ({ message, class: 'Error', permanent: true, attempt: 1, at: new Date().toISOString() });
/** Created `ms` ago. */
const ago = (ms: number) => ({ createdAt: new Date(Date.now() - ms) });
const ids = (records: readonly { id: string }[]) => records.map((r) => r.id).sort();

/** A job id in `shard`, created at `time`. */
const idIn = (shard: number, time = Date.now()) => newJobId(SHARDS, time, () => (shard + 0.5) / SHARDS);

/** One store pair on one pair of tables. */
function storesOn(tables: JobTables) {
  const jobs = new DynamoJobStore(dynamodb, tables.tableName, SHARDS, tables.claimsTableName);
  const sweeps = new DynamoSweepStore(dynamodb, tables.tableName);
  const newJob = (shard: number, overrides: Partial<NewJob> = {}): NewJob => {
    const createdAt = overrides.createdAt ?? new Date();
    return { id: idIn(shard, createdAt.getTime()), kind: KIND, lane: LANE, status: 'queued', maxAttempts: 3, payloadBytes: 2, ...overrides, createdAt };
  };
  const queued = async (job: NewJob) => {
    await jobs.insert([job]);
    return job.id;
  };
  const running = async (job: NewJob, leaseUntil = new Date(Date.now() + 60_000)): Promise<JobRecord> => {
    await jobs.insert([job]);
    const claim = found(await jobs.claim({ id: job.id, kind: job.kind, lane: job.lane, maxAttempts: job.maxAttempts, payloadBytes: 2, now: job.createdAt, leaseUntil }));
    expect(claim.outcome).toBe('claimed');
    return claim.record;
  };
  const waitingParent = async (job: NewJob) => {
    const record = await running(job);
    await jobs.prepareChildren(attemptOf(record), { total: 1, failFast: false });
    await jobs.recordOutcome(attemptOf(record), waiting({ now: new Date(), durationMs: 1 }));
    return record.id;
  };
  return { jobs, sweeps, newJob, queued, running, waitingParent };
}

describe('SweepStore: DynamoSweepStore on its own tables', () => {
  let tables: JobTables;
  let s: ReturnType<typeof storesOn>;

  beforeAll(async () => {
    tables = await createJobTables(dynamodb, 'sweep');
    s = storesOn(tables);
  });
  afterAll(() => tables?.drop());

  it('finds a shard\'s undispatched jobs with their kept payload, however they came to wait, until dispatched or claimed', async () => {
    const { jobs, sweeps, newJob, queued, running } = s;
    const now = new Date();
    // A send that failed at enqueue.
    const kept = await queued(newJob(1));
    await jobs.keepUndispatched(kept, '{"to":"ada"}', now);
    // Sent at once: never waits.
    const sent = await queued(newJob(1));
    // A follow-up written with its predecessor's success.
    const predecessor = await running(newJob(1));
    const followUp = newJob(1, { predecessorId: predecessor.id, createdBy: `job:${predecessor.id}` });
    await jobs.recordOutcome(attemptOf(predecessor), succeeded(predecessor, { now, durationMs: 1, retentionSeconds: 60, followUps: [{ record: followUp, payloadJson: '{"then":true}' }] }));
    // A failed job an operator retried: queued again from the payload its failure kept.
    const dead = await running(newJob(1));
    await jobs.recordOutcome(attemptOf(dead), failed(dead, { now, error: error('broken'), payloadJson: '{"again":1}', retentionSeconds: 60 }));
    await jobs.requeue(dead.id, now);
    // Kept, then its message arrived after all (a send that only looked failed): the claim takes it out.
    const claimed = await queued(newJob(1));
    await jobs.keepUndispatched(claimed, '{"late":1}', now);
    await jobs.claim({ id: claimed, kind: KIND, lane: LANE, maxAttempts: 3, payloadBytes: 2, now, leaseUntil: new Date(now.getTime() + 60_000) });
    // Another shard's.
    const elsewhere = await queued(newJob(2));
    await jobs.keepUndispatched(elsewhere, '{"shard":2}', now);

    const found = await sweeps.undispatched(1);
    expect(ids(found.map((u) => u.record))).toEqual([kept, followUp.id, dead.id].sort());
    const byId = new Map(found.map((u) => [u.record.id, u]));
    expect(byId.get(kept)).toMatchObject({ payloadJson: '{"to":"ada"}', record: { id: kept, kind: KIND, lane: LANE, status: 'queued', attempt: 0, maxAttempts: 3 } });
    expect(byId.get(followUp.id)).toMatchObject({ payloadJson: '{"then":true}', record: { status: 'queued', predecessorId: predecessor.id } });
    expect(byId.get(dead.id)).toMatchObject({ payloadJson: '{"again":1}', record: { status: 'queued', attempt: 0 } });
    for (const { record } of found) expect(record).not.toHaveProperty('stateKey');
    expect(found.map((u) => u.record.id)).not.toContain(sent);
    expect((await sweeps.undispatched(2)).map((u) => [u.record.id, u.payloadJson])).toEqual([[elsewhere, '{"shard":2}']]);
    expect(await sweeps.undispatched(0)).toEqual([]);
    expect(await sweeps.undispatched(3)).toEqual([]);

    await sweeps.markDispatched(kept);
    expect(ids((await sweeps.undispatched(1)).map((u) => u.record))).toEqual([followUp.id, dead.id].sort());
    const dispatched = await jobs.get(kept);
    expect(dispatched).toMatchObject({ status: 'queued' });
    expect(dispatched?.payload).toBeUndefined();
    // A second mark, a mark after the claim and a mark of no job change nothing and do not throw.
    await sweeps.markDispatched(kept);
    await sweeps.markDispatched(claimed);
    await sweeps.markDispatched(idIn(1));
    expect(await jobs.get(claimed)).toMatchObject({ status: 'running', attempt: 1 });
  });

  it('keeps one cursor per shard, each overwritten by the next save', async () => {
    const { sweeps } = s;
    for (let shard = 0; shard < SHARDS; shard++) expect(await sweeps.cursor(shard)).toBeUndefined();
    const first = firstIdAt(Date.now() - 60_000);
    const later = firstIdAt(Date.now());
    await sweeps.saveCursor(0, first);
    await sweeps.saveCursor(3, later);
    expect(await sweeps.cursor(0)).toBe(first);
    expect(await sweeps.cursor(3)).toBe(later);
    expect(await sweeps.cursor(1)).toBeUndefined();
    await sweeps.saveCursor(0, later);
    expect(await sweeps.cursor(0)).toBe(later);
    expect(await sweeps.cursor(3)).toBe(later);
  });

  it('reads a shard\'s queued and running jobs with ids in (after, upTo], and nothing else', async () => {
    const { jobs, sweeps, newJob, queued, running, waitingParent } = s;
    const base = Date.now() - 600_000;
    const at = (i: number) => ({ createdAt: new Date(base + i * 1000) });
    const before = await queued(newJob(2, at(0)));
    const lower = await queued(newJob(2, at(1)));
    const inside = await queued(newJob(2, at(2)));
    const busy = await running(newJob(2, at(3)));
    const done = await running(newJob(2, at(4)));
    await jobs.recordOutcome(attemptOf(done), succeeded(done, { now: new Date(), durationMs: 1, retentionSeconds: 60 }));
    await queued(newJob(2, { ...at(5), status: 'scheduled', runAt: new Date(Date.now() + 3_600_000) }));
    const cancelled = await queued(newJob(2, at(6)));
    await jobs.cancel(cancelled, { now: new Date(), reason: 'test', expiresAt: new Date(Date.now() + 60_000) });
    await waitingParent(newJob(2, at(7)));
    const upper = await queued(newJob(2, at(8)));
    await queued(newJob(2, at(9)));
    await queued(newJob(3, at(5)));

    const between = await sweeps.unfinishedBetween(2, lower, upper);
    expect(ids(between)).toEqual([inside, busy.id, upper].sort());
    expect(between.find((r) => r.id === busy.id)).toMatchObject({ status: 'running', attempt: 1, kind: KIND, lane: LANE, leaseUntil: expect.any(String) });
    expect(between.find((r) => r.id === inside)).toMatchObject({ status: 'queued', attempt: 0 });
    // The sweep's own bounds: the first ids of two instants.
    expect(ids(await sweeps.unfinishedBetween(2, firstIdAt(base + 1500), firstIdAt(base + 3500)))).toEqual([inside, busy.id].sort());
    expect(ids(await sweeps.unfinishedBetween(2, firstIdAt(base - 1000), firstIdAt(base + 500)))).toEqual([before]);
    expect(await sweeps.unfinishedBetween(1, firstIdAt(base - 1000), firstIdAt(base + 10_000))).toEqual([]);
  });

  it('puts jobs in the watch index by shard and takes them out; finishing writes take them out too', async () => {
    const { jobs, sweeps, newJob, queued, running } = s;
    const done = await running(newJob(0));
    const dead = await running(newJob(0));
    const waitingJob = await queued(newJob(0));
    const cancelled = await queued(newJob(1));
    const missing = idIn(0);

    await sweeps.watch([done.id, dead.id, waitingJob, cancelled, missing]);
    const watched = await sweeps.watched(0);
    expect(ids(watched)).toEqual([done.id, dead.id, waitingJob].sort());
    expect(watched.find((r) => r.id === waitingJob)).toMatchObject({ status: 'queued', kind: KIND, lane: LANE });
    for (const record of watched) expect(record).not.toHaveProperty('watchKey');
    expect(ids(await sweeps.watched(1))).toEqual([cancelled]);
    expect(await sweeps.watched(2)).toEqual([]);
    // Watching a job that does not exist makes no record of it.
    expect(await jobs.get(missing)).toBeUndefined();
    await sweeps.watch([]);

    await sweeps.unwatch(waitingJob);
    expect(ids(await sweeps.watched(0))).toEqual([done.id, dead.id].sort());
    expect(await jobs.get(waitingJob)).toMatchObject({ status: 'queued' });
    await sweeps.unwatch(missing);
    expect(await jobs.get(missing)).toBeUndefined();

    const now = new Date();
    await jobs.recordOutcome(attemptOf(done), succeeded(done, { now, durationMs: 1, retentionSeconds: 60 }));
    await jobs.recordOutcome(attemptOf(dead), failed(dead, { now, error: error('no'), payloadJson: '{}', retentionSeconds: 60 }));
    await jobs.cancel(cancelled, { now, reason: 'test', expiresAt: new Date(now.getTime() + 60_000) });
    expect(await sweeps.watched(0)).toEqual([]);
    expect(await sweeps.watched(1)).toEqual([]);
  });

  it('lists a shard\'s parents waiting for their children, and no longer once finished', async () => {
    const { jobs, sweeps, newJob, running, waitingParent } = s;
    const parent = await waitingParent(newJob(3));
    // Prepared for children but still running: not waiting yet.
    const preparing = await running(newJob(3));
    await jobs.prepareChildren(attemptOf(preparing), { total: 2, failFast: false });
    const elsewhere = await waitingParent(newJob(1));

    expect(await sweeps.waitingParents(3)).toEqual([parent]);
    expect(await sweeps.waitingParents(1)).toEqual([elsewhere]);
    expect(await sweeps.waitingParents(0)).toEqual([]);

    // Its one child was cancelled: every child is final, and the parent finishes.
    await jobs.insertChildren([{ ...newJob(3), id: childJobId(parent, 0, SHARDS), parentId: parent }]);
    await jobs.cancel(childJobId(parent, 0, SHARDS), { now: new Date(), reason: 'test', expiresAt: new Date(Date.now() + 60_000) });
    expect(await jobs.finishParent(parent, { now: new Date(), status: 'failed', result: {}, expiresAt: new Date(Date.now() + 60_000), decidedOn: { counts: { done: 1, failed: 0, cancelled: 1 } } })).toBe(true);
    expect(await sweeps.waitingParents(3)).toEqual([]);
  });
});

describe('one sweep over DynamoSweepStore (its own tables, so the counts are exact)', () => {
  let tables: JobTables;
  beforeAll(async () => {
    tables = await createJobTables(dynamodb, 'sweep-run');
  });
  afterAll(() => tables?.drop());

  it('redispatches, watches past the horizon once, counts stuck and stale jobs, and checks waiting parents', async () => {
    const { jobs, sweeps, newJob, queued, running, waitingParent } = storesOn(tables);
    const old = ago(300_000);
    const stuck = await running(newJob(0, old), new Date(Date.now() - 1000));
    const live = await running(newJob(1, old));
    const stale = await queued(newJob(2, old));
    const done = await running(newJob(3, old));
    await jobs.recordOutcome(attemptOf(done), succeeded(done, { now: new Date(), durationMs: 1, retentionSeconds: 60 }));
    await queued(newJob(0, ago(10_000)));
    const kept = await queued(newJob(1, ago(5000)));
    await jobs.keepUndispatched(kept, '{"k":1}', new Date());
    const parent = await waitingParent(newJob(2, ago(30_000)));

    const transport = new MemoryTransport();
    const settled: string[] = [];
    const deps = {
      store: sweeps, transport, scheduler: new MemoryScheduler(), config: testConfig([LANE], { shardCount: SHARDS, tableName: tables.tableName }),
      settleParent: async (id: string) => void settled.push(id), logger: new Logger({ logLevel: 'SILENT' }), now: () => new Date(),
    };
    const started = Date.now();
    const first = await sweep(deps, { stuckAfterSeconds: 60 });
    expect(first).toMatchObject({ redispatched: 1, examined: 3, watched: 3, stuckRunning: 1, staleQueued: 1, parentsChecked: 1 });
    expect(first.stuckJobIds).toEqual([stuck.id, stale]);
    expect(transport.sent).toEqual([{ lane: LANE, id: kept, kind: KIND, body: encodeJobMessage(kept, KIND, '{"k":1}', { recorded: true }), delaySeconds: 0, groupId: undefined }]);
    expect(await sweeps.undispatched(1)).toEqual([]);
    expect(settled).toEqual([parent]);
    expect(ids(await sweeps.watched(0))).toEqual([stuck.id]);
    for (let shard = 0; shard < SHARDS; shard++) {
      const cursor = await sweeps.cursor(shard);
      expect(cursor! >= firstIdAt(started - 60_000) && cursor! <= firstIdAt(Date.now() - 60_000)).toBe(true);
    }

    // The live job finishes; the stale one is taken by a worker at last.
    await jobs.recordOutcome(attemptOf(live), succeeded(live, { now: new Date(), durationMs: 1, retentionSeconds: 60 }));
    await jobs.claim({ id: stale, kind: KIND, lane: LANE, maxAttempts: 3, payloadBytes: 2, now: new Date(), leaseUntil: new Date(Date.now() + 60_000) });
    const second = await sweep(deps, { stuckAfterSeconds: 60 });
    // Nothing is read twice: the stuck job is still counted, from the watch index alone.
    expect(second).toMatchObject({ redispatched: 0, examined: 0, watched: 2, stuckRunning: 1, staleQueued: 0, parentsChecked: 1 });
    expect(second.stuckJobIds).toEqual([stuck.id]);
    expect(ids(await sweeps.watched(1))).toEqual([]);
    expect(transport.sent).toHaveLength(1);
  });
});
