import { slotOrder, type HeldSlot, type SlotRequest, type SlotStore } from '../flow-control/slot-store.js';

/** A {@link SlotStore} in memory with the same rules as the DynamoDB one, for unit tests. */
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
}
