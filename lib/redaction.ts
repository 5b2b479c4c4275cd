import type { JobError, JobRecord } from './job-record.js';

/** What a redacted value is shown as. */
export const REDACTED = '[redacted]';
/** Values shorter than this are not scrubbed out of error texts (they would blank out unrelated words and numbers). */
const MIN_SCRUBBED_LENGTH = 3;
/** A field path: names separated by dots (`email`, `card.number`); arrays on the way are crossed element by element. */
export const FIELD_PATH = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/;

/** A copy of `value` with every field at `paths` replaced by {@link REDACTED}. */
export function redactFields(value: unknown, paths: readonly string[]): unknown {
  let copy = value;
  for (const path of paths) copy = replaceAt(copy, path.split('.'));
  return copy;
}

function replaceAt(value: unknown, path: readonly string[]): unknown {
  if (Array.isArray(value)) return value.map((item) => replaceAt(item, path));
  if (value === null || typeof value !== 'object' || path.length === 0) return value;
  const [name, ...rest] = path as [string, ...string[]];
  if (!Object.hasOwn(value, name)) return value;
  const field = (value as Record<string, unknown>)[name];
  return { ...value, [name]: rest.length === 0 ? REDACTED : replaceAt(field, rest) };
}

/** The values (strings and numbers) at `paths` in `value`: what must not appear in an error text either. */
export function fieldValues(value: unknown, paths: readonly string[]): string[] {
  const found: string[] = [];
  const collect = (node: unknown, path: readonly string[]): void => {
    if (Array.isArray(node)) return node.forEach((item) => collect(item, path));
    if (path.length === 0) {
      if (typeof node === 'string' || typeof node === 'number') found.push(String(node));
      else if (node !== null && typeof node === 'object') for (const child of Object.values(node)) collect(child, []);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const [name, ...rest] = path as [string, ...string[]];
    if (Object.hasOwn(node, name)) collect((node as Record<string, unknown>)[name], rest);
  };
  for (const path of paths) collect(value, path.split('.'));
  return found.filter((v) => v.length >= MIN_SCRUBBED_LENGTH);
}

/** `text` with every occurrence of `values` replaced by {@link REDACTED}, longest first. */
export function scrubText(text: string, values: readonly string[]): string {
  let scrubbed = text;
  for (const value of [...values].sort((a, b) => b.length - a.length)) scrubbed = scrubbed.split(value).join(REDACTED);
  return scrubbed;
}

/**
 * A value a handler produced — its result, its progress — with the kind's redacted field names
 * replaced (a result's `email` is hidden as the payload's is) and the payload's redacted values
 * scrubbed out of every string, number and key in it (a result's `sentTo: "ada@…"` too).
 */
export function redactValue(value: unknown, paths: readonly string[], values: readonly string[]): unknown {
  if (paths.length === 0 || value === undefined) return value;
  return scrubDeep(redactFields(value, paths), values);
}

function scrubDeep(value: unknown, values: readonly string[]): unknown {
  if (values.length === 0) return value;
  if (typeof value === 'string') return scrubText(value, values);
  if (typeof value === 'number') return values.includes(String(value)) ? REDACTED : value;
  if (Array.isArray(value)) return value.map((item) => scrubDeep(item, values));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [scrubText(key, values), scrubDeep(field, values)]));
}

/** An error with the redacted fields' values scrubbed out of its message. */
export function scrubError(error: JobError, values: readonly string[]): JobError {
  return values.length === 0 ? error : { ...error, message: scrubText(error.message, values) };
}

/**
 * A record as shown to people (the dashboard, the CLI, the HTTP API, `JobClient.get`): its kept
 * payload with the kind's redacted fields replaced; their values scrubbed out of its errors,
 * result and progress; and fields of the result and progress with a redacted name replaced.
 * The stored record keeps the real payload, so a retry still runs with it. (The worker scrubs
 * results and progress as it writes them, with the payload it ran: see {@link redactValue}.)
 */
export function redactRecord(record: JobRecord, paths: readonly string[] | undefined): JobRecord {
  if (!paths || paths.length === 0) return record;
  const values = record.payload === undefined ? [] : fieldValues(record.payload, paths);
  return {
    ...record,
    ...(record.payload === undefined ? {} : { payload: redactFields(record.payload, paths) }),
    ...(record.lastError ? { lastError: scrubError(record.lastError, values) } : {}),
    ...(record.errors ? { errors: record.errors.map((e) => scrubError(e, values)) } : {}),
    ...(record.result === undefined ? {} : { result: redactValue(record.result, paths, values) }),
    ...(record.progress === undefined ? {} : { progress: redactValue(record.progress, paths, values) }),
  };
}

/** A message body as shown (a DLQ listing): the payload of a kind with `redact` fields replaced; any other body as it is. */
export function redactMessageBody(body: string, redact: Readonly<Record<string, readonly string[]>> | undefined): string {
  if (!redact) return body;
  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    return body;
  }
  if (message === null || typeof message !== 'object' || !('payload' in message)) return body;
  const paths = redact[String((message as { kind?: unknown }).kind)];
  return paths?.length ? JSON.stringify({ ...message, payload: redactFields((message as { payload: unknown }).payload, paths) }) : body;
}
