import * as z from 'zod';
import { cronJobId, firingTime, type CronFiring } from './cron-firing.js';
import { isJobId } from './job-id.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.js';
import type { LinePlace } from './flow-control/slot-line.js';
import { parseTraceparent } from './tracing/traceparent.js';
import { plainObject, quickThenSchema, stringOf } from './quick-read.js';

/**
 * The body of a job's SQS message. It carries the payload, so the job record does not
 * have to (see {@link JobRecord}). Version 1.
 */
export interface JobMessage {
  readonly v: 1;
  readonly id: string;
  readonly kind: string;
  readonly payload: unknown;
  /** Present when a recurring schedule sent it; the id then derives from the firing. */
  readonly cron?: CronFiring & { readonly scheduledAt: string; readonly fallback: boolean };
  /**
   * Flow-control state a waiting job's message carries: its reserved rate-limit turn (ms since
   * the epoch), the limit its record says it waits for, and its place in the line for a
   * concurrency limit's slots.
   */
  readonly flow?: { readonly reservedAt?: number | undefined; readonly noted?: string | undefined; readonly line?: LinePlace | undefined } | undefined;
  /** Who enqueued it, carried by a job that has no record until its claim (tracking `from-claim`): the claim keeps it as `createdBy`. */
  readonly by?: string | undefined;
  /**
   * True when the job's record was written before this message was sent (every sender of a
   * job tracked in full marks it): a claim that then finds no record makes none — the job was
   * discarded — and drops the message, so a copy still on its way never brings a discarded job back.
   */
  readonly recorded?: true | undefined;
  /**
   * The job's message group, where SQS cannot carry it as the message's `MessageGroupId`: a
   * message EventBridge Scheduler sends (its SQS target sets a group only on FIFO queues). The
   * worker reads it when the message has no group of its own, and every later send keeps it.
   */
  readonly group?: string | undefined;
  /**
   * The job's creation context, a W3C `traceparent`: written only while tracing is on
   * (`jobline/tracing`), so the attempt's span links to the enqueue's even when one of jobline's
   * own functions (dispatcher, sweeper, Scheduler) sent this message.
   */
  readonly trace?: string | undefined;
}

const jobMessageSchema = () => z.object({
  v: z.literal(1, { error: 'unsupported message version (expected v: 1)' }),
  id: z.string().refine(isJobId, 'id is not a job id').optional(),
  kind: z.string().min(1, 'kind is empty'),
  payload: z.unknown(),
  cron: z.object({ schedule: z.string().min(1), scheduledTime: z.string() }).optional(),
  flow: z.object({
    reservedAt: z.number().finite().optional(),
    noted: z.string().max(20).optional(),
    line: z.object({ ticket: z.number().int().positive(), front: z.number().int().nonnegative(), frontAt: z.number().finite(), waited: z.number().finite().nonnegative(), admitted: z.literal(true).optional() }).optional(),
  }).optional(),
  by: z.string().max(512).optional(),
  recorded: z.literal(true).optional(),
  group: z.string().min(1).max(128).optional(),
  // Read as anything: a creation context that is not one is left out below, not a reason to fail the job.
  trace: z.unknown().optional(),
}).refine((m) => m.id !== undefined || m.cron !== undefined, { message: 'id is required', path: ['id'] });

type ReadMessage = z.output<ReturnType<typeof jobMessageSchema>>;

/** The keys of a message jobline sends before it waits for a limit (`cron` and `flow` go to the schema). */
const PLAIN_KEYS = new Set(['v', 'id', 'kind', 'payload', 'by', 'recorded', 'group', 'trace']);

/** {@link jobMessageSchema}'s verdict on a plain message (what `encodeJobMessage` writes), without zod (see lib/quick-read.ts); undefined for anything else. */
function quickMessage(raw: unknown): ReadMessage | undefined {
  if (!plainObject(raw, PLAIN_KEYS) || raw.v !== 1 || !isJobId(raw.id) || !stringOf(raw.kind, 1) || !('payload' in raw)) return undefined;
  if ((raw.by !== undefined && !stringOf(raw.by, 0, 512)) || (raw.recorded !== undefined && raw.recorded !== true) || (raw.group !== undefined && !stringOf(raw.group, 1, 128))) return undefined;
  return {
    v: 1,
    id: raw.id,
    kind: raw.kind,
    payload: raw.payload,
    ...(raw.by !== undefined ? { by: raw.by } : {}),
    ...(raw.recorded ? { recorded: true as const } : {}),
    ...(raw.group !== undefined ? { group: raw.group } : {}),
    ...('trace' in raw ? { trace: raw.trace } : {}),
  };
}

