/** SQS limits for one SendMessageBatch request. */
export const SQS_BATCH_MAX_ENTRIES = 10;
export const SQS_BATCH_MAX_BYTES = 262_144;

/**
 * Splits items into batches of at most `maxEntries` whose sizes add up to at most `maxBytes`,
 * keeping their order. An item larger than `maxBytes` goes alone.
 */
export function batchesOf<T>(items: readonly T[], sizeOf: (item: T) => number, maxEntries = SQS_BATCH_MAX_ENTRIES, maxBytes = SQS_BATCH_MAX_BYTES): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length >= maxEntries || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
