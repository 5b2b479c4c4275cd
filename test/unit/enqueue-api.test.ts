import { memoryBackends } from '../../lib/testing/memory-backends.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ApiPrincipal } from '../../lib/api/api-access.js';
import { handleApiRequest, MAX_REQUEST_BYTES } from '../../lib/api/enqueue-api.js';
import { JobClient } from '../../lib/client/job-client.js';
import { defineJob } from '../../lib/job-definition.js';
import { MemoryJobStore } from '../../lib/testing/memory-job-store.js';
import { testConfig } from '../../lib/testing/test-config.js';
import { attemptOf, succeeded } from '../../lib/store/attempt-outcome.js';
import type { JobRecord } from '../../lib/job-record.js';

const note = defineJob({ kind: 'note.write', schema: z.object({ text: z.string() }), maxPayloadBytes: 100 });
/** A child kind: the app's own code spawns it; callers never may. */
const part = defineJob({ kind: 'note.part', schema: z.object({ text: z.string() }) });
const config = testConfig();
let store: MemoryJobStore;
let client: JobClient;

const access = { kinds: [note] };
const post = (body: string) => handleApiRequest({ method: 'POST', path: '/jobs', body, principal: { id: 'arn:aws:iam::1:user/ada' } }, client, access);
const errorCode = (response: { body: unknown }) => (response.body as { error: { code: string } }).error.code;

beforeEach(() => {
  store = new MemoryJobStore();
  client = new JobClient({ jobs: [note, part], config, backends: { ...memoryBackends(), store } });
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
    expect(await handleApiRequest({ method: 'GET', path: `/jobs/${id}`, body: undefined }, client, access)).toMatchObject({ statusCode: 200, body: { id, kind: 'note.write' } });
    expect(errorCode(await handleApiRequest({ method: 'GET', path: '/jobs/abc', body: undefined }, client, access))).toBe('invalid_id');
    // A malformed %-escape is a bad id, not a thrown URIError (which the handler would answer with a 500).
    for (const [method, path] of [['GET', '/jobs/%E0%A4%A'], ['POST', '/jobs/%E0%A4%A/cancel'], ['GET', '/jobs/%']]) {
      expect(await handleApiRequest({ method: method!, path: path!, body: undefined }, client, access)).toMatchObject({ statusCode: 400, body: { error: { code: 'invalid_id' } } });
    }
    expect(errorCode(await handleApiRequest({ method: 'GET', path: `/jobs/${id.slice(0, 25)}${id.endsWith('0') ? '1' : '0'}`, body: undefined }, client, access))).toBe('job_not_found');
    expect((await handleApiRequest({ method: 'DELETE', path: '/jobs', body: undefined }, client, access)).statusCode).toBe(405);
    expect((await handleApiRequest({ method: 'GET', path: '/other', body: undefined }, client, access)).statusCode).toBe(404);
  });

  it('answers GET /jobs/{id}/result: 202 while pending, 200 with the result, 404 unknown, 400 for a bad wait', async () => {
    const { id } = (await post(JSON.stringify({ kind: 'note.write', payload: { text: 'hi' } }))).body as { id: string };
    const result = (path: string, query?: Record<string, string>) => handleApiRequest({ method: 'GET', path, query, body: undefined }, client, access);
    expect(await result(`/jobs/${id}/result`)).toMatchObject({ statusCode: 202, body: { id, state: 'pending', status: 'queued', reason: 'queued' } });
    const claimed = await store.claim({ id, kind: 'note.write', lane: 'default', maxAttempts: 3, payloadBytes: 13, now: new Date(), leaseUntil: new Date(Date.now() + 60_000) });
    expect(claimed.outcome).toBe('claimed');
    const record = (claimed as { record: JobRecord }).record;
    await store.recordOutcome(attemptOf(record), succeeded(record, { now: new Date(), durationMs: 1, result: { words: 1 }, retentionSeconds: 60 }));
    expect(await result(`/jobs/${id}/result`, { waitSeconds: '2' })).toMatchObject({ statusCode: 200, body: { id, state: 'succeeded', kind: 'note.write', result: { words: 1 } } });
    const unknown = `${id.slice(0, 25)}${id.endsWith('0') ? '1' : '0'}`;
    expect(errorCode(await result(`/jobs/${unknown}/result`))).toBe('job_not_found');
    expect(errorCode(await result('/jobs/abc/result'))).toBe('invalid_id');
    for (const waitSeconds of ['21', '-1', 'soon', '1e3', '']) {
      expect(await result(`/jobs/${id}/result`, { waitSeconds })).toMatchObject({ statusCode: 400, body: { error: { code: 'invalid_wait' } } });
    }
    expect((await handleApiRequest({ method: 'POST', path: `/jobs/${id}/result`, body: undefined }, client, access)).statusCode).toBe(405);
  });
});

