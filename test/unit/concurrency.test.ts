import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigurationError, defineJob, InvalidEnqueueOptionsError } from 'jobline';
import { createTestQueue, MemorySlotStore } from 'jobline/testing';
import { defineHandler } from 'jobline/worker';
import { encodeCronMessage, SCHEDULED_TIME_PLACEHOLDER } from '../../lib/cron-firing.js';
import { WORKER_METRICS } from '../../lib/metrics.js';

const limited = defineJob({ kind: 'tenant.work', schema: z.object({ tenant: z.string(), n: z.number() }), concurrency: { limit: 1, key: (p) => p.tenant } });

describe('concurrency limits', () => {
  it('makes a job wait without using an attempt while its key\'s slots are held, then runs it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const started: number[] = [];
    const queue = createTestQueue({ jobs: [defineHandler(limited, async ({ n }) => { started.push(n); if (n === 1) await gate; return { n }; })] });
    const first = await queue.client.enqueue(limited, { tenant: 'acme', n: 1 });
    const second = await queue.client.enqueue(limited, { tenant: 'acme', n: 2 });
    const other = await queue.client.enqueue(limited, { tenant: 'globex', n: 3 });

    const running = queue.deliver(first.id);
    await new Promise((resolve) => setImmediate(resolve));
    // acme's one slot is held: the second waits, as a fresh copy a few seconds later, unclaimed.
    expect(await queue.deliver(second.id)).toMatchObject({ disposition: 'ack', record: { status: 'queued', attempt: 0, waitingFor: { limit: 'concurrency', key: 'acme' } } });
    const copies = queue.enqueued().filter((m) => m.id === second.id);
    expect(copies).toHaveLength(2);
    expect(copies[1]!.delaySeconds).toBeGreaterThanOrEqual(2);
    // Another key is not held up.
    expect((await queue.deliver(other.id)).record).toMatchObject({ status: 'succeeded', attempt: 1 });

    release();
    expect((await running).record).toMatchObject({ status: 'succeeded' });
    const done = (await queue.deliver(second.id)).record;
    expect(done).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(done!.waitingFor).toBeUndefined();
    expect(started).toEqual([1, 3, 2]);
    expect(queue.flowControl.slots.slots.size).toBe(0);
  });

  it('notes what a job waits for once per limit, however often it waits, and tries no note for a job with no record yet (a cron firing)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const queue = createTestQueue({ jobs: [defineHandler(limited, async ({ n }) => { if (n === 1) await gate; return { n }; })] });
    const notes: string[] = [];
    const noteWaiting = queue.store.noteWaiting.bind(queue.store);
    queue.store.noteWaiting = async (id, wait, now) => { notes.push(id); return noteWaiting(id, wait, now); };
    const holder = await queue.client.enqueue(limited, { tenant: 'acme', n: 1 });
    const waiter = await queue.client.enqueue(limited, { tenant: 'acme', n: 2 });
    const running = queue.deliver(holder.id);
    await new Promise((resolve) => setImmediate(resolve));
    // The enqueued job waits three times (each time as the fresh copy it was sent again as): one note.
    for (let i = 0; i < 3; i++) expect((await queue.deliver(waiter.id)).disposition).toBe('ack');
    expect(notes).toEqual([waiter.id]);
    // A cron firing has no record until its claim: its waits write nothing, not even a refused note.
    const firing = encodeCronMessage(limited.kind, `${limited.kind}/hourly`, '{"tenant":"acme","n":3}').replace(SCHEDULED_TIME_PLACEHOLDER, '2026-01-01T00:00:00Z');
    for (let i = 0; i < 3; i++) expect((await queue.deliverBody(firing)).disposition).toBe('ack');
    expect(notes).toEqual([waiter.id]);
    release();
    await running;
  });

  it('drops a duplicate of a finished job that meets a held slot, instead of sending it round to wait', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const queue = createTestQueue({ jobs: [defineHandler(limited, async ({ n }) => { if (n === 2) await gate; return { n }; })] });
    const done = await queue.client.enqueue(limited, { tenant: 'acme', n: 1 });
    const [original] = queue.enqueued().filter((m) => m.id === done.id);
    expect((await queue.deliver(done.id)).record).toMatchObject({ status: 'succeeded' });
    const holder = await queue.client.enqueue(limited, { tenant: 'acme', n: 2 });
    const running = queue.deliver(holder.id);
    await new Promise((resolve) => setImmediate(resolve));
    const sentBefore = queue.transport.sent.length;
    // SQS delivers the finished job's message again while acme's one slot is held.
    expect((await queue.deliverBody(original!.body)).disposition).toBe('ack');
    expect(queue.transport.sent.length).toBe(sentBefore);
    expect((await queue.get(done.id))).toMatchObject({ status: 'succeeded', attempt: 1 });
    release();
    await running;
  });

  it('frees a slot whose holder never released it once its lease has ended', async () => {
    const slots = new MemorySlotStore();
    const now = new Date();
    expect(await slots.acquire({ kind: 'k', key: 'a', limit: 1, holder: 'crashed', now, leaseUntil: new Date(now.getTime() + 1000) })).toBeDefined();
    expect(await slots.acquire({ kind: 'k', key: 'a', limit: 1, holder: 'next', now, leaseUntil: new Date(now.getTime() + 1000) })).toBeUndefined();
    expect(await slots.acquire({ kind: 'k', key: 'a', limit: 1, holder: 'next', now: new Date(now.getTime() + 2000), leaseUntil: new Date(now.getTime() + 5000) })).toMatchObject({ holder: 'next' });
  });

  it('refuses a bad limit when the kind is defined, and a key function that throws at enqueue', async () => {
    expect(() => defineJob({ kind: 'bad.limit', schema: z.object({}), concurrency: { limit: 0 } })).toThrow(ConfigurationError);
    expect(() => defineJob({ kind: 'bad.limit', schema: z.object({}), concurrency: { limit: 1.5 } })).toThrow('concurrency.limit must be an integer from 1 to 100');
    const throwing = defineJob({ kind: 'throwing.key', schema: z.object({}), concurrency: { limit: 2, key: () => { throw new Error('no tenant'); } } });
    const queue = createTestQueue({ jobs: [throwing] });
    await expect(queue.client.enqueue(throwing, {})).rejects.toThrow(InvalidEnqueueOptionsError);
    await expect(queue.client.enqueue(throwing, {})).rejects.toThrow('the concurrency key of "throwing.key" is not usable: it threw: no tenant');
    expect(queue.store.records.size).toBe(0);
  });
});

