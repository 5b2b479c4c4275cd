import { describe, expect, it } from 'vitest';
import type { FlowControlStores } from '../../lib/flow-control/flow-control-stores.js';
import { DEBOUNCE_ABANDONED_MS } from '../../lib/flow-control/debounce-store.js';

/**
 * The contract of the flow-control stores — concurrency slots, rate-limit turns, debounced
 * keys — that the in-memory ones (unit tests, `jobline/testing`) and the DynamoDB ones (AWS)
 * must both keep. Each case uses keys of its own, so the stores may be shared.
 */
export function describeFlowControlConformance(name: string, setup: () => FlowControlStores): void {
  let counter = 0;
  const fresh = (prefix: string) => `${prefix}-${Date.now()}-${counter++}`;
  const base = Date.UTC(2026, 0, 1);
  const at = (ms: number) => new Date(base + ms);

  describe(`${name}: concurrency slots`, () => {
    it('gives at most `limit` holders a slot, the same holder its own again, and frees a slot on release or lease end', async () => {
      const { slots } = setup();
      const key = fresh('slots');
      const request = (holder: string, now = at(0)) => ({ kind: 'k', key, limit: 2, holder, now, leaseUntil: new Date(now.getTime() + 10_000) });
      const a = await slots.acquire(request('a'));
      const b = await slots.acquire(request('b'));
      expect([a?.holder, b?.holder]).toEqual(['a', 'b']);
      expect(await slots.acquire(request('c'))).toBeUndefined();
      expect((await slots.acquire(request('a')))?.index).toBe(a!.index);
      await slots.release({ ...b!, holder: 'not-b' });
      expect(await slots.acquire(request('c'))).toBeUndefined();
      await slots.release(b!);
      // c takes b's freed slot at 5 s (its lease runs to 15 s).
      expect((await slots.acquire(request('c', at(5000))))?.index).toBe(b!.index);
      // a's lease ends at 10 s: after it, its slot is free without a release — the only free one.
      expect(await slots.acquire(request('d', at(9_999)))).toBeUndefined();
      expect((await slots.acquire(request('d', at(10_001))))?.index).toBe(a!.index);
    });
  });

  describe(`${name}: renewing a slot's lease`, () => {
    it('moves the lease of a slot its holder holds, so nobody takes it at the old end; refuses one another job holds', async () => {
      const { slots } = setup();
      const key = fresh('renew');
      const request = (holder: string, now: Date) => ({ kind: 'k', key, limit: 1, holder, now, leaseUntil: new Date(now.getTime() + 10_000) });
      const a = await slots.acquire(request('a', at(0)));
      expect(await slots.renew(a!, at(30_000))).toBe(true);
      expect(await slots.acquire(request('b', at(20_000)))).toBeUndefined();
      expect(await slots.renew({ ...a!, holder: 'b' }, at(60_000))).toBe(false);
      // Past the renewed end it is free again, and the old holder can no longer renew it.
      const b = await slots.acquire(request('b', at(30_001)));
      expect(b?.holder).toBe('b');
      expect(await slots.renew(a!, at(90_000))).toBe(false);
    });
  });

  describe(`${name}: the line of a concurrency key`, () => {
    it('hands out tickets in order, one each however many join at once, and moves the front on by one per job admitted', async () => {
      const { slots } = setup();
      const line = { kind: 'k', key: fresh('line') };
      expect(await slots.front(line)).toBe(0);
      const joined = await Promise.all(Array.from({ length: 5 }, () => slots.join(line, at(0))));
      expect(joined.map((j) => j.ticket).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5]);
      expect(joined.every((j) => j.front === 0)).toBe(true);
      await Promise.all([slots.advance(line, at(1)), slots.advance(line, at(1)), slots.advance(line, at(2))]);
      expect(await slots.front(line)).toBe(3);
      expect(await slots.join(line, at(4))).toEqual({ ticket: 6, front: 3 });
      // Another key has a line of its own.
      expect(await slots.join({ kind: 'k', key: fresh('line') }, at(0))).toEqual({ ticket: 1, front: 0 });
    });
  });

  describe(`${name}: rate-limit turns`, () => {
    it('gives now to an idle key, then one interval after the last turn, each turn once however many ask at once', async () => {
      const { rates } = setup();
      const key = fresh('rate');
      const reserve = (now: Date) => rates.reserve({ kind: 'k', key, intervalMs: 100, now });
      expect((await reserve(at(0))).getTime()).toBe(base);
      const turns = await Promise.all(Array.from({ length: 10 }, () => reserve(at(0))));
      expect(turns.map((t) => t.getTime() - base).sort((x, y) => x - y)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
      // Idle after its last turn (1 s): now again.
      expect((await reserve(at(5000))).getTime()).toBe(base + 5000);
      expect((await reserve(at(5000))).getTime()).toBe(base + 5100);
    });
  });

  describe(`${name}: debounced keys`, () => {
    const windowMs = 5000;
    it('joins enqueues to the pending job with the latest payload, fires it once quiet, and opens a new job after', async () => {
      const { debounces } = setup();
      const key = fresh('debounce');
      const join = (jobId: string, payload: string, ms: number) => debounces.join({ kind: 'k', key, payloadJson: payload, jobId, windowMs, now: at(ms) });
      const fire = (jobId: string, ms: number) => debounces.fire({ kind: 'k', key, jobId, windowMs, now: at(ms) });
      expect(await join('job-1', '"a"', 0)).toEqual({ opened: true, jobId: 'job-1' });
      expect(await join('job-2', '"b"', 1000)).toEqual({ opened: false, jobId: 'job-1' });
      expect(await fire('job-1', 5000)).toEqual({ outcome: 'wait', quietAt: at(6000) });
      expect(await fire('job-1', 6000)).toEqual({ outcome: 'fire', payloadJson: '"b"' });
      // A second delivery of the fired job gets the same payload (its claim stops a second run).
      expect(await fire('job-1', 6500)).toEqual({ outcome: 'fire', payloadJson: '"b"' });
      expect(await join('job-3', '"c"', 7000)).toEqual({ opened: true, jobId: 'job-3' });
      expect(await fire('job-1', 7000)).toEqual({ outcome: 'superseded', byJobId: 'job-3' });
    });

    it('gives up on a pending job past the horizon, forgets an abandoned one, and lets a job with no key run', async () => {
      const { debounces } = setup();
      const key = fresh('debounce');
      const join = (jobId: string, ms: number) => debounces.join({ kind: 'k', key, payloadJson: '{}', jobId, windowMs, now: at(ms) });
      await join('ghost', 0);
      expect(await join('late', windowMs + DEBOUNCE_ABANDONED_MS - 1)).toEqual({ opened: false, jobId: 'ghost' });
      expect(await join('next', 2 * windowMs + 2 * DEBOUNCE_ABANDONED_MS)).toEqual({ opened: true, jobId: 'next' });
      await debounces.abandon('k', key, 'ghost');
      expect((await join('again', 2 * windowMs + 2 * DEBOUNCE_ABANDONED_MS)).jobId).toBe('next');
      await debounces.abandon('k', key, 'next');
      expect(await debounces.fire({ kind: 'k', key, jobId: 'next', windowMs, now: at(0) })).toEqual({ outcome: 'gone' });
    });
  });
}
