import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { encodeCronMessage, SCHEDULED_TIME_PLACEHOLDER } from '../../lib/cron-firing.js';
import { PermanentError, RetryAfterError } from '../../lib/errors.js';
import { dispatchKept } from '../../lib/dispatcher/dispatch-kept.js';
import { defineJob } from '../../lib/job-definition.js';
import { newJobId } from '../../lib/job-id.js';
import { decodeJobMessage, encodeJobMessage, jobIdInBody, withGroup } from '../../lib/job-message.js';
import type { JobRecord } from '../../lib/job-record.js';
import { createTestQueue, MemoryScheduler, MemoryTransport } from '../../lib/testing/index.js';
import { defineHandler } from '../../lib/worker/job-handler.js';

/*
 * A grouped kind's message group (SQS fair queues) survives every send of its job's message:
 * enqueue, a delay held by EventBridge Scheduler (whose SQS target cannot set a standard queue's
 * group, so the body carries it), the worker's waiting resend, a retry past 12 h, the DLQ copy,
 * children, follow-ups, and the sweeper's and dispatcher's sends. operator-actions.test.ts reads
 * the group SQS holds after enqueue, retry and redrive on the deployed stack.
 */

const schema = z.object({ tenant: z.string(), mode: z.enum(['ok', 'hold', 'later', 'fail', 'fan-out', 'next']).default('ok') });
const grouped = defineJob({
  kind: 'tenant.work', schema, retry: { maxAttempts: 3, backoffBaseSeconds: 1, jitter: 0 }, timeoutSeconds: 5,
  group: { key: (p) => p.tenant }, concurrency: { limit: 1, key: (p) => p.tenant },
});
const groupedChild = defineJob({ kind: 'tenant.child', schema: z.object({ tenant: z.string() }), group: { key: (p) => p.tenant } });

function groupedQueue(hold?: Promise<void>) {
  return createTestQueue({
    jobs: [
      defineHandler(grouped, async (payload, ctx) => {
        if (payload.mode === 'hold') await hold;
        if (payload.mode === 'later') throw new RetryAfterError('come back tomorrow', 86_400);
        if (payload.mode === 'fail') throw new PermanentError('no such tenant');
        if (payload.mode === 'fan-out') await ctx.spawn(groupedChild, [{ tenant: `${payload.tenant}-a` }, { tenant: `${payload.tenant}-b` }]);
        if (payload.mode === 'next') ctx.then(groupedChild, { tenant: `${payload.tenant}-next` });
        return { ok: true };
      }),
      defineHandler(groupedChild, async () => ({ ok: true })),
    ],
    now: () => new Date('2026-06-01T00:00:00Z'),
  });
}

