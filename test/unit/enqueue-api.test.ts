import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { handleApiRequest, MAX_REQUEST_BYTES } from '../../lib/api/enqueue-api.js';
import { JobClient } from '../../lib/client/job-client.js';
import { defineJob } from '../../lib/job-definition.js';
import { MemoryJobStore } from '../../lib/testing/memory-job-store.js';
import { MemoryTransport } from '../../lib/testing/memory-transport.js';
import { testConfig } from '../../lib/testing/test-config.js';

const note = defineJob({ kind: 'note.write', schema: z.object({ text: z.string() }), maxPayloadBytes: 100 });
const config = testConfig();
let store: MemoryJobStore;
let client: JobClient;

const post = (body: string) => handleApiRequest({ method: 'POST', path: '/jobs', body, principal: 'arn:aws:iam::1:user/ada' }, client);
const errorCode = (response: { body: unknown }) => (response.body as { error: { code: string } }).error.code;

beforeEach(() => {
  store = new MemoryJobStore();
  client = new JobClient({ jobs: [note], config, store, transport: new MemoryTransport() });
});

describe('enqueue API', () => {
  it('accepts a job with 202 and records who sent it', async () => {
    const response = await post(JSON.stringify({ kind: 'note.write', payload: { text: 'hi' } }));
    expect(response.statusCode).toBe(202);
    const { id } = response.body as { id: string };
    expect(await store.get(id)).toMatchObject({ status: 'queued', createdBy: 'arn:aws:iam::1:user/ada' });
  });

  it.each([
    ['{not json', 400, 'invalid_json'],
    [JSON.stringify({ payload: {} }), 400, 'invalid_request'],
    [JSON.stringify({ kind: 'note.write', payload: {}, extra: 1 }), 400, 'invalid_request'],
    [JSON.stringify({ kind: 'note.write' }), 400, 'invalid_request'],
    [JSON.stringify({ kind: 'nope', payload: {} }), 400, 'unknown_kind'],
    [JSON.stringify({ kind: 'note.write', payload: { text: 1 } }), 422, 'invalid_payload'],
    [JSON.stringify({ kind: 'note.write', payload: { text: 'x'.repeat(101) } }), 413, 'payload_too_large'],
    [JSON.stringify({ kind: 'note.write', payload: { text: 'x' }, options: { delaySeconds: 1.5 } }), 400, 'invalid_options'],
    [JSON.stringify({ kind: 'note.write', payload: { text: 'x' }, options: { runAt: 'tomorrow' } }), 400, 'invalid_options'],
    ['x'.repeat(MAX_REQUEST_BYTES + 1), 413, 'request_too_large'],
  ])('rejects %#: %s… with %i %s and writes nothing', async (body, status, code) => {
    const response = await post(body);
    expect(response.statusCode).toBe(status);
    expect(errorCode(response)).toBe(code);
    expect(store.writes).toEqual([]);
  });

  it('returns a record, and clear errors for bad or unknown ids and routes', async () => {
    const { id } = (await post(JSON.stringify({ kind: 'note.write', payload: { text: 'hi' } }))).body as { id: string };
    expect(await handleApiRequest({ method: 'GET', path: `/jobs/${id}`, body: undefined }, client)).toMatchObject({ statusCode: 200, body: { id, kind: 'note.write' } });
    expect(errorCode(await handleApiRequest({ method: 'GET', path: '/jobs/abc', body: undefined }, client))).toBe('invalid_id');
    // A malformed %-escape is a bad id, not a thrown URIError (which the handler would answer with a 500).
    for (const [method, path] of [['GET', '/jobs/%E0%A4%A'], ['POST', '/jobs/%E0%A4%A/cancel'], ['GET', '/jobs/%']]) {
      expect(await handleApiRequest({ method: method!, path: path!, body: undefined }, client)).toMatchObject({ statusCode: 400, body: { error: { code: 'invalid_id' } } });
    }
    expect(errorCode(await handleApiRequest({ method: 'GET', path: `/jobs/${id.slice(0, 25)}${id.endsWith('0') ? '1' : '0'}`, body: undefined }, client))).toBe('job_not_found');
    expect((await handleApiRequest({ method: 'DELETE', path: '/jobs', body: undefined }, client)).statusCode).toBe(405);
    expect((await handleApiRequest({ method: 'GET', path: '/other', body: undefined }, client)).statusCode).toBe(404);
  });
});

describe('createEnqueueApi', () => {
  it('records who called, whichever authorizer let them in: IAM, a JWT (its sub) or a Lambda authorizer (its principalId)', async () => {
    const { createEnqueueApi } = await import('../../lib/api/enqueue-api.js');
    const handler = createEnqueueApi(client);
    const call = (authorizer: unknown) => handler({
      rawPath: '/jobs', body: JSON.stringify({ kind: 'note.write', payload: { text: 'hi' } }), isBase64Encoded: false,
      requestContext: { http: { method: 'POST' }, requestId: 'r', authorizer },
    } as never) as Promise<{ statusCode: number; body: string }>;
    const createdBy = async (authorizer: unknown) => (await store.get(JSON.parse((await call(authorizer)).body).id))?.createdBy;
    expect(await createdBy({ iam: { userArn: 'arn:aws:iam::1:user/ada' } })).toBe('arn:aws:iam::1:user/ada');
    expect(await createdBy({ jwt: { claims: { sub: 'user-42' } } })).toBe('jwt:user-42');
    expect(await createdBy({ lambda: { principalId: 'partner-7' } })).toBe('lambda:partner-7');
  });
});
