import type { InitializeMiddleware, MetadataBearer } from '@smithy/types';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryDynamoDB } from '../../bench/partitions/fake-dynamodb.js';
import { WriteLog } from '../../bench/partitions/write-log.js';
import { newJobId } from '../../lib/job-id.js';
import { attemptOf, succeeded } from '../../lib/store/attempt-outcome.js';
import { DynamoJobStore } from '../../lib/store/dynamo/dynamo-job-store.js';
import type { NewJob } from '../../lib/store/job-store.js';
import { createJobTables } from '../../scripts/lib/job-tables.js';
import { found } from '../support/claim.js';

// DynamoJobStore's batching (issue 25, item 4), on the in-memory DynamoDB: the claims of a
// batch's jobs are read in one request and written in one, their outcomes written in one, and
// two deliveries of one job in a batch still give it to one of them.
const SHARDS = 4;
const client = new MemoryDynamoDB(new WriteLog(() => 0), (name) => name).client();
const requests = new Map<string, number>();
const counter: InitializeMiddleware<object, MetadataBearer> = (next, context) => (args) => {
  requests.set(context.commandName ?? '?', (requests.get(context.commandName ?? '?') ?? 0) + 1);
  return next(args);
};
client.middlewareStack.addRelativeTo(counter as never, { relation: 'before', toMiddleware: 'simulatedDynamoDB', name: 'requestCount' });
let store: DynamoJobStore;

beforeAll(async () => {
  const tables = await createJobTables(client, 'batched');
  store = new DynamoJobStore(client, tables.tableName, SHARDS, tables.claimsTableName);
});

const newJob = (): NewJob => ({ id: newJobId(SHARDS, Date.now()), kind: 'batched.job', lane: 'default', status: 'queued', maxAttempts: 3, payloadBytes: 2, createdAt: new Date() });
const claim = (id: string, now = new Date()) => store.claim({ id, kind: 'batched.job', lane: 'default', maxAttempts: 3, payloadBytes: 2, now, leaseUntil: new Date(now.getTime() + 60_000), recordedAtEnqueue: true });
const counted = async <T>(work: () => Promise<T>): Promise<{ result: T; requests: Record<string, number> }> => {
  requests.clear();
  const result = await work();
  return { result, requests: Object.fromEntries(requests) };
};

describe('a batch of claims and outcomes on the DynamoDB store', () => {
  it('claims ten jobs with one read and one write request, each record as the claim says it left it', async () => {
    const jobs = Array.from({ length: 10 }, newJob);
    await store.insert(jobs);
    const { result: claims, requests: made } = await counted(() => Promise.all(jobs.map((job) => claim(job.id))));
    expect(made).toEqual({ BatchGetItemCommand: 1, BatchExecuteStatementCommand: 1 });
    expect(claims.map((c) => c.outcome)).toEqual(jobs.map(() => 'claimed'));
    for (const [i, job] of jobs.entries()) expect(await store.get(job.id)).toEqual(found(claims[i]!).record);
  });

  it('records ten outcomes with one write request, and refuses a stale attempt\'s', async () => {
    const jobs = Array.from({ length: 10 }, newJob);
    await store.insert(jobs);
    const records = (await Promise.all(jobs.map((job) => claim(job.id)))).map((c) => found(c).record);
    const outcome = (record: (typeof records)[number]) => store.recordOutcome(attemptOf(record), succeeded(record, { now: new Date(), durationMs: 1, retentionSeconds: 60 }));
    const { result: written, requests: made } = await counted(() => Promise.all(records.map(outcome)));
    expect(made).toEqual({ BatchExecuteStatementCommand: 1 });
    expect(written).toEqual(jobs.map(() => true));
    expect((await Promise.all(jobs.map((job) => store.get(job.id)))).map((r) => r?.status)).toEqual(jobs.map(() => 'succeeded'));
    expect(await outcome(records[0]!)).toBe(false);
  });

  it('refuses the outcome of an attempt whose lease ran out and whose job another delivery took over', async () => {
    const job = newJob();
    await store.insert([job]);
    const first = found(await claim(job.id, new Date(Date.now() - 120_000))).record;
    const second = found(await claim(job.id));
    expect(second).toMatchObject({ outcome: 'claimed', record: { attempt: 2 } });
    expect(await store.recordOutcome(attemptOf(first), succeeded(first, { now: new Date(), durationMs: 1, retentionSeconds: 60 }))).toBe(false);
    expect(await store.get(job.id)).toMatchObject({ status: 'running', attempt: 2 });
  });

  it('gives a job delivered twice in one batch to one delivery: the other finds it running', async () => {
    const job = newJob();
    await store.insert([job]);
    const now = new Date();
    const outcomes = (await Promise.all([claim(job.id, now), claim(job.id, now)])).map((c) => c.outcome).sort();
    expect(outcomes).toEqual(['busy', 'claimed']);
    expect((await store.get(job.id))?.attempt).toBe(1);
  });

  it('writes nothing for a delivery of a job that is over', async () => {
    const job = newJob();
    await store.insert([job]);
    const { record } = found(await claim(job.id));
    await store.recordOutcome(attemptOf(record), succeeded(record, { now: new Date(), durationMs: 1, retentionSeconds: 60 }));
    const { result, requests: made } = await counted(() => claim(job.id));
    expect(result.outcome).toBe('skip');
    expect(made).toEqual({ BatchGetItemCommand: 1 });
  });
});
