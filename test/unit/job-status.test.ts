import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from 'jobline';
import { MemoryJobStore } from 'jobline/testing';
import { defineHandler } from 'jobline/worker';
import { createTestQueue } from '../../lib/testing/test-queue.js';
import { encodeJobMessage } from '../../lib/job-message.js';
import { IllegalTransitionError } from '../../lib/errors.js';
import { newJobId } from '../../lib/job-id.js';
import {
  assertTransition, CANCELLABLE_STATUSES, CLAIMABLE_STATUSES, DISCARDABLE_STATUSES, JOB_STATUSES, JOB_TRANSITIONS, PARENT_FINISHABLE_STATUSES, RETRYABLE_STATUSES,
} from '../../lib/job-status.js';
import { processMessage } from '../../lib/worker/process-message.js';
import { statusIn } from '../../lib/store/dynamo/status-condition.js';
import { attemptOf } from '../../lib/store/attempt-outcome.js';

describe('the transition table', () => {
  it('derives the named status sets from the table', () => {
    expect(CLAIMABLE_STATUSES).toEqual(['scheduled', 'queued', 'retrying']);
    expect(CANCELLABLE_STATUSES).toEqual(['scheduled', 'queued', 'retrying']);
    expect(RETRYABLE_STATUSES).toEqual(['failed', 'cancelled']);
    expect(DISCARDABLE_STATUSES).toEqual(['failed', 'cancelled']);
    expect(PARENT_FINISHABLE_STATUSES).toEqual(['running', 'waiting']);
    expect(Object.keys(JOB_TRANSITIONS).sort()).toEqual([...JOB_STATUSES].sort());
  });

  it('allows exactly the listed moves, first writes included, and names the allowed ones when it refuses', () => {
    for (const from of JOB_STATUSES) for (const to of JOB_STATUSES) {
      const check = () => assertTransition('j', from, to, 'test');
      if (from === to || JOB_TRANSITIONS[from].includes(to)) expect(check).not.toThrow();
      else expect(check).toThrow(IllegalTransitionError);
    }
    expect(() => assertTransition('j', undefined, 'running', 'claim')).not.toThrow();
    expect(() => assertTransition('j', undefined, 'succeeded', 'insert')).toThrow('insert cannot move job j from (no record) to succeeded');
    expect(() => assertTransition('j', 'waiting', 'cancelled', 'cancel')).toThrow('cancel cannot move job j from waiting to cancelled: waiting moves only to succeeded, failed');
  });

  it('builds DynamoDB status conditions from the sets', () => {
    expect(statusIn(CANCELLABLE_STATUSES)).toEqual({
      expression: '#status IN (:st_scheduled, :st_queued, :st_retrying)',
      values: { ':st_scheduled': 'scheduled', ':st_queued': 'queued', ':st_retrying': 'retrying' },
    });
    expect(statusIn(['cancelled'])).toEqual({ expression: '#status = :st_cancelled', values: { ':st_cancelled': 'cancelled' } });
    expect(() => statusIn([])).toThrow(RangeError);
  });
});

describe('the in-memory store enforces the table', () => {
  it('throws on an illegal transition instead of writing it', async () => {
    const store = new MemoryJobStore();
    const now = new Date();
    await expect(store.insert([{ id: 'a', kind: 'k', lane: 'default', status: 'succeeded' as never, maxAttempts: 1, payloadBytes: 1, createdAt: now }])).rejects.toThrow(IllegalTransitionError);
    expect(await store.get('a')).toBeUndefined();
    await store.insert([{ id: 'b', kind: 'k', lane: 'default', status: 'queued', maxAttempts: 1, payloadBytes: 1, createdAt: now }]);
    await store.claim({ id: 'b', kind: 'k', lane: 'default', maxAttempts: 1, payloadBytes: 1, now, leaseUntil: new Date(now.getTime() + 60_000) });
    await expect(store.recordOutcome(attemptOf((await store.get('b'))!), { status: 'cancelled', now } as never)).rejects.toThrow('recordOutcome(cancelled) cannot move job b from running to cancelled');
    expect((await store.get('b'))?.status).toBe('running');
  });
});

describe('errors no retry can fix', () => {
  it('fails a job whose ctx.then names a kind on a lane the stack does not have, at once', async () => {
    const elsewhere = defineJob({ kind: 'report.mail', schema: z.object({}), lane: 'reports' });
    const first = defineJob({ kind: 'report.build', schema: z.object({}), retry: { maxAttempts: 5 } });
    const queue = createTestQueue({ jobs: [defineHandler(first, async (_payload, ctx) => { ctx.then(elsewhere, {}); })] });
    const id = newJobId(4);
    await queue.store.insert([{ id, kind: first.kind, lane: 'default', status: 'queued', maxAttempts: 5, payloadBytes: 2, createdAt: new Date() }]);
    const message = { messageId: 'm', receiptHandle: 'r', body: encodeJobMessage(id, first.kind, '{}'), lane: 'default', receiveCount: 1, sentTimestamp: Date.now() };
    // A worker whose config has only the default lane.
    expect(await processMessage(message, { ...queue.workerDependencies(), lanes: ['default'] }, Date.now() + 60_000)).toBe('ack');
    expect(await queue.get(id)).toMatchObject({ status: 'failed', attempt: 1, lastError: { class: 'ConfigurationError', permanent: true } });
    expect((await queue.get(id))?.lastError?.message).toContain('its lane "reports" is not configured');
    expect(queue.transport.deadLetters).toHaveLength(1);
  });
});
