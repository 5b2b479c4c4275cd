import { describe, expect, it } from 'vitest';
import { RetryAfterError } from '../../lib/errors.js';
import { once, type OnceScope } from '../../lib/idempotency/once.js';
import { MemoryIdempotencyStore } from '../../lib/testing/memory-idempotency-store.js';

function scope(store: MemoryIdempotencyStore, jobId: string, clock: { now: number }): OnceScope {
  return { store, jobId, kind: 'email.send', leaseUntil: () => new Date(clock.now + 10_000), now: () => new Date(clock.now) };
}

describe('ctx.once', () => {
  it('runs the work once and hands later callers the stored result', async () => {
    const store = new MemoryIdempotencyStore();
    const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
    let sends = 0;
    const send = async () => ({ messageId: `m${++sends}` });
    expect(await once(scope(store, 'job-1', clock), 'send:tok', send)).toEqual({ messageId: 'm1' });
    expect(await once(scope(store, 'job-1', clock), 'send:tok', send)).toEqual({ messageId: 'm1' });
    expect(await once(scope(store, 'job-2', clock), 'send:tok', send)).toEqual({ messageId: 'm1' });
    expect(sends).toBe(1);
    expect([...store.records.keys()]).toEqual(['once#email.send#send:tok']);
  });

  it('releases the key when the work throws, so a retry runs it again', async () => {
    const store = new MemoryIdempotencyStore();
    const clock = { now: 0 };
    await expect(once(scope(store, 'job-1', clock), 'k', async () => { throw new Error('smtp down'); })).rejects.toThrow('smtp down');
    expect(await once(scope(store, 'job-1', clock), 'k', async () => 'sent')).toBe('sent');
  });

  it('makes a concurrent caller wait for the holder\'s lease, then lets it take over an abandoned key', async () => {
    const store = new MemoryIdempotencyStore();
    const clock = { now: 0 };
    await store.start('once#email.send#k', 'job-1', new Date(0), new Date(10_000), new Date(100_000));
    const blocked = once(scope(store, 'job-2', clock), 'k', async () => 'second');
    await expect(blocked).rejects.toBeInstanceOf(RetryAfterError);
    await expect(blocked).rejects.toMatchObject({ delaySeconds: 10 });
    clock.now = 11_000;
    expect(await once(scope(store, 'job-2', clock), 'k', async () => 'second')).toBe('second');
  });

  it('runs the work again when the worker died after the work but before its result was stored (the limit of once)', async () => {
    const store = new MemoryIdempotencyStore();
    const clock = { now: 0 };
    let sends = 0;
    // The worker dies between the provider accepting the send and the result being stored.
    const dying = Object.assign(Object.create(store) as MemoryIdempotencyStore, { complete: async () => { throw new Error('worker killed'); } });
    await expect(once(scope(dying, 'job-1', clock), 'send:tok', async () => ++sends)).rejects.toThrow('worker killed');
    expect(sends).toBe(1);
    // Once the dead attempt's lease has ended, the retry finds the key unfinished and sends again.
    clock.now = 11_000;
    expect(await once(scope(store, 'job-1', clock), 'send:tok', async () => ++sends)).toBe(2);
    expect(sends).toBe(2);
  });

  it('hands fn a provider idempotency key, the same on the retry, so a provider that takes one closes that window', async () => {
    const store = new MemoryIdempotencyStore();
    const clock = { now: 0 };
    // A payment provider that honours Idempotency-Key: a second request with the same key returns the first charge.
    const charges = new Map<string, string>();
    const charge = async (idempotencyKey: string) => {
      if (!charges.has(idempotencyKey)) charges.set(idempotencyKey, `ch_${charges.size + 1}`);
      return charges.get(idempotencyKey)!;
    };
    const dying = Object.assign(Object.create(store) as MemoryIdempotencyStore, { complete: async () => { throw new Error('worker killed'); } });
    await expect(once(scope(dying, 'job-1', clock), 'charge:order-7', charge)).rejects.toThrow('worker killed');
    clock.now = 11_000;
    expect(await once(scope(store, 'job-1', clock), 'charge:order-7', charge)).toBe('ch_1');
    expect(charges.size).toBe(1);
    const [key] = charges.keys();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    // Another kind's key of the same name is another key.
    let other = '';
    await once({ ...scope(store, 'job-2', clock), kind: 'payment.refund' }, 'charge:order-7', async (k) => (other = k));
    expect(other).not.toBe(key);
  });
});
