import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigurationError, defineJob, PermanentError } from 'jobline';
import { createTestQueue } from 'jobline/testing';
import { defineHandler } from 'jobline/worker';
import { fieldValues, redactFields, redactMessageBody, redactRecord, redactValue, scrubText } from '../../lib/redaction.js';

const signup = defineJob({
  kind: 'signup.welcome',
  schema: z.object({ email: z.string(), card: z.object({ number: z.string(), brand: z.string() }), guests: z.array(z.object({ email: z.string() })).default([]) }),
  retry: { maxAttempts: 2, backoffBaseSeconds: 1, jitter: 0 },
  redact: ['email', 'card.number', 'guests.email'],
});
const payload = { email: 'ada@example.com', card: { number: '4111111111111111', brand: 'visa' }, guests: [{ email: 'bob@example.com' }] };

describe('redaction of personal data', () => {
  it('replaces the named fields, crossing arrays, and finds their values for scrubbing', () => {
    expect(redactFields(payload, signup.redact!)).toEqual({ email: '[redacted]', card: { number: '[redacted]', brand: 'visa' }, guests: [{ email: '[redacted]' }] });
    expect(redactFields({ other: 1 }, ['email'])).toEqual({ other: 1 });
    expect(fieldValues(payload, signup.redact!).sort()).toEqual(['4111111111111111', 'ada@example.com', 'bob@example.com']);
    expect(scrubText('could not mail ada@example.com (card 4111111111111111)', fieldValues(payload, signup.redact!))).toBe('could not mail [redacted] (card [redacted])');
    expect(redactMessageBody(JSON.stringify({ v: 1, id: 'x', kind: signup.kind, payload }), { [signup.kind]: signup.redact! })).not.toContain('ada@example.com');
    expect(redactMessageBody('{not json', { [signup.kind]: ['email'] })).toBe('{not json');
  });

  it('keeps the values out of stored errors, DLQ notes and what the client shows, while the stored payload stays whole for a retry', async () => {
    const seen: string[] = [];
    const queue = createTestQueue({
      jobs: [defineHandler(signup, async ({ email, card }, ctx) => {
        seen.push(email);
        if (ctx.attempt === 1) throw new Error(`card ${card.number} declined for ${email}`);
        throw new PermanentError(`mailbox ${email} does not exist`);
      })],
    });
    const { id } = await queue.client.enqueue(signup, payload);
    expect((await queue.deliver(id)).record?.lastError?.message).toBe('card [redacted] declined for [redacted]');
    await queue.deliver(id);
    const stored = await queue.store.get(id);
    expect(stored).toMatchObject({ status: 'failed', payload, lastError: { message: 'mailbox [redacted] does not exist' } });
    expect(JSON.stringify(stored!.errors)).not.toMatch(/ada@example|4111/);
    expect(queue.transport.deadLetters.map((d) => d.note.error)).toEqual(['mailbox [redacted] does not exist']);
    const shown = await queue.client.get(id);
    expect(shown!.payload).toEqual({ email: '[redacted]', card: { number: '[redacted]', brand: 'visa' }, guests: [{ email: '[redacted]' }] });
    expect(seen).toEqual(['ada@example.com', 'ada@example.com']);
  });

  it('is applied by operators\' tools from the config alone (they do not import the kinds): the inspector\'s records and DLQ listings', async () => {
    const { JobInspector } = await import('jobline/inspector');
    const queue = createTestQueue({ jobs: [defineHandler(signup, async () => { throw new PermanentError('no'); })] });
    const { id } = await queue.client.enqueue(signup, payload);
    await queue.deliver(id);
    const inspector = new JobInspector({ config: { ...queue.config, redact: { [signup.kind]: signup.redact! } }, backends: queue.backends });
    expect((await inspector.get(id))!.payload).toMatchObject({ email: '[redacted]', card: { number: '[redacted]' } });
    expect(JSON.stringify(await inspector.list({ status: 'failed' }))).not.toContain('ada@example.com');
    // Retrying sends the real payload, kept whole in the store.
    await inspector.retry(id);
    expect(queue.transport.sent.at(-1)!.body).toContain('ada@example.com');
  });

  it('hides redacted names and the payload\'s redacted values anywhere in a result or progress: strings, numbers, keys, nested', () => {
    const values = fieldValues(payload, signup.redact!);
    expect(redactValue({ sentTo: 'ada@example.com', email: 'x', card: { number: 4111111111111111, last4: '1111' }, log: ['mailed bob@example.com'], byAddress: { 'ada@example.com': 1 } }, signup.redact!, values))
      .toEqual({ sentTo: '[redacted]', email: '[redacted]', card: { number: '[redacted]', last4: '1111' }, log: ['mailed [redacted]'], byAddress: { '[redacted]': 1 } });
    expect(redactValue('sent to ada@example.com', signup.redact!, values)).toBe('sent to [redacted]');
    expect(redactValue({ sentTo: 'ada@example.com' }, [], values)).toEqual({ sentTo: 'ada@example.com' });
    // A record shown without its payload (a finished job's) still loses the redacted names.
    const shown = redactRecord({ id: 'x', kind: signup.kind, lane: 'default', status: 'succeeded', attempt: 1, maxAttempts: 1, createdAt: '', result: { email: 'ada@example.com' }, progress: { email: 'ada@example.com' } } as never, signup.redact);
    expect(shown).toMatchObject({ result: { email: '[redacted]' }, progress: { email: '[redacted]' } });
  });

  it('stores a result and progress without the payload\'s redacted values (the finished record no longer has the payload to find them by), and the client shows the same', async () => {
    const queue = createTestQueue({
      jobs: [defineHandler(signup, async ({ email, card }, ctx) => {
        await ctx.heartbeat({ sending: email, card: card.number });
        return { sentTo: email, brand: card.brand };
      })],
    });
    const { id } = await queue.client.enqueue(signup, payload);
    await queue.deliver(id);
    const stored = await queue.store.get(id);
    expect(stored).toMatchObject({ status: 'succeeded', result: { sentTo: '[redacted]', brand: 'visa' }, progress: { sending: '[redacted]', card: '[redacted]' } });
    expect(JSON.stringify(stored)).not.toMatch(/ada@example|4111/);
    expect((await queue.client.get(id))).toMatchObject({ result: { sentTo: '[redacted]' }, progress: { sending: '[redacted]' } });
  });

  it('refuses field paths that are not paths', () => {
    expect(() => defineJob({ kind: 'k', schema: z.object({}), redact: ['email', 'card..number'] })).toThrow(ConfigurationError);
    expect(() => defineJob({ kind: 'k', schema: z.object({}), redact: ['a b'] })).toThrow('redact must list at most 50 field paths like "email" or "card.number", got ["a b"]');
  });
});

