import { AssertionError } from 'node:assert';
import { isDeepStrictEqual, inspect } from 'node:util';
import type { AnyJobDefinition, JobDefinition } from '../job-definition.js';
import type { EnqueuedMessage, TestQueue } from './test-queue.js';

/**
 * Asserts that code under test enqueued at least one job of `job`'s kind on `queue` whose
 * payload matches `payload` — every field given must be deep-equal, fields left out are not
 * compared (nested objects too; arrays compare whole) — and returns the matching messages.
 * Throws an `AssertionError` that lists what was enqueued instead, so it works with any test
 * runner.
 *
 * @example expectEnqueued(queue, sendWelcome, { to: 'ada@example.com' });
 */
export function expectEnqueued<TInput>(queue: TestQueue, job: JobDefinition<unknown, TInput> | string, payload?: DeepPartial<TInput>): EnqueuedMessage[] {
  const kind = typeof job === 'string' ? job : job.kind;
  const ofKind = queue.enqueued(kind);
  const matching = payload === undefined ? ofKind : ofKind.filter((m) => matches(m.payload, payload));
  if (matching.length > 0) return matching;
  const all = queue.enqueued();
  const seen = all.length === 0 ? 'nothing was enqueued' : `enqueued:\n${all.map((m) => `  ${m.kind} ${inspect(m.payload, { depth: 4, breakLength: Infinity })}`).join('\n')}`;
  throw new AssertionError({
    message: `expected a "${kind}" job${payload === undefined ? '' : ` with payload matching ${inspect(payload, { depth: 4, breakLength: Infinity })}`} to be enqueued; ${seen}`,
    actual: ofKind.map((m) => m.payload),
    expected: payload,
    operator: 'expectEnqueued',
  });
}

/** Asserts that no job of `job`'s kind was enqueued on `queue` (of any payload). */
export function expectNotEnqueued(queue: TestQueue, job: AnyJobDefinition | string): void {
  const kind = typeof job === 'string' ? job : job.kind;
  const found = queue.enqueued(kind);
  if (found.length === 0) return;
  throw new AssertionError({
    message: `expected no "${kind}" job to be enqueued; found ${found.length}: ${found.map((m) => inspect(m.payload, { depth: 4, breakLength: Infinity })).join(', ')}`,
    actual: found.map((m) => m.payload),
    expected: [],
    operator: 'expectNotEnqueued',
  });
}

/** A payload with any fields left out, at any depth. */
export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

function matches(actual: unknown, expected: unknown): boolean {
  if (isPlainObject(expected) && isPlainObject(actual)) {
    return Object.entries(expected).every(([key, value]) => value === undefined ? actual[key] === undefined : key in actual && matches(actual[key], value));
  }
  return isDeepStrictEqual(actual, expected);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
