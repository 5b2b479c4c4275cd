/** An enqueue of a debounced kind: joins the key's pending job, or opens a new one. */
export interface DebounceJoin {
  readonly kind: string;
  readonly key: string;
  /** The payload, as JSON: the latest one is what the job runs with. */
  readonly payloadJson: string;
  /** The id the job gets should this enqueue open it. */
  readonly jobId: string;
  readonly windowMs: number;
  readonly now: Date;
}

/** A delivery of a debounced job, asking whether its key has been quiet for the window. */
export interface DebounceFire {
  readonly kind: string;
  readonly key: string;
  readonly jobId: string;
  readonly windowMs: number;
  readonly now: Date;
}

/** What a delivery of a debounced job is to do. */
export type FireOutcome =
  /** The window was quiet: run with the latest payload (later enqueues open a new job). */
  | { readonly outcome: 'fire'; readonly payloadJson: string }
  /** An enqueue came within the window: come back when it has been quiet for the window. */
  | { readonly outcome: 'wait'; readonly quietAt: Date }
  /** Another job holds the key now (this one was given up on, see {@link DEBOUNCE_ABANDONED_MS}): drop this one. */
  | { readonly outcome: 'superseded'; readonly byJobId: string }
  /** The key has no record (expired): run with the message's own payload. */
  | { readonly outcome: 'gone' };

/**
 * The pending job of each debounced key, shared by every client and worker: enqueues join it
 * (the latest payload wins) until a worker finds the key quiet and fires it.
 */
export interface DebounceStore {
  /** Joins the key's pending job (its id), or opens one with `jobId` when there is none (`opened`). */
  join(request: DebounceJoin): Promise<{ readonly opened: boolean; readonly jobId: string }>;
  /** Fires the key's job if the window has been quiet; else says what to do instead. */
  fire(request: DebounceFire): Promise<FireOutcome>;
  /** Forgets a job that was opened but could not be written (best effort). */
  abandon(kind: string, key: string, jobId: string): Promise<void>;
}

/**
 * A pending job whose window ended this long ago and still has not fired is given up on: the
 * next enqueue opens a new job (its enqueue may have failed after the key was taken). Should
 * the old job's message come after all, it is dropped as superseded.
 */
export const DEBOUNCE_ABANDONED_MS = 15 * 60_000;
