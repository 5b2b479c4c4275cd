import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from 'jobline';
import { createTestQueue } from 'jobline/testing';
import { defineHandler } from 'jobline/worker';
import { handleApiRequest } from '../../lib/api/enqueue-api.js';
import { decodeJobMessage } from '../../lib/job-message.js';
import { hostileApiBody, hostileMessageBody } from '../support/hostile.js';

const note = defineJob({ kind: 'note.write', schema: z.object({ text: z.string().max(50) }), maxPayloadBytes: 2048 });
const echo = defineJob({ kind: 'test.echo', schema: z.object({ value: z.string() }) });

describe('hostile input to the enqueue API (property: 600 generated bodies)', () => {
  it('answers every body with a 2xx or a 4xx that says what is wrong, and writes a record only for a 202', async () => {
    const queue = createTestQueue({ jobs: [note] });
    const statuses = new Map<number, number>();
    await fc.assert(fc.asyncProperty(hostileApiBody([note.kind]), async (body) => {
      const writes = queue.store.writes.length;
      const response = await handleApiRequest({ method: 'POST', path: '/jobs', body, principal: { id: 'arn:aws:iam::1:user/mallory' } }, queue.client, { kinds: [note] });
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      expect(response.statusCode).toBeLessThan(500);
      if (response.statusCode === 202) {
        const { id } = response.body as { id: string };
        expect(note.schema.safeParse(JSON.parse(body).payload).success).toBe(true);
        expect(await queue.store.get(id)).toMatchObject({ kind: note.kind, createdBy: 'arn:aws:iam::1:user/mallory' });
      } else {
        expect(response.statusCode).toBeGreaterThanOrEqual(400);
        expect((response.body as { error: { code: string; message: string } }).error.message.length).toBeGreaterThan(0);
        expect(queue.store.writes.length).toBe(writes);
      }
    }), { numRuns: 600 });
    // The generator reaches the refusals it should: bad JSON, bad requests, unknown kinds, bad payloads, bad options.
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([400, 422]));
  }, 120_000);
});

describe('hostile messages on a lane\'s queue (property: 500 generated bodies)', () => {
  it('never throws; a body that is not a valid job ends in the DLQ with a reason (and its record failed, when it had one), a valid one runs', async () => {
    const queue = createTestQueue({ jobs: [defineHandler(echo, async ({ value }) => ({ echoed: value.length }))] });
    await fc.assert(fc.asyncProperty(hostileMessageBody([echo.kind]), async (body) => {
      const before = queue.transport.deadLetters.length;
      const decoded = decodeJobMessage(body);
      const existing = decoded.ok ? await queue.store.get(decoded.message.id) : undefined;
      const delivery = await queue.deliverBody(body);
      const dead = queue.transport.deadLetters.slice(before);
      if (existing) {
        // A forged id of a job that already ran: a duplicate delivery, dropped; the job is untouched.
        expect(dead).toEqual([]);
        expect(delivery.record).toEqual(existing);
        return;
      }
      const valid = decoded.ok && decoded.message.kind === echo.kind && echo.schema.safeParse(decoded.message.payload).success;
      if (valid) {
        expect(delivery.record?.status).toBe('succeeded');
        return;
      }
      expect(dead).toHaveLength(1);
      expect(dead[0]!.body).toBe(body);
      expect(dead[0]!.note.error.length).toBeGreaterThan(0);
      if (delivery.record) expect(delivery.record).toMatchObject({ status: 'failed', lastError: { permanent: true } });
    }), { numRuns: 500 });
  }, 120_000);
});

describe('deeply nested JSON', () => {
  it('is measured without recursion, strings and escapes skipped', async () => {
    const { nestsDeeperThan } = await import('../../lib/json-depth.js');
    expect(nestsDeeperThan('{"a":[1,{"b":2}]}', 3)).toBe(false);
    expect(nestsDeeperThan('{"a":[1,{"b":[2]}]}', 3)).toBe(true);
    expect(nestsDeeperThan('{"a":"[[[[{{{{\\"[[[["}', 1)).toBe(false);
    expect(nestsDeeperThan(`${'['.repeat(200_000)}${']'.repeat(200_000)}`)).toBe(true);
    // More brackets than the limit, none deep: the count alone cannot answer, the scan does.
    expect(nestsDeeperThan(`[${Array.from({ length: 300 }, () => '{"a":[]}').join(',')}]`)).toBe(false);
    expect(nestsDeeperThan(`[${Array.from({ length: 300 }, () => '{"a":[]}').join(',')},${'['.repeat(100)}${']'.repeat(100)}]`)).toBe(true);
  });

  it('is refused by the API (400) and dead-lettered by the worker with the reason, where parsing it whole would overflow the stack', async () => {
    const queue = createTestQueue({ jobs: [defineHandler(echo, async () => ({}))] });
    // 100,000 levels in 200 KB: under the request size limit.
    const deep = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
    const response = await handleApiRequest({ method: 'POST', path: '/jobs', body: `{"kind":"test.echo","payload":${deep}}`, principal: { id: 'p' } }, queue.client, { kinds: [echo] });
    expect(response).toMatchObject({ statusCode: 400, body: { error: { code: 'invalid_json', message: 'request body nests deeper than 100 levels of objects and arrays' } } });
    const body = `{"v":1,"id":"01M80VT4N002GN3JWN515DN8JQ","kind":"test.echo","payload":${deep}}`;
    expect((await queue.deliverBody(body)).disposition).toBe('ack');
    expect(queue.transport.deadLetters.map((d) => d.note.error)).toEqual(['message body nests deeper than 100 levels (objects and arrays)']);
    await expect(queue.client.enqueue(echo, { value: 'x', extra: JSON.parse(`${'['.repeat(101)}${']'.repeat(101)}`) } as never)).rejects.toThrow('nests deeper than 100 levels');
  });
});
