import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { newJobId } from '../../lib/job-id.js';
import { encodeJobMessage } from '../../lib/job-message.js';
import { client, findDeadLetter, lane, mailTo, sqs, waitForStatus, workerLogLines } from './support/deployed.js';
import { waitFor } from './support/wait.js';

const recipient = (name: string) => `${name}-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`;

describe('email.send on the deployed stack', () => {
  it('sends a welcome email through SES', async () => {
    const to = recipient('ada');
    const job = await client.enqueue('email.send', { to, template: 'welcome', variables: { name: 'Ada' } });
    const done = await waitForStatus(job.id, 'succeeded');
    const mail = await mailTo(to);
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({ Subject: 'Welcome to jobline, Ada', MessageId: (done.result as { messageId: string }).messageId });
  });

  it('sends once when the handler is retried after the send', async () => {
    const to = recipient('retried');
    const job = await client.enqueue('test.email-then-fail', { to, template: 'welcome', variables: { name: 'Retry' } });
    const done = await waitForStatus(job.id, 'succeeded');
    expect(done.attempt).toBe(2);
    expect(done.errors?.[0]?.message).toBe('the worker failed right after sending');
    expect(await mailTo(to)).toHaveLength(1);
  });

  it('sends once for two jobs with the same send token, and once when a message is delivered twice', async () => {
    const to = recipient('token');
    const payload = { to, template: 'welcome', variables: { name: 'Token' }, token: `welcome:${to}` };
    const [a, b] = await client.enqueueMany([{ job: 'email.send', payload }, { job: 'email.send', payload }]);
    const [doneA, doneB] = await Promise.all([waitForStatus(a!.id, 'succeeded'), waitForStatus(b!.id, 'succeeded')]);
    expect(doneA.result).toEqual(doneB.result);
    await sqs.send(new SendMessageCommand({ QueueUrl: lane.queueUrl, MessageBody: encodeJobMessage(a!.id, 'email.send', JSON.stringify(payload)) }));
    await waitFor('the duplicate delivery to be dropped', async () => (await workerLogLines('dropping a delivery')).some((line) => line.includes(a!.id)), { timeoutMs: 60_000, intervalMs: 1000 });
    expect(await mailTo(to)).toHaveLength(1);
  });

  it('fails an invalid address after one attempt with the reason, sending nothing', async () => {
    // A producer that skipped the client's validation put it straight on the queue.
    const id = newJobId(4);
    await sqs.send(new SendMessageCommand({ QueueUrl: lane.queueUrl, MessageBody: encodeJobMessage(id, 'email.send', JSON.stringify({ to: 'ada at example', template: 'welcome', variables: { name: 'x' } })) }));
    const failed = await waitForStatus(id, 'failed');
    expect(failed.attempt).toBe(1);
    expect(failed.lastError).toMatchObject({ permanent: true, message: expect.stringContaining('to must be an email address') });
    await findDeadLetter(id);
    expect(await mailTo('ada at example')).toHaveLength(0);
  });
});
