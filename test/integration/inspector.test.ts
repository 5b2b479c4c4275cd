import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { JobNotRetryableError } from '../../lib/errors.js';
import { JobInspector } from '../../lib/inspector/job-inspector.js';
import { timeOf } from '../../lib/job-id.js';
import { queueNameOf } from '../../lib/transport/queue-age.js';
import { client, findDeadLetter, handlerRuns, lane, sqs, stack, sweepNow, waitForStatus } from './support/deployed.js';
import { waitFor } from './support/wait.js';

const inspector = new JobInspector({ config: stack.config, sqs });

describe('JobInspector on the deployed stack', () => {
  it('lists jobs by status and kind, newest first, a page at a time', async () => {
    const jobs = await client.enqueueMany(Array.from({ length: 5 }, (_, i) => ({ job: 'test.echo', payload: { value: `page-${Date.now()}-${i}` } })));
    await Promise.all(jobs.map((j) => waitForStatus(j.id, 'succeeded')));
    const first = await inspector.list({ status: 'succeeded', kind: 'test.echo', limit: 2 });
    expect(first.jobs).toHaveLength(2);
    expect(first.jobs.every((j) => j.kind === 'test.echo' && j.status === 'succeeded')).toBe(true);
    expect(first.jobs[0]!.id > first.jobs[1]!.id).toBe(true);
    const second = await inspector.list({ status: 'succeeded', kind: 'test.echo', limit: 2, before: first.next });
    expect(second.jobs).toHaveLength(2);
    expect(second.jobs[0]!.id < first.jobs[1]!.id).toBe(true);
    const all = (await inspector.list({ status: 'succeeded', kind: 'test.echo', limit: 1000 })).jobs.map((j) => j.id);
    for (const job of jobs) expect(all).toContain(job.id);
  });

  it('counts jobs per lane and indexed state, from the sparse index', async () => {
    const before = await inspector.counts({ since: new Date(Date.now() - 3_600_000) });
    const jobs = await client.enqueueMany([1, 2].map((i) => ({ job: 'test.permanent', payload: { reason: `count-${Date.now()}-${i}` } })));
    const later = await client.enqueue('test.echo', { value: `count-cancel-${Date.now()}` }, { delaySeconds: 60 });
    await inspector.cancel(later.id);
    await Promise.all(jobs.map((j) => waitForStatus(j.id, 'failed')));
    // The index is eventually consistent (on AWS); the counts catch up.
    const after = await waitFor('the counts to include the new jobs', async () => {
      const counts = await inspector.counts({ since: new Date(Date.now() - 3_600_000) });
      const lane = counts.lanes.default!;
      return lane.failed! >= before.lanes.default!.failed! + 2 && lane.cancelled! >= before.lanes.default!.cancelled! + 1 ? counts : undefined;
    });
    expect(after.complete).toBe(true);
    expect(Object.keys(after.lanes.default!).sort()).toEqual(['cancelled', 'failed', 'retrying', 'scheduled', 'waiting']);
  });

  it('retries a failed job to success, cancels a queued one, and discards a failed one', async () => {
    const [failing, doomed] = await client.enqueueMany([{ job: 'test.fail-first', payload: { note: 'retry me' } }, { job: 'test.permanent', payload: { reason: 'discard me' } }]);
    await waitForStatus(failing!.id, 'failed');
    const retried = await inspector.retry(failing!.id);
    expect(retried.status).not.toBe('failed');
    expect(await waitForStatus(failing!.id, 'succeeded')).toMatchObject({ attempt: 1, result: { note: 'retry me' } });
    expect(await handlerRuns(failing!.id)).toBe(2);
    await expect(inspector.retry(failing!.id)).rejects.toBeInstanceOf(JobNotRetryableError);

    const later = await client.enqueue('test.echo', { value: 'cancel me' }, { delaySeconds: 4 });
    expect(await inspector.cancel(later.id)).toMatchObject({ status: 'cancelled' });

    await waitForStatus(doomed!.id, 'failed');
    await inspector.discard(doomed!.id);
    expect(await inspector.get(doomed!.id)).toBeUndefined();
  });

  it('retries cancelled jobs: from the payload the worker kept, from the payload kept off a deleted schedule, or before any worker saw the message', async () => {
    const stamp = Date.now();
    // Queued behind a 3 s SQS delay: the worker keeps the payload when the message arrives.
    const queued = await client.enqueue('test.echo', { value: `cancelled-queued-${stamp}` }, { delaySeconds: 3 });
    await inspector.cancel(queued.id);
    // Past the test stack's 5 s threshold: the schedule holds the payload, and cancel keeps it.
    const scheduled = await client.enqueue('test.echo', { value: `cancelled-scheduled-${stamp}` }, { delaySeconds: 120 });
    expect(await inspector.cancel(scheduled.id)).toMatchObject({ status: 'cancelled', payload: { value: `cancelled-scheduled-${stamp}` } });
    // Retried at once: its message is still delayed, so the retry only revives it.
    const early = await client.enqueue('test.echo', { value: `cancelled-early-${stamp}` }, { delaySeconds: 3 });
    await inspector.cancel(early.id);
    expect(await inspector.retry(early.id)).toMatchObject({ status: 'queued', attempt: 0 });

    await waitFor('the worker to keep the cancelled job\'s payload', async () => (await inspector.get(queued.id))?.payload !== undefined);
    expect(await inspector.get(queued.id)).toMatchObject({ status: 'cancelled', payload: { value: `cancelled-queued-${stamp}` } });
    await inspector.retry(queued.id);
    await inspector.retry(scheduled.id);

    for (const job of [queued, scheduled, early]) {
      expect(await waitForStatus(job.id, 'succeeded')).toMatchObject({ attempt: 1 });
      expect(await handlerRuns(job.id)).toBe(1);
    }
    await expect(inspector.retry(early.id)).rejects.toThrow(/is succeeded; only failed or cancelled jobs can be retried/);
  });

  it('discards a cancelled job only once a worker has dropped its message (which then never runs it)', async () => {
    const job = await client.enqueue('test.echo', { value: `discard-cancelled-${Date.now()}` }, { delaySeconds: 3 });
    await inspector.cancel(job.id);
    await expect(inspector.discard(job.id)).rejects.toThrow(/its message has not reached a worker yet/);
    await waitFor('the worker to keep the cancelled job\'s payload', async () => (await inspector.get(job.id))?.payload !== undefined);
    await inspector.discard(job.id);
    expect(await inspector.get(job.id)).toBeUndefined();
    expect(await handlerRuns(job.id)).toBe(0);
  });

  it('redrives only one kind from a DLQ holding two kinds, counts checked before and after', async () => {
    const [a, b] = await client.enqueueMany([{ job: 'test.fail-first', payload: { note: 'redrive me' } }, { job: 'test.permanent', payload: { reason: 'stay dead' } }]);
    // A failed record means its message is already in the DLQ (the worker dead-letters first).
    await Promise.all([waitForStatus(a!.id, 'failed'), waitForStatus(b!.id, 'failed')]);
    const [before] = await inspector.laneDepths();

    const report = await inspector.redrive('default', { kinds: ['test.fail-first'] });
    expect(report.moved).toBeGreaterThanOrEqual(1);
    expect(await waitForStatus(a!.id, 'succeeded')).toMatchObject({ result: { note: 'redrive me' } });
    expect(await client.get(b!.id)).toMatchObject({ status: 'failed' });
    await findDeadLetter(b!.id);

    const [after] = await inspector.laneDepths();
    expect(after!.deadLetters).toBe(before!.deadLetters - report.moved - report.dropped);
  });

  it('pauses a lane: its jobs wait unreceived, attempts untouched, and the lane shows their age; resumed, they run', async () => {
    await inspector.pause('default');
    let id: string;
    try {
      await waitFor('the lane to report paused', () => inspector.isPaused('default'));
      id = (await client.enqueue('test.echo', { value: `paused-${Date.now()}` })).id;
      // Several of the event source's one-second polls go by with the lane paused, and the
      // job passes the test stack's stuck horizon (5 s), so a sweep watches it.
      await waitFor('seven seconds of pause', async () => Date.now() > timeOf(id) + 7000, { timeoutMs: 12_000 });
      expect(await client.get(id)).toMatchObject({ status: 'queued', attempt: 0 });
      expect((await sweepNow()).stuckJobIds).toContain(id);
      const [depth] = await inspector.laneDepths();
      expect(depth).toMatchObject({ lane: 'default', paused: true });
      expect(depth!.visible).toBeGreaterThanOrEqual(1);
      expect(depth!.oldestJobAgeSeconds).toBeGreaterThanOrEqual(7);
    } finally {
      await inspector.resume('default');
    }
    expect(await waitForStatus(id, 'succeeded')).toMatchObject({ attempt: 1 });
    expect(await inspector.isPaused('default')).toBe(false);
  });

  it("reads a lane's oldest-message age from CloudWatch, where SQS publishes it on AWS", async () => {
    // The emulator's SQS publishes no metrics: this datapoint stands in for the one SQS sends.
    // (It stays for 10 minutes; it runs after the pause test, whose age comes from the sweeper.)
    const age = 3 * 3600;
    await new CloudWatchClient({}).send(new PutMetricDataCommand({
      Namespace: 'AWS/SQS',
      MetricData: [{ MetricName: 'ApproximateAgeOfOldestMessage', Dimensions: [{ Name: 'QueueName', Value: queueNameOf(lane.queueUrl) }], Value: age, Unit: 'Seconds', Timestamp: new Date() }],
    }));
    expect((await inspector.laneDepths())[0]!.oldestJobAgeSeconds).toBeGreaterThanOrEqual(age);
  });
});
