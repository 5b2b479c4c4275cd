/**
 * A W3C `traceparent` (version 00): trace id, parent span id, flags. jobline keeps one with each
 * job — the context the job was created in — on its message and, when the job has one, its record.
 */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The parts of a `traceparent`. */
export interface TraceParent {
  readonly traceId: string;
  readonly spanId: string;
  readonly flags: number;
}

/** The parts of a `traceparent`, or undefined for anything else (an all-zero id included: W3C calls it invalid). */
export function parseTraceparent(value: unknown): TraceParent | undefined {
  if (typeof value !== 'string') return undefined;
  const match = TRACEPARENT.exec(value);
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return undefined;
  return { traceId: match[1]!, spanId: match[2]!, flags: Number.parseInt(match[3]!, 16) };
}

/** The `traceparent` of a span context. */
export function formatTraceparent(parent: TraceParent): string {
  return `00-${parent.traceId}-${parent.spanId}-${(parent.flags & 0xff).toString(16).padStart(2, '0')}`;
}

/**
 * The creation context a job message's body carries (its `trace`), read without parsing the
 * payload: a batch's span links to each record's before any of them is decoded. Only the envelope
 * before `"payload":` is searched (jobline writes `trace` there), so a payload's own `trace` field is never taken.
 */
export function traceInBody(body: string): string | undefined {
  const end = body.indexOf('"payload":');
  const at = body.indexOf(',"trace":"');
  if (at < 0 || (end >= 0 && at > end)) return undefined;
  const value = body.slice(at + 10, at + 65);
  return parseTraceparent(value) ? value : undefined;
}
