import { memoryBackends } from '../../lib/testing/memory-backends.js';
import { describe, expect, it } from 'vitest';
import { JobInspector } from '../../lib/inspector/job-inspector.js';
import { newJobId } from '../../lib/job-id.js';
import { MemoryJobStore } from '../../lib/testing/memory-job-store.js';
import { testConfig } from '../../lib/testing/test-config.js';
import { groupsOfClaim, roleOf, type DashboardRole } from '../../web/dashboard-access.js';
import { handleDashboardApi } from '../../web/dashboard-api.js';

const store = new MemoryJobStore();
const inspector = new JobInspector({ config: testConfig(), backends: { ...memoryBackends(), store } });
const call = (method: string, path: string, query = '', role: DashboardRole = 'operator') => handleDashboardApi(inspector, { method, path, query: new URLSearchParams(query), role });

describe('the dashboard API', () => {
  it('lists, shows and cancels jobs', async () => {
    const id = newJobId(4);
    await store.insert([{ id, kind: 'k', lane: 'default', status: 'queued', maxAttempts: 1, payloadBytes: 2, createdAt: new Date() }]);
    expect(await call('GET', `/jobs/${id}`)).toMatchObject({ status: 200, body: { id, status: 'queued' } });
    expect(await call('POST', `/jobs/${id}/cancel`)).toEqual({ status: 200, body: { id, ok: true } });
    expect(await call('POST', `/jobs/${id}/cancel`)).toMatchObject({ status: 409, body: { ok: false, error: expect.stringContaining('is cancelled') } });
    expect(await call('GET', '/jobs', 'status=cancelled')).toMatchObject({ status: 200, body: { jobs: [{ id }] } });
    expect(await call('GET', '/counts')).toMatchObject({ status: 200, body: { lanes: { default: { cancelled: 1 } } } });
    // Its message has not reached a worker: discarding the record would let that message run it.
    expect(await call('POST', `/jobs/${id}/discard`)).toMatchObject({ status: 409, body: { ok: false, error: expect.stringContaining('its message has not reached a worker yet') } });
    await store.keepCancelledPayload(id, '{}', new Date());
    expect(await call('POST', `/jobs/${id}/discard`)).toEqual({ status: 200, body: { id, ok: true } });
  });

  it('answers bad input with 400 or 404 and a reason', async () => {
    expect(await call('GET', '/jobs', 'status=done')).toMatchObject({ status: 400, body: { error: expect.stringContaining('status must be one of') } });
    expect(await call('GET', '/jobs/not-an-id')).toEqual({ status: 400, body: { error: '"not-an-id" is not a job id' } });
    expect(await call('GET', `/jobs/${newJobId(4)}`)).toMatchObject({ status: 404 });
    expect(await call('POST', '/lanes/nope/pause')).toEqual({ status: 404, body: { error: 'no lane "nope"; lanes: default' } });
    expect(await call('DELETE', '/jobs')).toEqual({ status: 404, body: { error: 'no route DELETE /api/jobs' } });
  });

  // Every one of these once reached DynamoDB, decodeURIComponent or an object's prototype, and came back a 500 with internal text.
  it.each([
    ['GET', '/jobs', 'before=000', 400, 'before must be a job id'],
    ['GET', '/jobs', 'parent=x\'"', 400, 'parent must be a job id'],
    ['GET', '/jobs', `kind=${'k'.repeat(65)}`, 400, 'kind must be 1–64 letters'],
    ['GET', '/jobs', 'kind=a%20b', 400, 'kind must be 1–64 letters'],
    ['GET', '/jobs', 'tag=a%20b', 400, 'tag must be 1–64 letters'],
    ['GET', '/jobs/%E0%A4%A', '', 400, 'has a malformed %-escape'],
    ['POST', '/lanes/%E0%A4%A/pause', '', 400, 'has a malformed %-escape'],
    ['POST', '/lanes/constructor/pause', '', 404, 'no lane "constructor"; lanes: default'],
    ['POST', '/lanes/__proto__/resume', '', 404, 'no lane "__proto__"; lanes: default'],
    ['POST', '/lanes/toString/redrive', '', 404, 'no lane "toString"; lanes: default'],
  ])('%s %s?%s answers %i with a plain reason', async (method, path, query, status, reason) => {
    const answer = await call(method, path, query);
    expect(answer.status).toBe(status);
    expect((answer.body as { error: string }).error).toContain(reason);
  });

  it('prices each kind from the traffic source (GET /kinds), or says why a config cannot', async () => {
    expect(await call('GET', '/kinds')).toEqual({ status: 200, body: { kinds: [], unavailable: expect.stringContaining('this config cannot price its kinds') } });
    const traffic = { describe: 'test traffic', traffic: async () => new Map([['k', { succeeded: 10, retried: 0, failed: 0, waited: 0, delayedByLimit: 0, durationMs: 0 }]]) };
    const priced = new JobInspector({ config: { ...testConfig(), cost: { queueName: 'q', workerLogGroup: 'g', workerMemoryMb: 1024, kinds: { k: { lane: 'default', tracking: 'full' } } } }, backends: { ...memoryBackends(), store }, traffic });
    const answer = await handleDashboardApi(priced, { method: 'GET', path: '/kinds', query: new URLSearchParams(), role: 'viewer' });
    expect(answer).toMatchObject({ status: 200, body: { source: 'test traffic', kinds: [{ kind: 'k', lane: 'default', tracking: 'full', jobsPerDay: 10 }] } });
  });

  it('lists the most recent jobs of every status when no status is given', async () => {
    const id = newJobId(4);
    await store.insert([{ id, kind: 'recent', lane: 'default', status: 'scheduled', maxAttempts: 1, payloadBytes: 2, createdAt: new Date() }]);
    expect(await call('GET', '/jobs', 'kind=recent')).toMatchObject({ status: 200, body: { jobs: [{ id, status: 'scheduled' }] } });
  });

  it('shows a job with the actions its state allows and why it has no result, and runs bulk actions (a dry run first; a viewer may not)', async () => {
    const id = newJobId(4);
    await store.insert([{ id, kind: 'bulky', lane: 'default', status: 'queued', maxAttempts: 1, payloadBytes: 2, createdAt: new Date() }]);
    expect(await call('GET', `/jobs/${id}`)).toMatchObject({ status: 200, body: { actions: ['cancel'], resultNote: 'no result yet: queued' } });
    expect(await call('POST', '/bulk', 'action=cancel&kind=bulky&dryRun=1')).toMatchObject({ status: 200, body: { dryRun: true, selected: 1, done: 0, sample: [{ id }] } });
    expect((await store.get(id))?.status).toBe('queued');
    expect(await call('POST', '/bulk', 'action=cancel&kind=bulky', 'viewer')).toMatchObject({ status: 403 });
    expect(await call('POST', '/bulk', 'action=cancel&kind=bulky')).toMatchObject({ status: 200, body: { selected: 1, done: 1, complete: true } });
    expect(await call('GET', `/jobs/${id}`)).toMatchObject({ body: { status: 'cancelled', actions: ['retry', 'discard'], resultNote: 'cancelled: cancelled by an operator' } });
    expect(await call('POST', '/bulk', 'action=explode')).toMatchObject({ status: 400 });
    expect(await call('POST', '/bulk', 'action=retry&status=running')).toMatchObject({ status: 400, body: { error: 'a bulk retry acts on failed or cancelled jobs, not running ones' } });
    expect(await call('POST', '/bulk/NOPE/resume')).toMatchObject({ status: 404 });
  });

  it('lists the jobs carrying a tag', async () => {
    const id = newJobId(4);
    await store.insert([{ id, kind: 'tagged', lane: 'default', status: 'queued', maxAttempts: 1, payloadBytes: 2, createdAt: new Date(), tags: { names: ['customer:42'], expiresAt: new Date(Date.now() + 60_000) } }]);
    await store.insert([{ id: newJobId(4), kind: 'tagged', lane: 'default', status: 'queued', maxAttempts: 1, payloadBytes: 2, createdAt: new Date() }]);
    expect(await call('GET', '/jobs', 'tag=customer:42')).toEqual({ status: 200, body: { jobs: [expect.objectContaining({ id, tags: ['customer:42'] })] } });
  });
});