describe('a grouped kind\'s message group', () => {
  it('travels in the body of a message a schedule sends, and only there; the body still starts with its id', () => {
    const body = encodeJobMessage('01J00000000000000000000000', 'tenant.work', '{"tenant":"acme"}', { recorded: true });
    expect(withGroup(body, undefined)).toBe(body);
    const carried = withGroup(body, 'acme');
    expect(jobIdInBody(carried)).toBe('01J00000000000000000000000');
    const decoded = decodeJobMessage(carried);
    expect(decoded.ok && decoded.message.group).toBe('acme');
    const firing = decodeJobMessage(encodeCronMessage('tenant.work', 'tenant.work/nightly', '{"tenant":"acme"}', 'acme').replace(SCHEDULED_TIME_PLACEHOLDER, '2026-06-01T00:00:00Z'));
    expect(firing.ok && firing.message.group).toBe('acme');
    expect(decodeJobMessage(withGroup(body, 'x'.repeat(129)))).toMatchObject({ ok: false, reason: expect.stringContaining('group') });
  });

  it('is set on the message enqueue sends, and carried by the body of one a schedule holds', async () => {
    const queue = groupedQueue();
    await queue.client.enqueue(grouped, { tenant: 'acme' });
    await queue.client.enqueue(grouped, { tenant: 'acme' }, { delaySeconds: 3_600 });
    expect(queue.transport.sent.map((m) => m.groupId)).toEqual(['acme']);
    const [schedule] = [...queue.scheduler.schedules.values()];
    const decoded = decodeJobMessage(schedule!.body);
    expect(decoded.ok && decoded.message.group).toBe('acme');
  });

  it('is kept by the waiting resend of a job a schedule delivered (no MessageGroupId of its own)', async () => {
    let release!: () => void;
    const queue = groupedQueue(new Promise<void>((resolve) => { release = resolve; }));
    const holder = await queue.client.enqueue(grouped, { tenant: 'acme', mode: 'hold' });
    const waiter = await queue.client.enqueue(grouped, { tenant: 'acme' }, { delaySeconds: 3_600 });
    const running = queue.deliver(holder.id);
    // The tenant's one slot is taken: the scheduled job waits, sent again in its group.
    const waited = await queue.deliver(waiter.id);
    expect(waited.disposition).toBe('ack');
    const resend = queue.transport.sent.filter((m) => m.id === waiter.id);
    expect(resend.map((m) => m.groupId)).toEqual(['acme']);
    release();
    await running;
  });

  it('is kept by a retry past 12 h (a schedule) and by the DLQ copy of a failure, from a message a schedule delivered', async () => {
    const queue = groupedQueue();
    const later = await queue.client.enqueue(grouped, { tenant: 'acme', mode: 'later' }, { delaySeconds: 3_600 });
    expect((await queue.deliver(later.id)).record?.status).toBe('retrying');
    const retry = [...queue.scheduler.schedules.entries()].find(([name]) => name.endsWith('-2'))?.[1];
    const decoded = decodeJobMessage(retry!.body);
    expect(decoded.ok && decoded.message.group).toBe('acme');

    const failing = await queue.client.enqueue(grouped, { tenant: 'beta', mode: 'fail' }, { delaySeconds: 3_600 });
    expect((await queue.deliver(failing.id)).record?.status).toBe('failed');
    expect(queue.transport.deadLetters.map((d) => [d.note.id, d.note.groupId])).toEqual([[failing.id, 'beta']]);
  });

  it('is set on the messages of children and follow-ups, each by its own payload', async () => {
    const queue = groupedQueue();
    const parent = await queue.client.enqueue(grouped, { tenant: 'acme', mode: 'fan-out' });
    await queue.deliver(parent.id);
    const children = queue.transport.sent.filter((m) => m.kind === 'tenant.child');
    expect(children.map((m) => m.groupId).sort()).toEqual(['acme-a', 'acme-b']);
    const predecessor = await queue.client.enqueue(grouped, { tenant: 'beta', mode: 'next' });
    expect((await queue.deliver(predecessor.id)).record?.status).toBe('succeeded');
    const followUp = queue.transport.sent.filter((m) => m.kind === 'tenant.child' && !children.includes(m));
    expect(followUp.map((m) => m.groupId)).toEqual(['beta-next']);
  });

  it('is taken from the record by the sweeper\'s and dispatcher\'s sends, to the lane and through a schedule', async () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const record = (overrides: Partial<JobRecord>): JobRecord => ({
      id: newJobId(4, now.getTime()), kind: 'tenant.work', lane: 'default', status: 'queued', attempt: 0, maxAttempts: 3,
      createdAt: now.toISOString(), updatedAt: now.toISOString(), payloadBytes: 2, groupId: 'acme', ...overrides,
    });
    const due = record({});
    const later = record({ status: 'scheduled', runAt: new Date(now.getTime() + 3_600_000).toISOString(), scheduleName: 'once.later', groupId: 'beta' });
    const transport = new MemoryTransport();
    const scheduler = new MemoryScheduler();
    await dispatchKept([due, later].map((r) => ({ record: r, payloadJson: '{"tenant":"x"}' })), now, { transport, scheduler, thresholdSeconds: 900, logger: new Logger({ logLevel: 'SILENT' }) });
    expect(transport.sent.map((m) => [m.id, m.groupId])).toEqual([[due.id, 'acme']]);
    const decoded = decodeJobMessage(scheduler.schedules.get('once.later')!.body);
    expect(decoded.ok && decoded.message.group).toBe('beta');
  });
});