describe('what waiting for a limit shows', () => {
  it('tells the worker\'s metrics of each delivery that waited (DelayedByLimit), apart from the attempts', async () => {
    const { processMessage } = await import('../../lib/worker/process-message.js');
    const { publishMetrics } = await import('../../lib/worker/create-worker.js');
    const queue = createTestQueue({ jobs: [defineHandler(limited, async () => ({}))] });
    const held = await queue.client.enqueue(limited, { tenant: 'acme', n: 1 });
    const waiting = await queue.client.enqueue(limited, { tenant: 'acme', n: 2 });
    await queue.flowControl.slots.acquire({ kind: limited.kind, key: 'acme', limit: 1, holder: held.id, now: new Date(), leaseUntil: new Date(Date.now() + 60_000) });
    const events: Array<{ kind: string; outcome: string }> = [];
    const message = queue.enqueued().find((m) => m.id === waiting.id)!;
    const incoming = { messageId: 'm', receiptHandle: 'r', body: message.body, lane: 'default', receiveCount: 1, sentTimestamp: Date.now() };
    await processMessage(incoming, { ...queue.workerDependencies(), observe: (e) => events.push(e) }, Date.now() + 60_000);
    expect(events).toEqual([{ kind: limited.kind, outcome: 'delayed', limit: 'concurrency' }]);

    const lines: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => { lines.push(String(chunk)); return true; }) as typeof process.stdout.write;
    try {
      publishMetrics([{ kind: limited.kind, outcome: 'delayed', limit: 'concurrency' }, { kind: limited.kind, outcome: 'succeeded', durationMs: 3 }, { kind: limited.kind, outcome: 'waiting', durationMs: 2 }]);
    } finally {
      process.stdout.write = write;
    }
    const emf = lines.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(emf.find((m) => m.Processed !== undefined)).toMatchObject({ Kind: limited.kind, DelayedByLimit: 1, Processed: 2, Succeeded: 1, WaitingForChildren: 1, FailureRate: 0 });
    // Per limit too: one more line with the Limit dimension.
    expect(emf.find((m) => m.Limit !== undefined)).toMatchObject({ Kind: limited.kind, Limit: 'concurrency', DelayedByLimit: 1 });
    // Every name the worker emitted is one WORKER_METRICS names: the names the construct's alarms and dashboard read.
    const emitted = new Set(emf.flatMap((m) => (m._aws as { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> }).CloudWatchMetrics.flatMap((d) => d.Metrics.map((x) => x.Name))));
    expect([...emitted].sort()).toEqual(Object.values(WORKER_METRICS).filter((name) => name !== 'QueueLatency').sort());
  });
});