describe('who may do what on the dashboard', () => {
  const groups = { operators: 'ops', viewers: 'read' };

  it('reads the groups claim as API Gateway hands it on (brackets) and as an array', () => {
    expect(groupsOfClaim('[ops read]')).toEqual(['ops', 'read']);
    expect(groupsOfClaim('[ops]')).toEqual(['ops']);
    expect(groupsOfClaim(['ops', 'read'])).toEqual(['ops', 'read']);
    expect(groupsOfClaim(undefined)).toEqual([]);
    expect(groupsOfClaim(42)).toEqual([]);
  });

  it('makes an operator of the operators group, a viewer of the viewers group, and nobody of anyone else', () => {
    expect(roleOf({ 'cognito:groups': '[read ops]' }, groups)).toBe('operator');
    expect(roleOf({ 'cognito:groups': '[read]' }, groups)).toBe('viewer');
    // A group whose name only contains the operators group's is not it.
    expect(roleOf({ 'cognito:groups': '[ops-x xops]' }, groups)).toBeUndefined();
    expect(roleOf({ sub: 'x' }, groups)).toBeUndefined();
  });

  it('lets a viewer read every view but refuses every action with 403, and tells the page its role', async () => {
    const id = newJobId(4);
    await store.insert([{ id, kind: 'k', lane: 'default', status: 'queued', maxAttempts: 1, payloadBytes: 2, createdAt: new Date() }]);
    expect(await call('GET', '/me', '', 'viewer')).toEqual({ status: 200, body: { role: 'viewer', actionStatuses: { retry: ['failed', 'cancelled'], cancel: ['scheduled', 'queued', 'retrying'], discard: ['failed', 'cancelled'] } } });
    expect(await call('GET', '/me', '', 'operator')).toMatchObject({ status: 200, body: { role: 'operator' } });
    expect((await call('GET', `/jobs/${id}`, '', 'viewer')).status).toBe(200);
    expect((await call('GET', '/jobs', 'status=queued', 'viewer')).status).toBe(200);
    for (const path of [`/jobs/${id}/retry`, `/jobs/${id}/cancel`, `/jobs/${id}/discard`, '/lanes/default/redrive', '/lanes/default/pause', '/lanes/default/resume']) {
      expect(await call('POST', path, '', 'viewer')).toEqual({ status: 403, body: { error: `only an operator may POST /api${path}; you may view` } });
    }
    expect((await store.get(id))?.status).toBe('queued');
  });
});
