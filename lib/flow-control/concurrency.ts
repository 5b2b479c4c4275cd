import { InvalidEnqueueOptionsError } from '../errors.js';
import type { JobDefinition } from '../job-definition.js';

/** Seconds a job that found no free slot waits before it tries again, at least (a second of jitter is added). */
export const SLOT_RETRY_SECONDS = 2;

/** The key a kind's concurrency limit counts a payload under: its key function's, or the kind's own for a per-kind limit. */
export function concurrencyKeyOf(definition: JobDefinition, payload: unknown, context?: string): string | undefined {
  const limit = definition.concurrency;
  if (!limit) return undefined;
  if (!limit.key) return '*';
  let key: unknown;
  try {
    key = limit.key(payload);
  } catch (error) {
    throw new InvalidEnqueueOptionsError(`the concurrency key of "${definition.kind}" threw: ${error instanceof Error ? error.message : String(error)}`, { context, cause: error });
  }
  if (typeof key !== 'string' || key.length === 0 || key.length > 256) {
    throw new InvalidEnqueueOptionsError(`the concurrency key of "${definition.kind}" must be a string of 1–256 characters, got ${JSON.stringify(key)}`, { context });
  }
  return key;
}
