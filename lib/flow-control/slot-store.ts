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
  /**
   * Read the slots first and write only to those that look free: a job of a line that is likely
   * full then pays reads, not one failed write per held slot. A job not expecting contention
   * writes at once (one write when a slot is free).
   */
  readonly readFirst?: boolean | undefined;
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
  /** Moves the lease of a slot its holder still holds on to `leaseUntil` (a heartbeat kind's beat); false when another job holds it by now. */
  renew(slot: HeldSlot, leaseUntil: Date): Promise<boolean>;
  /** Takes the next ticket of the key's line of waiting jobs (see slot-line.ts): the ticket, and the line's front. */
  join(line: LineKey, now: Date): Promise<{ ticket: number; front: number }>;
  /** The line's front: how many of its tickets are done with (their job got a slot, or was dropped and gave it back). */
  front(line: LineKey): Promise<number>;
  /** Moves the line's front on by one: a job of the line got a slot, or gave its ticket back. */
  advance(line: LineKey, now: Date): Promise<void>;
}

/** The line of one concurrency key. */
export interface LineKey {
  readonly kind: string;
  readonly key: string;
}

/** The order a request tries the slots in: from a random one, so that contenders spread out. */
export function slotOrder(limit: number, random: () => number = Math.random): number[] {
  const start = Math.floor(random() * limit);
  return Array.from({ length: limit }, (_, i) => (start + i) % limit);
}
