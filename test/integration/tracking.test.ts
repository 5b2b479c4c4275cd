import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { JobInspector } from '../../lib/inspector/job-inspector.js';
import { encodeJobMessage } from '../../lib/job-message.js';
import { client, handlerRuns, lane, sqs, stack, unique, waitForStatus, workerLogLines } from './support/deployed.js';
import { waitFor } from './support/wait.js';

/** Sends a second copy of a finished job's message and waits for the worker to drop it: the handler still ran once. */
async function expectDuplicateDropped(kind: string, id: string, payload: object): Promise<void> {
  await sqs.send(new SendMessageCommand({ QueueUrl: lane.queueUrl, MessageBody: encodeJobMessage(id, kind, JSON.stringify(payload), { by: 'integration-test' }) }));
  await waitFor('the duplicate to be dropped', async () => (await workerLogLines(id)).some((line) => line.includes('not claimable')), { timeoutMs: 30_000 });
  expect(await handlerRuns(id)).toBe(1);
}

describe('a kind tracked from its claim (test.from-claim), on the deployed stack', () => {
  it('has no record while queued; the claim writes it (who enqueued it, when); a duplicate message does not run it again', async () => {
    const value = unique('from-claim');
    const job = await client.enqueue('test.from-claim', { value }, { delaySeconds: 3 });
    // Held by SQS for 3 s: the job is only its message.
    expect(await client.get(job.id)).toBeUndefined();
    const record = await waitForStatus(job.id, 'succeeded', 30_000);
    expect(record).toMatchObject({ kind: 'test.from-claim', attempt: 1, createdBy: 'integration-test' });
    // createdAt is when SQS took the message, not when the worker claimed it.
    expect(Date.parse(record.createdAt)).toBeLessThan(Date.parse(record.startedAt!) - 2_000);
    expect(await handlerRuns(job.id)).toBe(1);

    await expectDuplicateDropped('test.from-claim', job.id, { value });
  });

  it('is named in the config, and operators\' listings of queued jobs say what they cannot show', async () => {
    expect(stack.config.tracking).toEqual({ 'test.from-claim': 'from-claim', 'test.outcome': 'outcome' });
    const page = await new JobInspector({ config: stack.config, sqs }).list({ status: 'queued', kind: 'test.from-claim' });
    expect(page.notes).toEqual([expect.stringMatching(/test\.from-claim is tracked from its claim/)]);
    expect((await new JobInspector({ config: stack.config, sqs }).list({ status: 'failed' })).notes).toBeUndefined();
  });
});

describe('a kind tracked by its outcome only (test.outcome), on the deployed stack', () => {
  it('has no record until it finishes; then one, with its attempt and who enqueued it; a duplicate of the finished job runs nothing', async () => {
    const value = unique('outcome');
    const job = await client.enqueue('test.outcome', { value }, { delaySeconds: 2 });
    expect(await client.get(job.id)).toBeUndefined();
    const record = await waitForStatus(job.id, 'succeeded', 30_000);
    expect(record).toMatchObject({ kind: 'test.outcome', attempt: 1, createdBy: 'integration-test', result: { echo: value } });
    expect(record.leaseUntil).toBeUndefined();
    expect(await handlerRuns(job.id)).toBe(1);

    await expectDuplicateDropped('test.outcome', job.id, { value });
  });
});

