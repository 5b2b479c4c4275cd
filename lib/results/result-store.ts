/** Largest result kept on a job's record unless its kind says otherwise (`maxInlineResultBytes`), in bytes of JSON. A result over ~500 bytes pushes the record past 1 KB: each write then costs 2 units. */
export const DEFAULT_INLINE_RESULT_BYTES = 4096;
/** Largest `maxInlineResultBytes` a kind may take: a record stays far under DynamoDB's 400 KB item. */
export const MAX_INLINE_RESULT_BYTES = 32 * 1024;
/**
 * Largest result kept at all, in bytes of JSON: one over a kind's inline limit goes to the
 * result store up to this size. The HTTP API returns a result whole, and a Lambda function's
 * response is at most 6 MB.
 */
export const MAX_STORED_RESULT_BYTES = 4 * 1024 * 1024;

/**
 * Where results too large for a job's record are kept: the JobQueue's results bucket (S3) on
 * AWS, memory in tests. Written once per successful attempt, before the record says succeeded.
 */
export interface ResultStore {
  /** Keeps a result's JSON under `key`. */
  put(key: string, json: string): Promise<void>;
  /** The JSON kept under `key`, or undefined when there is none (its object expired). */
  get(key: string): Promise<string | undefined>;
}

/** A record's pointer to its result in the result store. */
export interface ResultRef {
  readonly key: string;
  /** Size of the result, in bytes of JSON. */
  readonly bytes: number;
}

/** A result that was not kept: too large for the record, and too large (or no place) for the result store. */
export interface DroppedResult {
  readonly bytes: number;
  readonly reason: string;
}

/** Objects of results live under this prefix of the results bucket. */
export const RESULTS_PREFIX = 'results/';

/** Where an attempt's result goes: one object per attempt, so an attempt that lost its job to another never overwrites that one's result. */
export function resultKeyOf(jobId: string, attempt: number, token: string | undefined): string {
  return `${RESULTS_PREFIX}${jobId}/${attempt}${token ? `-${token}` : ''}.json`;
}
