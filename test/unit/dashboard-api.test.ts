import { describe, expect, it } from 'vitest';
import { JobInspector } from '../../lib/inspector/job-inspector.js';
import { newJobId } from '../../lib/job-id.js';
import { MemoryJobStore } from '../../lib/testing/memory-job-store.js';
import { MemoryScheduler } from '../../lib/testing/memory-scheduler.js';
import { MemoryTransport } from '../../lib/testing/memory-transport.js';
import { testConfig } from '../../lib/testing/test-config.js';
import { handleDashboardApi } from '../../web/dashboard-api.js';

const store = new MemoryJobStore();
const inspector = new JobInspector({ config: testConfig(), store, transport: new MemoryTransport(), scheduler: new MemoryScheduler() });
const call = (method: string, path: string, query = '') => handleDashboardApi(inspector, { method, path, query: new URLSearchParams(query) });

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
});
