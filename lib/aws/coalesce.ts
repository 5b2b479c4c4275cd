/**
 * Calls made in the same turn of the event loop, run together: each `call(input)` waits until
 * the current turn's other calls are in (a `setImmediate`), then the inputs go to `run` in
 * chunks of at most `maxBatch`, no chunk holding two inputs of one key (a request may not name
 * an item twice), and each call gets its own answer. A chunk whose `run` throws rejects each of
 * its calls with that error. Used for the records of one SQS batch, which a worker processes
 * side by side: their claims reach DynamoDB as one request, and so do their outcomes.
 */
export function coalesce<I, O>(options: {
  readonly maxBatch: number;
  readonly keyOf: (input: I) => string;
  readonly run: (inputs: readonly I[]) => Promise<readonly O[]>;
}): (input: I) => Promise<O> {
  let pending: { input: I; resolve: (output: O) => void; reject: (error: unknown) => void }[] = [];
  const flush = () => {
    const calls = pending;
    pending = [];
    for (const chunk of chunks(calls, options.maxBatch, (call) => options.keyOf(call.input))) {
      options.run(chunk.map((call) => call.input)).then(
        (outputs) => chunk.forEach((call, i) => (i < outputs.length ? call.resolve(outputs[i]!) : call.reject(new Error(`a batch of ${chunk.length} calls answered ${outputs.length}`)))),
        (error: unknown) => chunk.forEach((call) => call.reject(error)),
      );
    }
  };
  return (input) => new Promise<O>((resolve, reject) => {
    if (pending.length === 0) setImmediate(flush);
    pending.push({ input, resolve, reject });
  });
}

/** `items` in order, in chunks of at most `size`, an item whose key a chunk holds already going to a later one. */
export function chunks<T>(items: readonly T[], size: number, keyOf: (item: T) => string): T[][] {
  const out: { items: T[]; keys: Set<string> }[] = [];
  for (const item of items) {
    const key = keyOf(item);
    let chunk = out.find((c) => c.items.length < size && !c.keys.has(key));
    if (!chunk) out.push((chunk = { items: [], keys: new Set() }));
    chunk.items.push(item);
    chunk.keys.add(key);
  }
  return out.map((c) => c.items);
}