describe('redaction in a parent\'s summary of its children', () => {
  it('lists what the children\'s results held, without the children\'s redacted values', async () => {
    const { childJobId } = await import('../../lib/continuations/children.js');
    const { newJobId } = await import('../../lib/job-id.js');
    const { encodeJobMessage } = await import('../../lib/job-message.js');
    const invite = defineJob({ kind: 'invite', schema: z.object({ email: z.string() }), redact: ['email'] });
    const batch = defineJob({ kind: 'invite.batch', schema: z.object({ emails: z.array(z.string()) }) });
    const queue = createTestQueue({
      jobs: [
        defineHandler(batch, async ({ emails }, ctx) => { await ctx.spawn(invite, emails.map((email) => ({ email }))); return {}; }),
        defineHandler(invite, async ({ email }) => ({ invited: [email] })),
      ],
      random: () => 0,
    });
    const id = newJobId(4);
    await queue.store.insert([{ id, kind: 'invite.batch', lane: 'default', status: 'queued', maxAttempts: 1, payloadBytes: 1, createdAt: new Date() }]);
    await queue.deliverBody(encodeJobMessage(id, 'invite.batch', JSON.stringify({ emails: ['ada@example.com', 'bob@example.com'] })));
    for (const i of [0, 1]) await queue.deliver(childJobId(id, i, 4));
    const parent = await queue.store.get(id);
    expect(parent).toMatchObject({ status: 'succeeded', result: { children: { total: 2, succeeded: 2 }, invited: ['[redacted]', '[redacted]'] } });
    expect(JSON.stringify(parent)).not.toMatch(/ada@|bob@/);
  });
});