const messageReader = quickThenSchema(quickMessage, jobMessageSchema);

/** The message's zod schema and its quick check, for the test that holds them to one verdict. @internal */
export const messageReaderForTests = messageReader;

/** What reading a message needs besides its body. */
export interface MessageContext {
  /** When SQS accepted the message (ms since the epoch). */
  readonly sentTimestamp: number;
  /** Shards of the jobs table, for ids derived from schedule firings. */
  readonly shardCount: number;
}

/** Message attribute names jobline sets, readable in the SQS console. */
export const MESSAGE_ATTRIBUTES = {
  id: 'jobline.id',
  kind: 'jobline.kind',
  attempt: 'jobline.attempt',
  error: 'jobline.error',
  errorClass: 'jobline.error-class',
  permanent: 'jobline.permanent',
  claimToken: 'jobline.claim',
  group: 'jobline.group',
} as const;

/**
 * Serialises a message body. `payloadJson` is the payload already serialised (it was measured
 * at validation). `recorded`: the job's record is written (see {@link JobMessage.recorded});
 * `by`: who enqueued a job that has no record yet; `trace`: its creation context (before the
 * payload, where `traceInBody` finds it).
 */
export function encodeJobMessage(id: string, kind: string, payloadJson: string, carries: { recorded?: boolean; by?: string | undefined; trace?: string | undefined } = {}): string {
  const by = carries.by === undefined ? '' : `,"by":${JSON.stringify(carries.by)}`;
  const trace = carries.trace === undefined ? '' : `,"trace":${JSON.stringify(carries.trace)}`;
  return `{"v":1,"id":${JSON.stringify(id)},"kind":${JSON.stringify(kind)}${carries.recorded ? ',"recorded":true' : ''}${by}${trace},"payload":${payloadJson}}`;
}

/** The job id at the start of a body {@link encodeJobMessage} wrote, for log lines (read without parsing the payload); undefined for any other body. */
export function jobIdInBody(body: string): string | undefined {
  return /^\{"v":1,"id":"([0-9A-HJKMNP-TV-Z]{26})"/.exec(body)?.[1];
}

/** The body of a message sent again to wait for flow control: the same job, carrying `flow` instead of what it carried. */
export function withFlow(body: string, flow: NonNullable<JobMessage['flow']>): string {
  return JSON.stringify({ ...(JSON.parse(body) as object), flow });
}

/** The body of a message that carries its group itself (see {@link JobMessage.group}); the body as it was without one. */
export function withGroup(body: string, groupId: string | undefined): string {
  return groupId === undefined ? body : JSON.stringify({ ...(JSON.parse(body) as object), group: groupId });
}

/** Result of reading a message body: the message, or why it is not one. */
export type DecodedJobMessage = { ok: true; message: JobMessage } | { ok: false; reason: string };

/** Reads a message body without throwing: a garbage body gives a plain reason instead. */
export function decodeJobMessage(body: string, context: MessageContext = { sentTimestamp: Date.now(), shardCount: 1 }): DecodedJobMessage {
  // The envelope adds one level to the payload's nesting.
  if (nestsDeeperThan(body, MAX_JSON_DEPTH + 1)) return { ok: false, reason: `message body nests deeper than ${MAX_JSON_DEPTH} levels (objects and arrays)` };
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (error) {
    return { ok: false, reason: `message body is not JSON (${(error as Error).message})` };
  }
  const parsed = messageReader.safeParse(raw);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
    return { ok: false, reason: `message body is not a jobline job (${details})` };
  }
  const { id, cron, trace, ...fields } = parsed.data;
  const rest = trace !== undefined && parseTraceparent(trace) ? { ...fields, trace: trace as string } : fields;
  if (id !== undefined) return { ok: true, message: { ...rest, v: 1, id } };
  const { time, fallback } = firingTime(cron!, context.sentTimestamp);
  const firing = { ...cron!, scheduledAt: new Date(time).toISOString(), fallback };
  return { ok: true, message: { ...rest, v: 1, id: cronJobId(cron!, time, context.shardCount), cron: firing } };
}
