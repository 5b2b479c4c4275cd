import { describe, expect, it } from 'vitest';
import { listAll } from '../support/list-all.js';
import { awsBackends } from '../../lib/aws/aws-backends.js';
import { newJobId } from '../../lib/job-id.js';
import type { JobStatus } from '../../lib/job-status.js';
import { client, dynamodb, sqs, stack, waitForStatus } from './support/deployed.js';
import { waitFor } from './support/wait.js';

const { store } = awsBackends(stack.config, { dynamodb, sqs });
const listed = (status: JobStatus, id: string) =>
  waitFor(`job ${id} to be listed as ${status}`, async () => (await listAll(store, { status, limit: 1000 })).some((r) => r.id === id));

describe('jobs are queryable by status without a status index on the happy path', () => {
  it('lists queued, running, succeeded, scheduled and failed jobs', async () => {
    // A queued record whose message was never sent (what the sweeper looks for).
    const queuedId = newJobId(stack.config.shardCount);
    await store.insert([{ id: queuedId, kind: 'test.echo', lane: 'default', status: 'queued', maxAttempts: 5, payloadBytes: 2, createdAt: new Date() }]);
    expect(await listed('queued', queuedId)).toBe(true);

    const slow = await client.enqueue('test.echo', { value: `listing-${Date.now()}`, holdMs: 3000 });
    await waitForStatus(slow.id, 'running');
    expect(await listed('running', slow.id)).toBe(true);
    await waitForStatus(slow.id, 'succeeded');
    expect(await listed('succeeded', slow.id)).toBe(true);

    const later = await client.enqueue('test.echo', { value: 'later' }, { delaySeconds: 30 });
    expect(await listed('scheduled', later.id)).toBe(true);

    const broken = await client.enqueue('test.permanent', { reason: 'listing' });
    await waitForStatus(broken.id, 'failed');
    expect(await listed('failed', broken.id)).toBe(true);
    expect((await listAll(store, { status: 'failed', limit: 1000 })).every((r) => r.status === 'failed')).toBe(true);
  });
});
