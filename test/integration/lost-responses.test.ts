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
let armed = 0;
/** The next call's first attempt loses its response (two draws: the rate, then the fault). */
const loseNextResponse = () => { armed = 2; };
const random = () => (armed > 0 ? (armed--, 0) : 0.999);

const dynamodb = new DynamoDBClient({});
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
    expect(armed).toBe(0);
    expect(mine).toMatchObject({ outcome: 'claimed', record: { status: 'running', attempt: 1 } });
    // Same instant, same lease: only the claim's own token tells the two apart.
    expect((await claimAt(job.id, now)).outcome).toBe('busy');
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
      expect(armed).toBe(0);
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
    expect(armed).toBe(0);
    // Another job (or another attempt) still finds it in progress.
    expect(await once.start(key, 'job-a', now, new Date(now.getTime() + 30_000), new Date(now.getTime() + 3_600_000))).toMatchObject({ started: false, existing: { status: 'in_progress' } });
  });

  it('a one-time schedule is created once, even where the Scheduler answers the retry with Conflict', async () => {
    const schedules = new EventBridgeScheduler(scheduler, stack.config);
    const name = unique('lost');
    loseNextResponse();
    await schedules.scheduleOnce(name, new Date(Date.now() + 3_600_000), 'default', '{"id":"lost"}');
    expect(armed).toBe(0);
    expect(await schedules.messageOf(name)).toBe('{"id":"lost"}');
    // A different message under the same name is a real conflict.
    await expect(schedules.scheduleOnce(name, new Date(Date.now() + 3_600_000), 'default', '{"id":"other"}')).rejects.toThrow();
    expect(await schedules.cancel(name)).toBe(true);
  });
});