describe('the line of a concurrency key', () => {
  const lineOf = (queue: ReturnType<typeof createTestQueue>, id: string) => {
    const body = JSON.parse(queue.enqueued().filter((m) => m.id === id).at(-1)!.body) as { flow?: { line?: { ticket: number } } };
    return body.flow?.line?.ticket;
  };

  it('gives waiting jobs tickets in the order they wait; only those near the front try the slots, a new job lines up behind them, and the front moves as they run', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const started: number[] = [];
    // Jitter 0.99: no probe of a stalled line by a job 5 or more tickets back (a chance of at most (4 / 5)²).
    const queue = createTestQueue({ jobs: [defineHandler(limited, async ({ n }) => { started.push(n); if (n === 0) await gate; return { n }; })], random: () => 0.99 });
    const tries: string[] = [];
    const acquire = queue.flowControl.slots.acquire.bind(queue.flowControl.slots);
    queue.flowControl.slots.acquire = async (request) => { tries.push(request.holder); return acquire(request); };
    const holder = await queue.client.enqueue(limited, { tenant: 'acme', n: 0 });
    const running = queue.deliver(holder.id);
    await new Promise((resolve) => setImmediate(resolve));

    const waiting = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => queue.client.enqueue(limited, { tenant: 'acme', n })));
    // The first finds the slot held (one try), takes ticket 1 and, first in line, tries once more;
    // the others line up without a try (this worker saw the key contended): tickets 2–6, further than the limit (1) from the front.
    for (const job of waiting) expect((await queue.deliver(job.id)).record).toMatchObject({ status: 'queued', waitingFor: { limit: 'concurrency' } });
    expect(waiting.map((j) => lineOf(queue, j.id))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(tries).toEqual([holder.id, waiting[0]!.id, waiting[0]!.id]);

    release();
    await running;
    tries.length = 0;
    // A new job, after the slot came free: it lines up (ticket 7) and tries nothing, though the slot is free.
    const late = await queue.client.enqueue(limited, { tenant: 'acme', n: 7 });
    expect((await queue.deliver(late.id)).record).toMatchObject({ status: 'queued' });
    expect(lineOf(queue, late.id)).toBe(7);
    // Ticket 6 comes back first: 6 past the front (0), it only reads the front and waits.
    expect((await queue.deliver(waiting[5]!.id)).record).toMatchObject({ status: 'queued' });
    expect(tries).toEqual([]);
    // Ticket 1 runs and moves the front to 1; then ticket 2 (near it) runs too.
    expect((await queue.deliver(waiting[0]!.id)).record).toMatchObject({ status: 'succeeded' });
    expect(await queue.flowControl.slots.front({ kind: limited.kind, key: 'acme' })).toBe(1);
    expect((await queue.deliver(waiting[1]!.id)).record).toMatchObject({ status: 'succeeded' });
    expect(await queue.flowControl.slots.front({ kind: limited.kind, key: 'acme' })).toBe(2);
    expect(started).toEqual([0, 1, 2]);
    expect(tries).toEqual([waiting[0]!.id, waiting[1]!.id]);
  });

  it('takes back the ticket of a job dropped instead of waiting (cancelled before it was delivered): 20 cancelled jobs leave no gap, and the job behind them runs as soon as the slot is free', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    // Jitter 0.99: a job 5 or more tickets back never probes a stalled line.
    const queue = createTestQueue({ jobs: [defineHandler(limited, async ({ n }) => { if (n === 0) await gate; return { n }; })], random: () => 0.99 });
    const holder = await queue.client.enqueue(limited, { tenant: 'acme', n: 0 });
    const running = queue.deliver(holder.id);
    await new Promise((resolve) => setImmediate(resolve));
    const cancelled = await Promise.all(Array.from({ length: 20 }, (_, i) => queue.client.enqueue(limited, { tenant: 'acme', n: i + 1 })));
    for (const job of cancelled) await queue.client.cancel(job.id);
    const next = await queue.client.enqueue(limited, { tenant: 'acme', n: 21 });
    const sentBefore = queue.transport.sent.length;
    // Each finds the slot held and takes a ticket; its note is refused (cancelled), so it goes, giving the ticket back.
    for (const job of cancelled) expect((await queue.deliver(job.id)).disposition).toBe('ack');
    expect(queue.transport.sent.length).toBe(sentBefore);
    expect(queue.flowControl.slots.lines.get('tenant.work#acme')).toEqual({ issued: 20, front: 20 });
    // The next job lines up right at the front (ticket 21, front 20), not 21 tickets back.
    expect((await queue.deliver(next.id)).record).toMatchObject({ status: 'queued', waitingFor: { limit: 'concurrency' } });
    release();
    await running;
    expect((await queue.deliver(next.id)).record).toMatchObject({ status: 'succeeded', attempt: 1 });
  });

  it('keeps a job\'s place when, out of the line with a slot, it waits for its rate-limit turn: back, it takes no second ticket', async () => {
    const both = defineJob({ kind: 'tenant.both', schema: z.object({ tenant: z.string(), n: z.number() }), concurrency: { limit: 1, key: (p) => p.tenant }, rateLimit: { limit: 1, periodSeconds: 60, key: (p) => p.tenant } });
    let nowMs = Date.UTC(2026, 0, 1);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const queue = createTestQueue({ jobs: [defineHandler(both, async ({ n }) => { if (n === 1) await gate; return { n }; })], now: () => new Date(nowMs), random: () => 0 });
    const first = await queue.client.enqueue(both, { tenant: 'acme', n: 1 });
    const second = await queue.client.enqueue(both, { tenant: 'acme', n: 2 });
    const running = queue.deliver(first.id);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await queue.deliver(second.id)).record).toMatchObject({ status: 'queued', waitingFor: { limit: 'concurrency' } });
    release();
    await running;
    nowMs += 3000;
    // Its slot now, but its turn is a minute after the first's start: it gives the slot back and waits, carrying its turn and its place.
    expect((await queue.deliver(second.id)).disposition).toBe('ack');
    const body = JSON.parse(queue.enqueued().filter((m) => m.id === second.id).at(-1)!.body) as { flow: { reservedAt: number; line: { ticket: number } } };
    expect(body.flow.line.ticket).toBe(1);
    expect(body.flow.reservedAt).toBeGreaterThan(nowMs);
    nowMs = body.flow.reservedAt;
    expect((await queue.deliver(second.id)).record).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(queue.flowControl.slots.lines.get('tenant.both#acme')).toEqual({ issued: 1, front: 1 });
    expect(queue.flowControl.slots.slots.size).toBe(0);
  });
});

