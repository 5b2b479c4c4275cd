import { MAX_STORED_RESULT_BYTES, type DroppedResult, type ResultRef, type ResultStore } from './result-store.js';

/** Where a succeeded attempt's result lives: on the record, in the result store, or nowhere (too large). */
export interface KeptResult {
  readonly result?: unknown;
  readonly resultRef?: ResultRef | undefined;
  readonly resultDropped?: DroppedResult | undefined;
}

/** What {@link keepResult} needs besides the result. */
export interface KeepResultOptions {
  /** The kind's `maxInlineResultBytes`: larger results leave the record. */
  readonly inlineBytes: number;
  /** Where larger ones go; without one (no results bucket), they are dropped with a note. */
  readonly store?: ResultStore | undefined;
  /** The store's key for this attempt's result. */
  readonly key: string;
}

/**
 * Keeps a succeeded attempt's result: on the record up to the kind's inline limit, else in the
 * result store (up to {@link MAX_STORED_RESULT_BYTES}) with a pointer on the record, else not at
 * all, with its size and why on the record. The store is written before the record, so a
 * pointer never names a missing object (a crash between the two leaves an unreferenced object,
 * which the bucket's lifecycle deletes).
 */
export async function keepResult(result: unknown, options: KeepResultOptions): Promise<KeptResult> {
  if (result === undefined) return {};
  const json = JSON.stringify(result);
  // A function or a symbol: nothing JSON can hold.
  if (json === undefined) return {};
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes <= options.inlineBytes) return { result };
  if (!options.store) return { resultDropped: { bytes, reason: `the result is ${bytes} bytes, over the kind's maxInlineResultBytes (${options.inlineBytes}), and this queue has no results bucket to keep it in` } };
  if (bytes > MAX_STORED_RESULT_BYTES) return { resultDropped: { bytes, reason: `the result is ${bytes} bytes, over the ${MAX_STORED_RESULT_BYTES} bytes jobline keeps` } };
  await options.store.put(options.key, json);
  return { resultRef: { key: options.key, bytes } };
}
