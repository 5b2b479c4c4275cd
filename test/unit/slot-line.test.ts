import { describe, expect, it } from 'vitest';
import { ContendedKeys, lookAtLine, MAX_LOOK_SECONDS, MAX_NEAR_EXTRA, nearFront, NEAR_SECONDS, SLOT_RETRY_SECONDS } from '../../lib/flow-control/slot-line.js';

const T0 = 1_000_000;
const noJitter = () => 0;

describe('a look at the line of a concurrency key', () => {
  it('tries the slots when at most `limit` tickets past the front, and comes back in a few seconds should that fail', () => {
    for (const ticket of [3, 12, 13]) {
      const look = lookAtLine({ ticket, front: 3, limit: 10, now: T0, random: noJitter });
      expect(look).toEqual({ tryNow: true, seconds: SLOT_RETRY_SECONDS, place: { ticket, front: 3, frontAt: T0, waited: SLOT_RETRY_SECONDS } });
    }
  });

  it('only reads the front when further back: the first look waits a few seconds, to measure the pace', () => {
    const look = lookAtLine({ ticket: 14, front: 3, limit: 10, now: T0, random: noJitter });
    expect(look).toEqual({ tryNow: false, seconds: SLOT_RETRY_SECONDS, place: { ticket: 14, front: 3, frontAt: T0, waited: SLOT_RETRY_SECONDS } });
  });

  it('counts as near the front the limit plus what the line admits in 10 s at its pace, at most 1,000 more', () => {
    expect(nearFront(10, 0)).toBe(10);
    expect(nearFront(10, 2.05)).toBe(10 + Math.ceil(2.05 * NEAR_SECONDS));
    expect(nearFront(10, 1e6)).toBe(10 + MAX_NEAR_EXTRA);
    // 10 tickets a second measured: ticket 120 (110 past the front) is near, 121 is not.
    const before = { ticket: 0, front: 0, frontAt: T0, waited: 2 };
    expect(lookAtLine({ ticket: 120, front: 10, limit: 10, now: T0 + 1000, before: { ...before, ticket: 120 }, random: noJitter }).tryNow).toBe(true);
    expect(lookAtLine({ ticket: 121, front: 10, limit: 10, now: T0 + 1000, before: { ...before, ticket: 121 }, random: noJitter }).tryNow).toBe(false);
  });

  it('comes back when the front should be half way to it, from the pace it moved at since the last look (at most 900 s)', () => {
    const before = { ticket: 10_000, front: 100, frontAt: T0, waited: 2 };
    // 50 tickets in 5 s: 10 a second, so 110 count as near. 9,850 - 110 to go: 974 s; half of it is 487 s.
    const look = lookAtLine({ ticket: 10_000, front: 150, limit: 10, now: T0 + 5000, before, random: noJitter });
    expect(look).toEqual({ tryNow: false, seconds: 487, place: { ticket: 10_000, front: 150, frontAt: T0 + 5000, waited: 487 } });
    // Twice as far: capped at SQS's longest delay.
    expect(lookAtLine({ ticket: 20_000, front: 150, limit: 10, now: T0 + 5000, before: { ...before, ticket: 20_000 }, random: noJitter }).seconds).toBe(MAX_LOOK_SECONDS);
  });

  it('doubles its wait while the front stands still, keeping the time it last moved', () => {
    const before = { ticket: 500, front: 100, frontAt: T0, waited: 8 };
    const look = lookAtLine({ ticket: 500, front: 100, limit: 10, now: T0 + 8000, before, random: () => 0.99 });
    expect(look).toEqual({ tryNow: false, seconds: 16, place: { ticket: 500, front: 100, frontAt: T0, waited: 16 } });
    expect(lookAtLine({ ticket: 500, front: 100, limit: 10, now: T0 + 8000, before: { ...before, waited: 600 }, random: () => 0.99 }).seconds).toBe(MAX_LOOK_SECONDS);
  });

  it('probes a stalled front with a chance of (4 × limit ÷ distance)², so that a line whose jobs near the front are gone goes on', () => {
    const before = { ticket: 500, front: 100, frontAt: T0, waited: 32 };
    const look = (random: number, ticket = 500) => lookAtLine({ ticket, front: 100, limit: 10, now: T0 + 32_000, before: { ...before, ticket }, random: () => random }).tryNow;
    // 400 back, limit 10: (40 / 400)² = 0.01.
    expect(look(0.0099)).toBe(true);
    expect(look(0.0101)).toBe(false);
    // 40 back or closer: always (41 back, a chance of about 0.95).
    expect(look(0.999, 140)).toBe(true);
    expect(look(0.96, 141)).toBe(false);
    // The front moved meanwhile: no probe, whatever the draw.
    expect(lookAtLine({ ticket: 500, front: 101, limit: 10, now: T0 + 32_000, before, random: () => 0 }).tryNow).toBe(false);
  });
});

describe('keys a worker saw contended', () => {
  it('remembers a key for 30 s, and at most its last 1,000 keys', () => {
    const keys = new ContendedKeys();
    keys.mark('a', T0);
    expect(keys.has('a', T0 + 29_999)).toBe(true);
    expect(keys.has('a', T0 + 30_000)).toBe(false);
    expect(keys.has('b', T0)).toBe(false);
    for (let i = 0; i < 1000; i++) keys.mark(`k${i}`, T0);
    expect(keys.has('a', T0)).toBe(false);
    expect(keys.has('k0', T0)).toBe(true);
  });
});
