import { describe, expect, it } from 'vitest';
import { JobInspector } from '../../lib/inspector/job-inspector.js';
import { attribute, client, findDeadLetter, handlerRuns, sqs, stack, unique, waitForStatus } from './support/deployed.js';

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
});
