import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../lib/aws/document-client.js';
import { JobInspector } from '../../lib/inspector/job-inspector.js';
import { jobKey } from '../../lib/store/dynamo/job-item.js';
import { dashboardUser, signIn } from '../e2e/support/sign-in.js';
import { api, attribute, client, dynamodb, findDeadLetter, handlerRuns, sqs, stack, unique, waitForStatus } from './support/deployed.js';

describe('redaction of personal data on the deployed stack (test.redacted: email redacted)', () => {
  it('keeps the address out of the stored error, the DLQ note and every view, and a retry still runs with it', async () => {
    const email = `${unique('ada')}@example.com`;
    const job = await client.enqueue('test.redacted', { email, note: 'welcome' });
    const failed = await waitForStatus(job.id, 'failed');

    // What the client (and the HTTP API) and the operators' tools show.
    expect(failed.payload).toEqual({ email: '[redacted]', note: 'welcome' });
    expect(failed.lastError?.message).toBe('cannot reach [redacted]: mailbox unavailable');
    const inspector = new JobInspector({ config: stack.config, sqs });
    const shown = await inspector.get(job.id);
    expect(JSON.stringify(shown)).not.toContain(email);
    expect(shown!.payload).toEqual({ email: '[redacted]', note: 'welcome' });
    // The DLQ note; the DLQ listing's body.
    const dead = await findDeadLetter(job.id);
    expect(attribute(dead, 'jobline.error')).toBe('cannot reach [redacted]: mailbox unavailable');
    const listed = await inspector.peekDeadLetters('default', 100);
    expect(listed.filter((m) => m.body.includes(job.id)).map((m) => m.body).join('')).not.toContain(email);

    // The stored payload is whole: the retry runs the handler with the real address.
    await inspector.retry(job.id);
    await waitForStatus(job.id, 'failed');
    expect(await handlerRuns(`redacted:${email}`)).toBe(2);
  }, 90_000);

  it('keeps the address out of a succeeded job\'s result and progress: in the table, the client, the HTTP API, the inspector, the CLI and the dashboard', async () => {
    const email = `${unique('grace')}@example.com`;
    const job = await client.enqueue('test.redacted', { email, note: 'deliver' });
    const done = await waitForStatus(job.id, 'succeeded');
    expect(await handlerRuns(`redacted:${email}`)).toBe(1);
    expect(done.result).toEqual({ sentTo: '[redacted]', email: '[redacted]', summary: 'delivered to [redacted]' });
    expect(done.progress).toEqual({ sending: '[redacted]', step: 1 });

    // Scrubbed as written: the stored item holds the address nowhere.
    const item = await documentClient(dynamodb).send(new GetCommand({ TableName: stack.config.tableName, Key: jobKey(job.id) }));
    expect(item.Item).toBeDefined();
    expect(JSON.stringify(item.Item)).not.toContain(email);

    const views: Array<[string, string]> = [
      ['client', JSON.stringify(await client.get(job.id))],
      ['HTTP API', JSON.stringify((await api.get(job.id)).body)],
      ['inspector', JSON.stringify(await new JobInspector({ config: stack.config, sqs }).get(job.id))],
      ['CLI', (await promisify(execFile)('node', [new URL('../../dist/cli/jobline.js', import.meta.url).pathname, '--stack', 'JoblineTest', 'jobs', 'show', job.id])).stdout],
    ];
    const token = await signIn(stack.dashboardUrl!, await dashboardUser(stack.dashboardUserPoolId!, 'viewer'));
    views.push(['dashboard', await (await fetch(new URL(`api/jobs/${job.id}`, stack.dashboardUrl!), { headers: { authorization: `Bearer ${token}` } })).text()]);
    for (const [view, shown] of views) {
      expect([view, shown.includes('[redacted]')]).toEqual([view, true]);
      expect([view, shown.includes(email)]).toEqual([view, false]);
    }
  }, 90_000);
});
