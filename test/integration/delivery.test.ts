import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { attribute, client, findDeadLetter, handlerRuns, lane, sqs, unique, waitForStatus, workerLogLines } from './support/deployed.js';
import { waitFor } from './support/wait.js';
import { encodeJobMessage } from '../../lib/job-message.js';

const DROPPED = 'dropping a delivery of a job that is not claimable';

/** Waits until the worker logged that it dropped a delivery of `id`. */
const waitForDrop = (id: string, count = 1) =>
  waitFor(`the worker to drop ${count} redelivery(ies) of ${id}`, async () => (await workerLogLines(DROPPED)).filter((line) => line.includes(id)).length >= count, { timeoutMs: 120_000, intervalMs: 1000 });

describe('delivery semantics on the deployed stack', () => {
  it('runs the handler once when the same message is delivered twice', async () => {
    const value = unique('dup');
    const job = await client.enqueue('test.echo', { value });
    await waitForStatus(job.id, 'succeeded');

    await sqs.send(new SendMessageCommand({ QueueUrl: lane.queueUrl, MessageBody: encodeJobMessage(job.id, 'test.echo', JSON.stringify({ value })) }));
    await waitForDrop(job.id);
    expect(await handlerRuns(job.id)).toBe(1);
    expect(await client.get(job.id)).toMatchObject({ status: 'succeeded', attempt: 1 });
  });

  it('holds a duplicate that arrives while the job runs until the lease ends, then drops it', async () => {
    const value = unique('dup-running');
    const job = await client.enqueue('test.echo', { value, holdMs: 3000 });
    await waitForStatus(job.id, 'running');
    await sqs.send(new SendMessageCommand({ QueueUrl: lane.queueUrl, MessageBody: encodeJobMessage(job.id, 'test.echo', JSON.stringify({ value, holdMs: 3000 })) }));
    await waitForStatus(job.id, 'succeeded');
    await waitForDrop(job.id);
    expect(await handlerRuns(job.id)).toBe(1);
  });

  it('dead-letters a garbage message with a reason while the rest of its batch succeeds', async () => {
    const garbage = unique('this is not a job');
    const value = unique('beside-garbage');
    const id = (await client.enqueue('test.echo', { value }, { delaySeconds: 2 })).id;
    // The garbage goes out in one batch with a copy of a real job's message, as a broken producer would.
    await sqs.send(new SendMessageBatchCommand({
      QueueUrl: lane.queueUrl,
      Entries: [
        { Id: 'garbage', MessageBody: garbage },
        { Id: 'job', MessageBody: encodeJobMessage(id, 'test.echo', JSON.stringify({ value })) },
      ],
    }));
    const dead = await findDeadLetter((m) => m.Body === garbage);
    expect(attribute(dead, 'jobline.error')).toMatch(/message body is not JSON/);
    expect(attribute(dead, 'jobline.permanent')).toBe('true');
    expect((await waitForStatus(id, 'succeeded')).attempt).toBe(1);
    expect(await handlerRuns(id)).toBe(1);
  });

  it('recovers from a worker crash mid-batch: the crashed job reruns, finished jobs of the batch do not', async () => {
    const values = [unique('batch-a'), unique('batch-b'), unique('batch-c')];
    const jobs = await client.enqueueMany([
      ...values.map((value) => ({ job: 'test.echo', payload: { value } })),
      { job: 'test.crash', payload: { waitForValues: values } },
    ]);
    const crashed = jobs[3]!;
    const recovered = await waitForStatus(crashed.id, 'succeeded', 150_000);
    expect(recovered.attempt).toBe(2);
    expect(recovered.result).toEqual({ recoveredOnAttempt: 2 });
    expect(await handlerRuns(crashed.id)).toBe(2);

    // The crashed invocation's whole batch came back with it; its finished jobs' redeliveries
    // were dropped. Which echo jobs shared that batch is up to the event source (it may split
    // four messages over two invocations): at least one did, or the crash tested nothing.
    const echoes = jobs.slice(0, 3).map((job) => job.id);
    const dropped = await waitFor('the finished jobs of the crashed batch to be dropped', async () => {
      const lines = await workerLogLines(DROPPED);
      const ids = echoes.filter((id) => lines.some((line) => line.includes(id)));
      return ids.length > 0 && ids;
    }, { timeoutMs: 30_000, intervalMs: 1000 });
    expect(dropped.length).toBeGreaterThan(0);
    for (const id of echoes) {
      expect(await handlerRuns(id)).toBe(1);
      expect(await client.get(id)).toMatchObject({ status: 'succeeded', attempt: 1 });
    }
  });
});
