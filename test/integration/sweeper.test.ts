import { describe, expect, it } from 'vitest';
import { awsBackends } from '../../lib/aws/aws-backends.js';
import { JobClient } from '../../lib/client/job-client.js';
import { newJobId, timeOf } from '../../lib/job-id.js';
import { attemptOf, succeeded, waiting } from '../../lib/store/attempt-outcome.js';
import { found } from '../support/claim.js';
import { childJobId } from '../../lib/continuations/children.js';
import { testJobs } from '../../functions/testing/definitions.js';
import { dynamodb, handlerRuns, sqs, stack, sweepNow, waitForStatus } from './support/deployed.js';
import { waitFor } from './support/wait.js';

const backends = awsBackends(stack.config, { dynamodb, sqs });

describe('the sweeper on the deployed stack', () => {
  it('sends the message of a job whose SQS send failed after its record was written, and the job runs', async () => {
    // The real client, with SQS refusing every message: the record is written, the payload kept.
    const refusing = { ...backends.transport, send: async (_lane: string, messages: readonly { id: string }[]) => ({ failedIds: messages.map((m) => m.id) }) };
    const client = new JobClient({ jobs: testJobs, config: stack.config, backends: { ...backends, transport: refusing as never } });
    const job = await client.enqueue('test.echo', { value: `unsent-${Date.now()}` });
    expect(await client.get(job.id)).toMatchObject({ status: 'queued', payload: { value: expect.stringMatching(/^unsent-/) } });

    const report = await sweepNow();
    expect(report.redispatched).toBeGreaterThanOrEqual(1);
    const done = await waitForStatus(job.id, 'succeeded');
    expect(done.payload).toBeUndefined();
    expect(await handlerRuns(job.id)).toBe(1);
  });

  it('counts a running job whose lease expired with no delivery to take it over as stuck', async () => {
    const id = newJobId(stack.config.shardCount);
    const now = new Date();
    await backends.store.insert([{ id, kind: 'test.echo', lane: 'default', status: 'queued', maxAttempts: 5, payloadBytes: 2, createdAt: now }]);
    await backends.store.claim({ id, kind: 'test.echo', lane: 'default', maxAttempts: 5, payloadBytes: 2, now, leaseUntil: new Date(now.getTime() - 1000) });
    // The test stack's stuck horizon is 5 s after creation.
    await waitFor('the job to pass the stuck horizon', async () => Date.now() > timeOf(id) + 7000, { timeoutMs: 20_000 });
    const report = await sweepNow();
    expect(report.stuckJobIds).toContain(id);
    expect(report.stuckRunning).toBeGreaterThanOrEqual(1);
    // Seen once, it stays watched: the next sweep still counts it without re-reading the shard.
    expect((await sweepNow()).stuckJobIds).toContain(id);
  });

  it('finishes a parent left waiting after its last child finished (a worker died in between)', async () => {
    const { store } = backends;
    const now = new Date();
    const lease = new Date(now.getTime() + 60_000);
    const parentId = newJobId(stack.config.shardCount);
    await store.insert([{ id: parentId, kind: 'test.echo', lane: 'default', status: 'queued', maxAttempts: 1, payloadBytes: 2, createdAt: now }]);
    const { record: parent } = found(await store.claim({ id: parentId, kind: 'test.echo', lane: 'default', maxAttempts: 1, payloadBytes: 2, now, leaseUntil: lease }));
    await store.prepareChildren(attemptOf(parent), { total: 1, failFast: false });
    const childId = childJobId(parentId, 0, stack.config.shardCount);
    await store.insertChildren([{ id: childId, kind: 'test.echo', lane: 'default', status: 'queued', maxAttempts: 1, payloadBytes: 2, createdAt: now, parentId }]);
    const { record: child } = found(await store.claim({ id: childId, kind: 'test.echo', lane: 'default', maxAttempts: 1, payloadBytes: 2, now, leaseUntil: lease }));
    await store.recordOutcome(attemptOf(child), succeeded(child, { now, durationMs: 1, result: { rows: 7 }, retentionSeconds: 60 }));
    await store.recordOutcome(attemptOf(parent), waiting({ now, durationMs: 1 }));
    expect(await store.get(parentId)).toMatchObject({ status: 'waiting', childrenDone: 1, childrenTotal: 1 });

    const report = await sweepNow();
    expect(report.parentsChecked).toBeGreaterThanOrEqual(1);
    expect(await store.get(parentId)).toMatchObject({ status: 'succeeded', result: { children: { total: 1, succeeded: 1, failed: 0, cancelled: 0 }, totals: { rows: 7 } } });
  });
});
