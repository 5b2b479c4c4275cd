/** Largest handler result kept on the record, in bytes of JSON. A result over ~500 bytes pushes the record past 1 KB: each write then costs 2 units. */
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
