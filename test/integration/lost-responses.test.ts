import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectFaults, parseFaultPlan } from '../../lib/aws/faults.js';
import { DynamoIdempotencyStore } from '../../lib/idempotency/dynamo-idempotency-store.js';
import { newJobId } from '../../lib/job-id.js';
import { EventBridgeScheduler } from '../../lib/scheduler/eventbridge-scheduler.js';
import { attemptOf, retrying, succeeded } from '../../lib/store/attempt-outcome.js';
import { DynamoJobStore } from '../../lib/store/dynamo/dynamo-job-store.js';
import type { NewJob } from '../../lib/store/job-store.js';
import { found } from '../support/claim.js';
import { createJobTables, type JobTables } from '../../scripts/lib/job-tables.js';
import { stack, unique } from './support/deployed.js';

/**
 * A write whose response is lost after DynamoDB (or the Scheduler) carried it out: the SDK
 * retries it, and the retry meets the write's own effect. Each store must know its own write
 * then — not take it for another worker's. The first attempt of the next call loses its
 * response (an injected fault, on clients against the emulator); the retry goes through.
 */
const plan = parseFaultPlan(JSON.stringify({ rate: 0.5, faults: ['lost-response'] }));
/** The fault injector's draws, queued: a call that goes through takes one (0.999, over the rate), a call that loses its response two (0: under the rate, then the first fault). */
const draws: number[] = [];
/** The first attempt of the call `n` calls from now (1: the next) loses its response. */
const loseResponseOfCall = (n: number) => { draws.push(...Array<number>(n - 1).fill(0.999), 0, 0); };
const loseNextResponse = () => loseResponseOfCall(1);
const random = () => draws.shift() ?? 0.999;

const dynamodb = new DynamoDBClient({});
/** DynamoDB requests by operation, counted above the SDK's retries (a retried request counts once). */
const requests = new Map<string, number>();
dynamodb.middlewareStack.add((next, context) => (args) => {
  requests.set(context.commandName ?? '?', (requests.get(context.commandName ?? '?') ?? 0) + 1);
  return next(args);
}, { step: 'initialize', name: 'requestCount' });
const scheduler = new SchedulerClient({});
injectFaults(dynamodb, 'dynamodb', plan, { random });
injectFaults(scheduler, 'scheduler', plan, { random });

const SHARDS = 4;
let tables: JobTables;
let store: DynamoJobStore;
beforeAll(async () => {
  tables = await createJobTables(new DynamoDBClient({}), 'lost');
  store = new DynamoJobStore(dynamodb, tables.tableName, SHARDS, tables.claimsTableName);
});
afterAll(() => tables?.drop());

const newJob = (): NewJob => ({ id: newJobId(SHARDS, Date.now()), kind: 'lost.job', lane: 'default', status: 'queued', maxAttempts: 3, payloadBytes: 2, createdAt: new Date() });
const claimAt = (id: string, now: Date) => store.claim({ id, kind: 'lost.job', lane: 'default', maxAttempts: 3, payloadBytes: 2, now, leaseUntil: new Date(now.getTime() + 60_000) }).then(found);

