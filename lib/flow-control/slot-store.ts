/** One slot of a concurrency limit, held by a job until it releases it or its lease ends. */
export interface SlotRequest {
  readonly kind: string;
  /** The key the limit counts under (`*` for a per-kind limit). */
  readonly key: string;
  readonly limit: number;
  /** The job that wants a slot. */
  readonly holder: string;
  readonly now: Date;
  /** When the slot frees itself should the holder never release it (a crashed or hung worker). */
  readonly leaseUntil: Date;
}

/** The slot a job holds. */
export interface HeldSlot {
  readonly kind: string;
  readonly key: string;
  readonly index: number;
  readonly holder: string;
}

/**
 * Slots of concurrency limits, shared by every worker invocation: at most `limit` jobs of one
 * (kind, key) hold a slot at once; a slot whose lease ended is free again.
 */
export interface SlotStore {
  /** A free slot for `holder` (or the one it holds already), or undefined when all `limit` are held. */
  acquire(request: SlotRequest): Promise<HeldSlot | undefined>;
  /** Frees a slot its holder is done with (a no-op when another job holds it by now). */
  release(slot: HeldSlot): Promise<void>;
}

/** The order a request tries the slots in: from a random one, so that contenders spread out. */
export function slotOrder(limit: number, random: () => number = Math.random): number[] {
  const start = Math.floor(random() * limit);
  return Array.from({ length: limit }, (_, i) => (start + i) % limit);
}