describe('a heartbeat kind with a concurrency limit', () => {
  const beating = defineJob({ kind: 'tenant.beating', schema: z.object({ tenant: z.string() }), timeoutSeconds: 600, heartbeatSeconds: 5, concurrency: { limit: 1, key: (p) => p.tenant } });

  it('leases its slot for one heartbeat lease, not its whole timeout, and each beat moves the lease on', async () => {
    let nowMs = Date.UTC(2026, 0, 1);
    const leases: string[] = [];
    const queue = createTestQueue({
      jobs: [defineHandler(beating, async (_, ctx) => {
        leases.push([...queue.flowControl.slots.slots.values()][0]!.leaseUntil);
        nowMs += 10_000;
        await ctx.heartbeat();
        leases.push([...queue.flowControl.slots.slots.values()][0]!.leaseUntil);
        return {};
      })],
      now: () => new Date(nowMs),
    });
    const start = nowMs;
    const job = await queue.client.enqueue(beating, { tenant: 'acme' });
    expect((await queue.deliver(job.id)).record).toMatchObject({ status: 'succeeded' });
    // 3 beats of 5 s, then 2 s of grace and 2 s a rate-limited start may wait: 19 s — against 600 s and more for the timeout.
    expect(leases[0]).toBe(new Date(start + 19_000).toISOString());
    // The beat 10 s in: its lease (15 s) and the grace.
    expect(leases[1]).toBe(new Date(start + 10_000 + 17_000).toISOString());
  });

  it('stops the attempt when a beat finds its slot taken by another job (its lease ran out)', async () => {
    const queue = createTestQueue({
      jobs: [defineHandler(beating, async (_, ctx) => {
        const [name, held] = [...queue.flowControl.slots.slots.entries()][0]!;
        queue.flowControl.slots.slots.set(name, { ...held, holder: 'another-job' });
        await ctx.heartbeat();
        return {};
      })],
    });
    const job = await queue.client.enqueue(beating, { tenant: 'acme' });
    const { record } = await queue.deliver(job.id);
    expect(record).toMatchObject({ status: 'retrying', attempt: 1 });
    expect(record!.errors?.at(-1)?.message).toMatch(/lost its concurrency slot/);
  });
});
