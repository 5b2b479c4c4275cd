import { describe, expect, it } from 'vitest';
import { attribute, client, findDeadLetter, handlerRuns, waitForStatus } from './support/deployed.js';
import { waitFor } from './support/wait.js';

describe('heartbeats, leases and deadlines on the deployed stack', () => {
  it('keeps a heartbeating job alive past its 3 s lease, with its progress queryable while it runs', async () => {
    const job = await client.enqueue('test.heartbeat', { beats: 6, intervalMs: 1000 });
    const midway = await waitFor('progress to be reported', async () => {
      const record = await client.get(job.id);
      return record?.status === 'running' && ((record.progress as { done?: number } | undefined)?.done ?? 0) >= 2 ? record : undefined;
    });
    expect(midway.progress).toMatchObject({ total: 6 });
    const done = await waitForStatus(job.id, 'succeeded');
    expect(done.durationMs).toBeGreaterThan(5000);
    expect(done).toMatchObject({ attempt: 1, progress: { done: 6, total: 6 } });
    expect(await handlerRuns(job.id)).toBe(1);
  });

  it('takes a job over from a worker that stops heartbeating, within its lease instead of the visibility timeout', async () => {
    const job = await client.enqueue('test.heartbeat', { beats: 3, intervalMs: 200, stallAfterBeats: 1 });
    const done = await waitForStatus(job.id, 'succeeded');
    expect(done.attempt).toBe(2);
    expect(await handlerRuns(job.id)).toBe(2);
    // The lease is 3 s; the queue's visibility timeout 20 s, counted from a receive after the job was created.
    expect(Date.parse(done.startedAt!) - Date.parse(done.createdAt)).toBeLessThan(15_000);
  });

  it('fails a stalled job with no attempts left, saying the worker stopped responding', async () => {
    const job = await client.enqueue('test.heartbeat-once', { beats: 3, intervalMs: 200, stallAfterBeats: 1 });
    const failed = await waitForStatus(job.id, 'failed');
    expect(failed.lastError).toMatchObject({ class: 'LeaseExpired', message: expect.stringContaining('worker stopped responding'), attempt: 1 });
    const dead = await findDeadLetter(job.id);
    expect(attribute(dead, 'jobline.error-class')).toBe('LeaseExpired');
    expect(await handlerRuns(job.id)).toBe(1);
  });

  it('times out a handler that hangs past its timeout, records the timeout, and retries it to success', async () => {
    const job = await client.enqueue('test.hang', { hangOnAttempts: 1 });
    const done = await waitForStatus(job.id, 'succeeded');
    expect(done.attempt).toBe(2);
    expect(done.errors).toEqual([expect.objectContaining({ attempt: 1, class: 'JobTimeoutError', timeout: true, message: 'attempt timed out after 2000 ms' })]);
    expect(await handlerRuns(job.id)).toBe(2);
  });
});
