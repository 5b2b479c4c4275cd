import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigurationError, defineJob, EnqueueError, InvalidEnqueueOptionsError } from 'jobline';
import { createTestQueue } from 'jobline/testing';
import { defineHandler } from 'jobline/worker';

const report = defineJob({ kind: 'report.build', schema: z.object({ reportId: z.string(), filters: z.string() }), debounce: { key: (p) => p.reportId, windowSeconds: 5 } });

function queueAt(start: number) {
  const clock = { now: new Date(start) };
  const built: string[] = [];
  const queue = createTestQueue({ jobs: [defineHandler(report, async ({ filters }) => { built.push(filters); return { filters }; })], now: () => clock.now });
  const at = (seconds: number) => { clock.now = new Date(start + seconds * 1000); };
  return { queue, built, at };
}

describe('debounce', () => {
  it('turns a burst of enqueues of one key into one job that runs with the last payload once the key is quiet', async () => {
    const { queue, built, at } = queueAt(Date.UTC(2026, 0, 1));
    const first = await queue.client.enqueue(report, { reportId: 'r1', filters: 'a' });
    at(1);
    const second = await queue.client.enqueue(report, { reportId: 'r1', filters: 'b' });
    at(2);
    const third = await queue.client.enqueue(report, { reportId: 'r1', filters: 'c' });
    expect(first).toMatchObject({ status: 'scheduled' });
    expect(first.debounced).toBeUndefined();
    expect(second).toEqual({ id: first.id, kind: report.kind, status: 'scheduled', debounced: true });
    expect(third).toMatchObject({ id: first.id, debounced: true });
    // One message, held for the window; one record.
    expect(queue.enqueued(report)).toHaveLength(1);
    expect(queue.enqueued(report)[0]!.delaySeconds).toBe(5);
    expect(queue.store.records.size).toBe(1);

    // Due at 5 s, but the last enqueue was at 2 s: it waits until 7 s, using no attempt.
    at(5);
    expect(await queue.deliver(first.id)).toMatchObject({ disposition: 'ack', record: { status: 'scheduled', attempt: 0, waitingFor: { limit: 'debounce', key: 'r1' } } });
    expect(queue.enqueued(report).at(-1)!.delaySeconds).toBe(2);
    at(7);
    expect((await queue.deliver(first.id)).record).toMatchObject({ status: 'succeeded', attempt: 1, result: { filters: 'c' } });
    expect(built).toEqual(['c']);

    // A second burst after it fired is a new job, run once more.
    at(8);
    const next = await queue.client.enqueue(report, { reportId: 'r1', filters: 'd' });
    const nextAgain = await queue.client.enqueue(report, { reportId: 'r1', filters: 'e' });
    expect(next.id).not.toBe(first.id);
    expect(nextAgain).toMatchObject({ id: next.id, debounced: true });
    at(13);
    expect((await queue.deliver(next.id)).record).toMatchObject({ status: 'succeeded', result: { filters: 'e' } });
    expect(built).toEqual(['c', 'e']);
  });

  it('keeps keys apart, and joins jobs of one key within one enqueueMany', async () => {
    const { queue } = queueAt(Date.UTC(2026, 0, 1));
    const jobs = await queue.client.enqueueMany([
      { job: report, payload: { reportId: 'r1', filters: 'a' } },
      { job: report, payload: { reportId: 'r2', filters: 'a' } },
      { job: report, payload: { reportId: 'r1', filters: 'b' } },
    ]);
    expect(jobs[2]).toMatchObject({ id: jobs[0]!.id, debounced: true });
    expect(jobs[1]!.id).not.toBe(jobs[0]!.id);
    expect(queue.enqueued(report)).toHaveLength(2);
  });

  it('drops, as cancelled, a job whose key was taken over after it was given up on', async () => {
    const { queue, built, at } = queueAt(Date.UTC(2026, 0, 1));
    const stale = await queue.client.enqueue(report, { reportId: 'r1', filters: 'old' });
    // No worker for 20 minutes: past the window and the 15-minute horizon, a new enqueue opens a new job.
    at(20 * 60);
    const fresh = await queue.client.enqueue(report, { reportId: 'r1', filters: 'new' });
    expect(fresh.id).not.toBe(stale.id);
    // Cancelled with its payload kept (it can be read and discarded) and marked superseded: a retry is refused, not left queued with no message.
    expect((await queue.deliver(stale.id)).record).toMatchObject({ status: 'cancelled', cancelReason: `superseded: job ${fresh.id} runs the debounced key instead`, supersededBy: fresh.id, payload: { filters: 'old' } });
    await expect(queue.store.requeue(stale.id, queue.now())).rejects.toThrow(`it was superseded: job ${fresh.id} runs its debounced key with the latest payload`);
    expect((await queue.get(stale.id))?.status).toBe('cancelled');
    at(20 * 60 + 5);
    expect((await queue.deliver(fresh.id)).record).toMatchObject({ status: 'succeeded' });
    expect(built).toEqual(['new']);
    await queue.store.discard(stale.id);
    expect(await queue.get(stale.id)).toBeUndefined();
  });

  it('never joins an enqueue to a pending job an operator cancelled: it opens a new job, which runs with its payload', async () => {
    const { queue, built, at } = queueAt(Date.UTC(2026, 0, 1));
    const first = await queue.client.enqueue(report, { reportId: 'r1', filters: 'a' });
    await queue.client.cancel(first.id, 'by an operator');
    at(0.5);
    const second = await queue.client.enqueue(report, { reportId: 'r1', filters: 'b' });
    expect(second.id).not.toBe(first.id);
    expect(second.debounced).toBeUndefined();
    expect(second.status).toBe('scheduled');
    // A join reports the status the joined job's record shows, not one written into the client.
    at(1);
    expect(await queue.client.enqueue(report, { reportId: 'r1', filters: 'c' })).toEqual({ id: second.id, kind: report.kind, status: 'scheduled', debounced: true });
    // The cancelled job's message is dropped unrun, its payload kept (so it stays discardable and retryable).
    at(5);
    expect((await queue.deliver(first.id)).record).toMatchObject({ status: 'cancelled', payload: { filters: 'a' } });
    at(6);
    expect((await queue.deliver(second.id)).record).toMatchObject({ status: 'succeeded', result: { filters: 'c' } });
    expect(built).toEqual(['c']);
    await queue.store.discard(first.id);
  });

  it('lets go of a key whose job was lost (its message and the fallback both failed), so the next enqueue opens a job that runs', async () => {
    const { queue, built, at } = queueAt(Date.UTC(2026, 0, 1));
    const { send } = queue.transport;
    const keep = queue.store.keepUndispatched.bind(queue.store);
    queue.transport.send = async (_lane, messages) => ({ failedIds: messages.map((m) => m.id) });
    queue.store.keepUndispatched = async () => { throw new Error('DynamoDB is down'); };
    const lost = await queue.client.enqueue(report, { reportId: 'r1', filters: 'lost' }).catch((error: unknown) => error as EnqueueError);
    expect(lost).toBeInstanceOf(EnqueueError);
    queue.transport.send = send;
    queue.store.keepUndispatched = keep;
    at(1);
    // Not joined to the lost job (which has no message and would never run): a job of its own.
    const next = await queue.client.enqueue(report, { reportId: 'r1', filters: 'next' });
    expect(next.debounced).toBeUndefined();
    expect(next.id).not.toBe((lost as EnqueueError).jobIds[0]);
    at(7);
    expect((await queue.deliver(next.id)).record).toMatchObject({ status: 'succeeded' });
    expect(built).toEqual(['next']);
  });

  it('refuses options that cannot apply to a debounced kind, before writing anything', async () => {
    const { queue } = queueAt(Date.now());
    await expect(queue.client.enqueue(report, { reportId: 'r1', filters: 'a' }, { delaySeconds: 10 })).rejects.toThrow(InvalidEnqueueOptionsError);
    await expect(queue.client.enqueue(report, { reportId: 'r1', filters: 'a' }, { runAt: new Date() })).rejects.toThrow('"report.build" is debounced: it runs once its key has been quiet for 5 s, so delaySeconds and runAt do not apply');
    expect(queue.store.records.size).toBe(0);
    expect(queue.flowControl.debounces.keys.size).toBe(0);
  });
});