describe('createEnqueueApi', () => {
  it('records who called, whichever authorizer let them in: IAM, a JWT (its sub) or a Lambda authorizer (its principalId)', async () => {
    const { createEnqueueApi } = await import('../../lib/api/enqueue-api.js');
    const handler = createEnqueueApi(client, access);
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

describe('who may do what through the enqueue API', () => {
  const ada = { id: 'jwt:ada', claims: { sub: 'ada', email: 'ada@example.com' } };
  const eve = { id: 'jwt:eve', claims: { sub: 'eve' } };
  const as = (principal: ApiPrincipal | undefined, method: string, path: string, body?: unknown, rules: Parameters<typeof handleApiRequest>[2] = access) =>
    handleApiRequest({ method, path, body: body === undefined ? undefined : JSON.stringify(body), principal }, client, rules);

  it('answers 403 with its reason for a known kind the app does not list, and never names unlisted kinds to a caller', async () => {
    const refused = await as(ada, 'POST', '/jobs', { kind: 'note.part', payload: { text: 'x' } });
    expect(refused).toEqual({ statusCode: 403, body: { error: { code: 'kind_not_enqueueable', message: 'kind "note.part" cannot be enqueued over this API: the app does not list it in createEnqueueApi\'s kinds' } } });
    const unknown = await as(ada, 'POST', '/jobs', { kind: 'nope', payload: {} });
    expect(unknown).toMatchObject({ statusCode: 400, body: { error: { code: 'unknown_kind', details: { knownKinds: ['note.write'] } } } });
    expect(JSON.stringify(unknown.body)).not.toContain('note.part');
    // Nothing listed: nothing enqueueable.
    expect((await as(ada, 'POST', '/jobs', { kind: 'note.write', payload: { text: 'x' } }, { kinds: [] })).statusCode).toBe(403);
    expect(store.writes).toEqual([]);
  });

  it('asks the authorize hook with the parsed payload and the principal, and writes nothing when it refuses', async () => {
    const calls: unknown[] = [];
    const rules = { kinds: [note], authorize: (call: unknown) => { calls.push(call); return (call as { principal: ApiPrincipal }).principal.id === 'jwt:ada' || 'only ada writes notes'; } };
    expect(await as(eve, 'POST', '/jobs', { kind: 'note.write', payload: { text: 'hi' } }, rules)).toEqual({ statusCode: 403, body: { error: { code: 'forbidden', message: 'only ada writes notes' } } });
    expect(store.writes).toEqual([]);
    expect(calls).toEqual([{ action: 'enqueue', principal: eve, kind: 'note.write', payload: { text: 'hi' } }]);
    expect((await as(ada, 'POST', '/jobs', { kind: 'note.write', payload: { text: 'hi' } }, rules)).statusCode).toBe(202);
    // A hook that answers false (or anything but true) refuses, with a reason of jobline's.
    const no = await as(ada, 'POST', '/jobs', { kind: 'note.write', payload: { text: 'hi' } }, { kinds: [note], authorize: () => false });
    expect(no).toEqual({ statusCode: 403, body: { error: { code: 'forbidden', message: 'the app does not allow this enqueue of a note.write job' } } });
    // The schema runs first: the hook never sees a payload the kind would refuse.
    expect((await as(eve, 'POST', '/jobs', { kind: 'note.write', payload: { text: 1 } }, rules)).statusCode).toBe(422);
    expect(calls).toHaveLength(2);
  });

  it('keeps GET and cancel to the job\'s creator under ownJobsOnly (404 to anyone else), and lets the hook refuse them', async () => {
    const own = { kinds: [note], ownJobsOnly: true };
    const { id } = (await as(ada, 'POST', '/jobs', { kind: 'note.write', payload: { text: 'mine' } }, own)).body as { id: string };
    expect((await as(eve, 'GET', `/jobs/${id}`, undefined, own)).statusCode).toBe(404);
    expect((await as(undefined, 'GET', `/jobs/${id}`, undefined, own)).statusCode).toBe(404);
    expect((await as(eve, 'POST', `/jobs/${id}/cancel`, undefined, own)).statusCode).toBe(404);
    expect((await store.get(id))?.status).toBe('queued');
    expect((await as(ada, 'GET', `/jobs/${id}`, undefined, own)).statusCode).toBe(200);
    // Without ownJobsOnly anyone the gateway let in reaches it, unless the hook says no.
    expect((await as(eve, 'GET', `/jobs/${id}`)).statusCode).toBe(200);
    const noCancels = { kinds: [note], authorize: ({ action }: { action: string }) => action !== 'cancel' || 'cancels go through support' };
    expect(await as(eve, 'POST', `/jobs/${id}/cancel`, undefined, noCancels)).toEqual({ statusCode: 403, body: { error: { code: 'forbidden', message: 'cancels go through support' } } });
    expect((await store.get(id))?.status).toBe('queued');
    expect((await as(ada, 'POST', `/jobs/${id}/cancel`, undefined, own)).statusCode).toBe(200);
  });

  it('refuses to start without the access rules (a JavaScript caller that left them out)', async () => {
    const { createEnqueueApi } = await import('../../lib/api/enqueue-api.js');
    expect(() => (createEnqueueApi as (c: unknown) => unknown)(client)).toThrow(/createEnqueueApi needs what callers may do/);
  });
});

describe('the reference app\'s rule: a report goes to the caller\'s own verified address', () => {
  it('allows a JWT caller whose verified email is requestedBy, refuses anyone else and every IAM signer', async () => {
    const { authorizeReference } = await import('../../functions/api-access.js');
    const payload = { type: 'signups', from: '2026-01-01', to: '2026-01-02', format: 'csv', filters: {}, requestedBy: 'ada@example.com' };
    const call = (claims?: Record<string, unknown>) => authorizeReference({ action: 'enqueue', kind: 'report.generate', payload, principal: { id: 'x', claims } });
    expect(call({ email: 'Ada@example.com', email_verified: 'true' })).toBe(true);
    expect(call({ email: 'ada@example.com', email_verified: 'false' })).toMatch(/own verified email/);
    expect(call({ email: 'mallory@evil.example', email_verified: 'true' })).toBe('requestedBy must be your own address (mallory@evil.example)');
    expect(call(undefined)).toMatch(/this caller has none/);
    expect(authorizeReference({ action: 'enqueue', kind: 'email.send', payload: {}, principal: undefined })).toBe(true);
  });
});
