import { DEBOUNCE_ABANDONED_MS, type DebounceFire, type DebounceJoin, type DebounceStore, type FireOutcome } from '../flow-control/debounce-store.js';
import type { FlowControlStores } from '../flow-control/flow-control-stores.js';
import type { RateRequest, RateStore } from '../flow-control/rate-store.js';
import { slotOrder, type HeldSlot, type LineKey, type SlotRequest, type SlotStore } from '../flow-control/slot-store.js';

/** A `SlotStore` in memory with the same rules as the DynamoDB one, for unit tests. */
export class MemorySlotStore implements SlotStore {
  /** Slot → holder and lease end (ISO). */
  readonly slots = new Map<string, { holder: string; leaseUntil: string }>();

  async acquire(request: SlotRequest): Promise<HeldSlot | undefined> {
    for (const index of slotOrder(request.limit)) {
      const key = `${request.kind}#${request.key}#${index}`;
      const held = this.slots.get(key);
      if (held && held.leaseUntil >= request.now.toISOString() && held.holder !== request.holder) continue;
      this.slots.set(key, { holder: request.holder, leaseUntil: request.leaseUntil.toISOString() });
      return { kind: request.kind, key: request.key, index, holder: request.holder };
    }
    return undefined;
  }

  async release(slot: HeldSlot): Promise<void> {
    const key = `${slot.kind}#${slot.key}#${slot.index}`;
    if (this.slots.get(key)?.holder === slot.holder) this.slots.delete(key);
  }

  async renew(slot: HeldSlot, leaseUntil: Date): Promise<boolean> {
    const held = this.slots.get(`${slot.kind}#${slot.key}#${slot.index}`);
    if (held?.holder !== slot.holder) return false;
    held.leaseUntil = leaseUntil.toISOString();
    return true;
  }

  /** Line → its last ticket and its front. */
  readonly lines = new Map<string, { issued: number; front: number }>();

  async join(line: LineKey): Promise<{ ticket: number; front: number }> {
    const held = this.lineOf(line);
    held.issued += 1;
    return { ticket: held.issued, front: held.front };
  }

  async front(line: LineKey): Promise<number> {
    return this.lineOf(line).front;
  }

  async advance(line: LineKey): Promise<void> {
    this.lineOf(line).front += 1;
  }

  private lineOf(line: LineKey): { issued: number; front: number } {
    const key = `${line.kind}#${line.key}`;
    let held = this.lines.get(key);
    if (!held) this.lines.set(key, (held = { issued: 0, front: 0 }));
    return held;
  }
}

/** A `RateStore` in memory with the same rules as the DynamoDB one. */
export class MemoryRateStore implements RateStore {
  /** Key → its next free turn (ms since the epoch). */
  readonly nextAt = new Map<string, number>();

  async reserve(request: RateRequest): Promise<Date> {
    const key = `${request.kind}#${request.key}`;
    const now = request.now.getTime();
    const interval = Math.ceil(request.intervalMs);
    const next = this.nextAt.get(key);
    const at = next !== undefined && next > now ? next : now;
    this.nextAt.set(key, at + interval);
    return new Date(at);
  }
}

/** A `DebounceStore` in memory with the same rules as the DynamoDB one. */
export class MemoryDebounceStore implements DebounceStore {
  readonly keys = new Map<string, { jobId: string; payloadJson: string; lastAt: number; state: 'pending' | 'started' }>();

  async join(request: DebounceJoin): Promise<{ opened: boolean; jobId: string }> {
    const key = `${request.kind}#${request.key}`;
    const now = request.now.getTime();
    const held = this.keys.get(key);
    if (held?.state === 'pending' && held.lastAt > now - request.windowMs - DEBOUNCE_ABANDONED_MS) {
      this.keys.set(key, { ...held, payloadJson: request.payloadJson, lastAt: now });
      return { opened: false, jobId: held.jobId };
    }
    this.keys.set(key, { jobId: request.jobId, payloadJson: request.payloadJson, lastAt: now, state: 'pending' });
    return { opened: true, jobId: request.jobId };
  }

  async fire(request: DebounceFire): Promise<FireOutcome> {
    const held = this.keys.get(`${request.kind}#${request.key}`);
    if (!held) return { outcome: 'gone' };
    if (held.jobId !== request.jobId) return { outcome: 'superseded', byJobId: held.jobId };
    if (held.state === 'pending' && held.lastAt > request.now.getTime() - request.windowMs) return { outcome: 'wait', quietAt: new Date(held.lastAt + request.windowMs) };
    held.state = 'started';
    return { outcome: 'fire', payloadJson: held.payloadJson };
  }

  async abandon(kind: string, key: string, jobId: string): Promise<void> {
    if (this.keys.get(`${kind}#${key}`)?.jobId === jobId) this.keys.delete(`${kind}#${key}`);
  }
}

/** Every flow-control store in memory, for unit tests and `createTestQueue`. */
export class MemoryFlowControl implements FlowControlStores {
  readonly slots = new MemorySlotStore();
  readonly rates = new MemoryRateStore();
  readonly debounces = new MemoryDebounceStore();
}