describe('a write whose response was lost, retried by the SDK', () => {
  it('a claim is still this worker\'s claim; a second delivery claiming at the same instant is not', async () => {
    const job = newJob();
    await store.insert([job]);
    const now = new Date();
    loseNextResponse();
    const mine = await claimAt(job.id, now);
    expect(draws).toEqual([]);
    expect(mine).toMatchObject({ outcome: 'claimed', record: { status: 'running', attempt: 1 } });
    // Same instant, same lease: only the claim's own token tells the two apart.
    expect((await claimAt(job.id, now)).outcome).toBe('busy');
  });

  it('a batch\'s claims, read in one request and written in another whose response was lost, are still this worker\'s', async () => {
    const jobs = Array.from({ length: 3 }, newJob);
    await store.insert(jobs);
    const now = new Date();
    const claim = (id: string) => store.claim({ id, kind: 'lost.job', lane: 'default', maxAttempts: 3, payloadBytes: 2, now, leaseUntil: new Date(now.getTime() + 60_000), recordedAtEnqueue: true });
    requests.clear();
    // The batch's read goes through; its write's first response is lost, and the SDK sends the batch again.
    loseResponseOfCall(2);
    const claims = await Promise.all(jobs.map((job) => claim(job.id)));
    expect(draws).toEqual([]);
    expect(Object.fromEntries(requests)).toEqual({ BatchGetItemCommand: 1, BatchExecuteStatementCommand: 1 });
    expect(claims).toEqual(jobs.map(() => expect.objectContaining({ outcome: 'claimed', record: expect.objectContaining({ status: 'running', attempt: 1 }) })));
    // Each record is what the claim says it left.
    for (const [i, job] of jobs.entries()) expect(await store.get(job.id)).toEqual(found(claims[i]!).record);
    // Same instant, same lease: a second delivery of each finds it running, and writes nothing.
    requests.clear();
    expect((await Promise.all(jobs.map((job) => claim(job.id)))).map((c) => c.outcome)).toEqual(['busy', 'busy', 'busy']);
    expect(Object.fromEntries(requests)).toEqual({ BatchGetItemCommand: 1 });
  });

  it('a batch\'s outcomes, written in one request whose response was lost, are recorded', async () => {
    const jobs = Array.from({ length: 3 }, newJob);
    await store.insert(jobs);
    const records = await Promise.all(jobs.map(async (job) => (await claimAt(job.id, new Date())).record));
    requests.clear();
    loseNextResponse();
    const written = await Promise.all(records.map((record) => store.recordOutcome(attemptOf(record), succeeded(record, { now: new Date(), durationMs: 3, retentionSeconds: 60 }))));
    expect(written).toEqual([true, true, true]);
    expect(draws).toEqual([]);
    expect(Object.fromEntries(requests)).toEqual({ BatchExecuteStatementCommand: 1 });
    expect((await Promise.all(jobs.map((job) => store.get(job.id)))).map((r) => r?.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    // A stale attempt's write is still refused.
    expect(await store.recordOutcome(attemptOf(records[0]!), succeeded(records[0]!, { now: new Date(), durationMs: 3, retentionSeconds: 60 }))).toBe(false);
  });

  it('an attempt\'s outcome is recorded, not taken for another delivery\'s', async () => {
    for (const outcome of ['succeeded', 'retrying'] as const) {
      const job = newJob();
      await store.insert([job]);
      const { record } = await claimAt(job.id, new Date());
      loseNextResponse();
      const change = outcome === 'succeeded'
        ? succeeded(record, { now: new Date(), durationMs: 3, retentionSeconds: 60 })
        : retrying(record, { now: new Date(), error: { message: 'again', class: 'Error', permanent: false, attempt: 1, at: new Date().toISOString() }, delaySeconds: 5 });
      expect(await store.recordOutcome(attemptOf(record), change)).toBe(true);
      expect(draws).toEqual([]);
      expect((await store.get(job.id))?.status).toBe(outcome);
      // A stale attempt's write is still refused.
      expect(await store.recordOutcome(attemptOf(record), succeeded(record, { now: new Date(), durationMs: 3, retentionSeconds: 60 }))).toBe(false);
    }
  });

  it('ctx.once\'s marker is this attempt\'s, so the effect runs (once), not "in progress elsewhere"', async () => {
    const once = new DynamoIdempotencyStore(dynamodb, tables.claimsTableName);
    const key = unique('once');
    const now = new Date();
    loseNextResponse();
    expect(await once.start(key, 'job-a', now, new Date(now.getTime() + 30_000), new Date(now.getTime() + 3_600_000))).toEqual({ started: true });
    expect(draws).toEqual([]);
    // Another job (or another attempt) still finds it in progress.
    expect(await once.start(key, 'job-a', now, new Date(now.getTime() + 30_000), new Date(now.getTime() + 3_600_000))).toMatchObject({ started: false, existing: { status: 'in_progress' } });
  });

  it('a one-time schedule is created once, even where the Scheduler answers the retry with Conflict', async () => {
    const schedules = new EventBridgeScheduler(scheduler, stack.config);
    const name = unique('lost');
    loseNextResponse();
    await schedules.scheduleOnce(name, new Date(Date.now() + 3_600_000), 'default', '{"id":"lost"}');
    expect(draws).toEqual([]);
    expect(await schedules.messageOf(name)).toBe('{"id":"lost"}');
    // A different message under the same name is a real conflict.
    await expect(schedules.scheduleOnce(name, new Date(Date.now() + 3_600_000), 'default', '{"id":"other"}')).rejects.toThrow();
    expect(await schedules.cancel(name)).toBe(true);
  });
});