describe('flow-control configuration', () => {
  const schema = z.object({ tenant: z.string() });
  const refused: Array<[string, () => unknown, string]> = [
    ['a zero rate limit', () => defineJob({ kind: 'k', schema, rateLimit: { limit: 0, periodSeconds: 1 } }), 'rateLimit.limit must be an integer from 1 to 10000'],
    ['a negative period', () => defineJob({ kind: 'k', schema, rateLimit: { limit: 5, periodSeconds: -1 } }), 'rateLimit.periodSeconds must be an integer from 1 to 86400 (a day)'],
    ['a period longer than a day', () => defineJob({ kind: 'k', schema, rateLimit: { limit: 5, periodSeconds: 90_000 } }), 'rateLimit.periodSeconds must be an integer from 1 to 86400'],
    ['a rate key that is no function', () => defineJob({ kind: 'k', schema, rateLimit: { limit: 5, periodSeconds: 1, key: 'tenant' as never } }), 'rateLimit.key must be a function of the payload'],
    ['a debounce window longer than SQS holds a message', () => defineJob({ kind: 'k', schema, debounce: { key: (p) => p.tenant, windowSeconds: 901 } }), 'debounce.windowSeconds must be an integer from 1 to 900 (SQS holds a message at most 15 minutes)'],
    ['a zero debounce window', () => defineJob({ kind: 'k', schema, debounce: { key: (p) => p.tenant, windowSeconds: 0 } }), 'debounce.windowSeconds must be an integer from 1 to 900'],
    ['debounce without a key', () => defineJob({ kind: 'k', schema, debounce: { windowSeconds: 5 } as never }), 'debounce.key must be a function of the payload'],
    ['debounce with unique', () => defineJob({ kind: 'k', schema, debounce: { key: (p) => p.tenant, windowSeconds: 5 }, unique: { key: (p) => p.tenant, windowSeconds: 5 } }), 'unique and debounce both decide what a repeated enqueue does'],
    ['a group key that is no function', () => defineJob({ kind: 'k', schema, group: { key: 3 as never } }), 'group.key must be a function of the payload'],
    ['a negative concurrency limit', () => defineJob({ kind: 'k', schema, concurrency: { limit: -1 } }), 'concurrency.limit must be an integer from 1 to 100'],
    ['a key function that throws on a schedule\'s payload', () => defineJob({ kind: 'k', schema, schedules: [{ name: 'nightly', expression: 'rate(1 day)', payload: { tenant: '' } }], rateLimit: { limit: 1, periodSeconds: 1, key: (p) => { if (!p.tenant) throw new Error('no tenant'); return p.tenant; } } }), 'rateLimit.key fails on the payload of schedule "nightly": it threw: no tenant'],
  ];
  it.each(refused)('refuses %s when the kind is defined', (_, define, message) => {
    expect(define).toThrow(ConfigurationError);
    try {
      define();
    } catch (error) {
      expect((error as ConfigurationError).problems.join('\n')).toContain(message);
    }
  });

  it('refuses at enqueue a key function that throws or gives no key, writing nothing', async () => {
    const rated = defineJob({ kind: 'rated', schema, rateLimit: { limit: 1, periodSeconds: 1, key: (p) => p.tenant } });
    const queue = createTestQueue({ jobs: [rated] });
    await expect(queue.client.enqueue(rated, { tenant: '' })).rejects.toThrow('the rateLimit key of "rated" is not usable: it must return a string of 1–128 characters, got ""');
    expect(queue.store.records.size).toBe(0);
  });

  it('refuses a debounced kind in a transaction', async () => {
    const { queue } = queueAt(Date.now());
    await expect(queue.client.enqueueInTransaction([], [{ job: report, payload: { reportId: 'r', filters: 'a' } }])).rejects.toThrow('"report.build" is debounced: enqueue it with enqueue or enqueueMany (a transaction cannot join its key\'s pending job)');
  });
});

describe('fair groups', () => {
  it('sends each job in its tenant\'s message group, and a digest for a key SQS would refuse', async () => {
    const grouped = defineJob({ kind: 'import.chunk', schema: z.object({ customer: z.string() }), group: { key: (p) => p.customer } });
    const queue = createTestQueue({ jobs: [grouped] });
    await queue.client.enqueueMany([{ job: grouped, payload: { customer: 'acme-1' } }, { job: grouped, payload: { customer: 'Café Ünïcode' } }]);
    const [plain, odd] = queue.transport.sent;
    expect(plain!.groupId).toBe('acme-1');
    expect(odd!.groupId).toMatch(/^sha256:[\w-]{43}$/);
  });
});
