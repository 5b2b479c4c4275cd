import type * as z from 'zod';

/**
 * One format read two ways. `quick` is a small hand-written check that takes only the plain
 * case (what jobline itself writes) and answers `undefined` for anything else. The zod schema is
 * built on the first input `quick` passes on; it decides that input and names what is wrong.
 *
 * Why: building jobline's zod schemas and running their first parse cost a fresh worker about
 * 12 ms of its cold start (BENCHMARKS.md, section 6), for a config and messages jobline wrote.
 *
 * The contract, held by test/unit/quick-read.test.ts over generated inputs: whatever `quick`
 * accepts, the schema accepts too and gives the same value. `quick` may refuse more; the
 * schema then decides.
 */
export function quickThenSchema<T>(quick: (raw: unknown) => T | undefined, build: () => z.ZodType<T>): QuickReader<T> {
  let schema: z.ZodType<T> | undefined;
  const slow = () => (schema ??= build());
  return {
    safeParse: (raw) => {
      const data = quick(raw);
      return data === undefined ? slow().safeParse(raw) : { success: true, data };
    },
    schema: slow,
    quick,
  };
}

/** A reader made by {@link quickThenSchema}. */
export interface QuickReader<T> {
  /** `quick`'s value when it takes `raw`, else the schema's verdict. */
  safeParse(raw: unknown): { success: true; data: T } | { success: false; error: z.ZodError };
  /** The schema alone (built on first call). */
  schema(): z.ZodType<T>;
  /** The hand-written check alone. */
  quick(raw: unknown): T | undefined;
}

/**
 * An object as `JSON.parse` makes one: no key beyond `allowed`, none set to `undefined` (JSON has
 * none; zod would keep the key), and no `__proto__` key (which zod's output would make a prototype).
 */
export function plainObject(value: unknown, allowed?: ReadonlySet<string>): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const [key, field] of Object.entries(value)) {
    if (key === '__proto__' || field === undefined || (allowed && !allowed.has(key))) return false;
  }
  return true;
}

/** A record whose every value `value` takes, as a new object; undefined if one is refused. */
export function quickRecord<T>(raw: unknown, value: (v: unknown) => T | undefined): Record<string, T> | undefined {
  if (!plainObject(raw)) return undefined;
  const out: Record<string, T> = {};
  for (const [key, v] of Object.entries(raw)) {
    const read = value(v);
    if (read === undefined) return undefined;
    out[key] = read;
  }
  return out;
}

/** A string of `min` to `max` UTF-16 units, as zod's `.min()` and `.max()` count. */
export function stringOf(value: unknown, min = 0, max = Infinity): value is string {
  return typeof value === 'string' && value.length >= min && value.length <= max;
}

/** An integer from `min` to `max`. */
export function integerOf(value: unknown, min: number, max: number): value is number {
  return Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max;
}

/**
 * A URL zod's `.url()` takes and leaves as it is: one `URL` can parse, with no whitespace at its
 * ends and no tab or line break inside (zod would trim or strip those, changing the value).
 */
export function plainUrl(value: unknown): value is string {
  return typeof value === 'string' && !/^\s|\s$|[\t\n\r]/.test(value) && URL.canParse(value);
}
