/** What a kind's worker did over a window of time, from its own metrics (Succeeded, Retried, Failed, WaitingForChildren, DelayedByLimit, Duration). */
export interface KindTraffic {
  /** Jobs that succeeded (their last attempt). */
  readonly succeeded: number;
  /** Attempts that failed and left their job to run again. */
  readonly retried: number;
  /** Jobs that failed for good (dead-lettered or failed). */
  readonly failed: number;
  /** Parents whose attempt ended waiting for their children (each finishes later, with no attempt of its own). */
  readonly waited: number;
  /** Deliveries that waited for a flow-control limit, using no attempt. */
  readonly delayedByLimit: number;
  /** The attempts' handler time, summed, in milliseconds. */
  readonly durationMs: number;
}

/** A kind that did nothing in the window. */
export const NO_TRAFFIC: KindTraffic = { succeeded: 0, retried: 0, failed: 0, waited: 0, delayedByLimit: 0, durationMs: 0 };

/** Where a queue's per-kind metrics are read. */
export interface KindTrafficSource {
  /** Where the figures come from, in words (CloudWatch metrics, or the worker's log lines). */
  readonly describe: string;
  /** Each kind's traffic from `since` to `until` (a kind with no metrics in the window is absent). */
  traffic(since: Date, until: Date): Promise<Map<string, KindTraffic>>;
}

/** `a + b`, field by field. */
export function addTraffic(a: KindTraffic, b: Partial<KindTraffic>): KindTraffic {
  return {
    succeeded: a.succeeded + (b.succeeded ?? 0),
    retried: a.retried + (b.retried ?? 0),
    failed: a.failed + (b.failed ?? 0),
    waited: a.waited + (b.waited ?? 0),
    delayedByLimit: a.delayedByLimit + (b.delayedByLimit ?? 0),
    durationMs: a.durationMs + (b.durationMs ?? 0),
  };
}
