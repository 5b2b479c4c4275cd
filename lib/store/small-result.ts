import { MAX_INLINE_RESULT_BYTES } from '../results/result-store.js';
import type { SucceededOutcome } from './attempt-outcome.js';

/** Largest progress report kept on the record, in bytes of JSON. */
export const MAX_RESULT_BYTES = 4096;
/** Largest summary a parent keeps as its result, in bytes of JSON (it is written once). */
export const MAX_PARENT_SUMMARY_BYTES = 32 * 1024;

/** Keeps a small result (or progress) as is; a large one is replaced by a note of its size. Every store keeps results this way. */
export function smallResult(result: unknown, limit = MAX_RESULT_BYTES): unknown {
  if (result === undefined) return undefined;
  const json = JSON.stringify(result);
  if (json === undefined) return undefined;
  const bytes = Buffer.byteLength(json, 'utf8');
  return bytes <= limit ? result : { truncated: true, bytes, note: `results over ${limit} bytes are not stored on the record` };
}

/**
 * A success's result as every store keeps it: inline (cut at the largest inline limit any kind
 * may have: the worker has already applied the kind's own), or the pointer or note of where it
 * went instead.
 */
export function keptResult(outcome: SucceededOutcome): { result: unknown; resultRef: SucceededOutcome['resultRef']; resultDropped: SucceededOutcome['resultDropped'] } {
  return { result: smallResult(outcome.result, MAX_INLINE_RESULT_BYTES), resultRef: outcome.resultRef, resultDropped: outcome.resultDropped };
}
