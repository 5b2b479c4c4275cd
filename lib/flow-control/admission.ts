import type { Logger } from '@aws-lambda-powertools/logger';
import type { JobDefinition } from '../job-definition.js';
import type { JobMessage } from '../job-message.js';
import type { JobWait } from '../job-record.js';
import { MAX_SQS_DELAY_SECONDS } from '../transport/sqs-limits.js';
import type { FlowControlStores } from './flow-control-stores.js';
import { flowKeyOf, type KeyedOption } from './flow-keys.js';
import { rateSpacing } from './rate-store.js';
import type { HeldSlot, LineKey } from './slot-store.js';
import { ContendedKeys, lookAtLine, SLOT_RETRY_SECONDS, type LinePlace } from './slot-line.js';

export { SLOT_RETRY_SECONDS } from './slot-line.js';

/** A rate-limited job whose turn is at most this far off waits for it in the worker (no new message), in ms. */
export const MAX_IN_PROCESS_WAIT_MS = 2000;
/** The longest a waiting job's message is held before it is delivered again (SQS's longest delay), in seconds. */
const MAX_WAIT_SECONDS = MAX_SQS_DELAY_SECONDS;

/** What admission needs. */
export interface AdmissionDependencies {
  readonly flowControl?: FlowControlStores | undefined;
  readonly now: () => Date;
  readonly random: () => number;
}

/**
 * What a delivery is to do before its claim:
 * - `run` the job (`job` carries the latest payload of a debounced key), holding `slot` of its
 *   concurrency limit, starting no earlier than `startAt` (its rate-limit turn);
 * - `wait`: come back in `seconds` (its message is sent again, carrying `flow`), without using
 *   an attempt; `wait` says what it waits for;
 * - `drop` it: a newer job of its debounced key runs instead.
 */
export type Admission =
  | { readonly action: 'run'; readonly job: JobMessage; readonly slot?: HeldSlot | undefined; readonly startAt?: Date | undefined }
  | { readonly action: 'wait'; readonly seconds: number; readonly wait: JobWait; readonly flow?: JobMessage['flow'] }
  | { readonly action: 'drop'; readonly byJobId: string };

/**
 * Admits a delivery under its kind's flow control, in order: debounce (has the key been quiet
 * for the window?), concurrency (a free slot, held until the attempt ends or its lease does),
 * rate limit (its turn: now, soon — waited for here — or later, carried on its message so the
 * turn is kept). Kinds without flow control, and payloads that do not parse (the claim and the
 * worker fail those), run at once.
 */
export async function admit(job: JobMessage, definition: JobDefinition | undefined, leaseUntil: Date, deps: AdmissionDependencies, logger: Pick<Logger, 'info' | 'warn'>): Promise<Admission> {
  const stores = deps.flowControl;
  if (!definition || !stores || !(definition.concurrency || definition.rateLimit || definition.debounce)) return { action: 'run', job };
  let current = job;
  let payload = definition.schema.safeParse(job.payload);
  const keyOf = (option: KeyedOption) => (payload.success ? keyOrUndefined(definition, option, payload.data, logger) : undefined);
  const now = deps.now();

  const debounceKey = keyOf('debounce');
  if (definition.debounce && debounceKey) {
    const windowMs = definition.debounce.windowSeconds * 1000;
    const fired = await stores.debounces.fire({ kind: definition.kind, key: debounceKey, jobId: job.id, windowMs, now });
    if (fired.outcome === 'superseded') return { action: 'drop', byJobId: fired.byJobId };
    if (fired.outcome === 'wait') return waitFor('debounce', debounceKey, secondsUntil(fired.quietAt, now), fired.quietAt);
    if (fired.outcome === 'fire') {
      current = { ...job, payload: JSON.parse(fired.payloadJson) as unknown };
      payload = definition.schema.safeParse(current.payload);
    }
  }

  let slot: HeldSlot | undefined;
  let place = job.flow?.line;
  const concurrencyKey = keyOf('concurrency');
  if (definition.concurrency && concurrencyKey) {
    const taken = await takeSlot({ kind: definition.kind, key: concurrencyKey }, definition.concurrency.limit, job, place, leaseUntil, stores, deps, now);
    if (!taken.slot) return waitFor('concurrency', concurrencyKey, taken.seconds, undefined, { line: taken.place });
    ({ slot, place } = taken);
  }

  const rateKey = keyOf('rateLimit');
  if (definition.rateLimit && rateKey) {
    const { intervalMs, lateToleranceMs, shards } = rateSpacing(definition.rateLimit);
    // A turn reserved before is kept, unless the message came back so late that starting now could crowd the next ones.
    let at = job.flow?.reservedAt;
    if (at === undefined || now.getTime() - at > lateToleranceMs) {
      // A limit spread over several items: the turn comes from one of them at random.
      const item = shards > 1 ? `${rateKey}#${Math.floor(deps.random() * shards)}` : rateKey;
      at = (await stores.rates.reserve({ kind: definition.kind, key: item, intervalMs, now })).getTime();
    }
    const waitMs = at - now.getTime();
    if (waitMs > MAX_IN_PROCESS_WAIT_MS) {
      if (slot) await stores.slots.release(slot);
      // Back a second early: the worker waits out the rest, so the start is on time.
      // Its place in the line is kept too: back, it is past the front, so it tries the slots at once.
      return waitFor('rateLimit', rateKey, Math.min(MAX_WAIT_SECONDS, Math.floor(waitMs / 1000) - 1), new Date(at), { reservedAt: at, line: place });
    }
    return { action: 'run', job: current, slot, startAt: waitMs > 0 ? new Date(at) : undefined };
  }
  return { action: 'run', job: current, slot };

  function waitFor(limit: JobWait['limit'], key: string, seconds: number, until?: Date, flow?: JobMessage['flow']): Admission {
    const wait: JobWait = { limit, key, since: now.toISOString(), ...(until ? { until: until.toISOString() } : {}) };
    logger.info('waiting for flow control', { ...wait, seconds });
    return { action: 'wait', seconds, wait, ...(flow ? { flow } : {}) };
  }
}

/**
 * A slot of the job's concurrency key, or how long to wait for one and the job's place in the
 * key's line (see slot-line.ts). A job not in the line yet tries the slots first, unless this
 * worker saw them all held lately: it then lines up behind the jobs waiting. One that got a slot
 * from the line before (and gave it back to wait for its rate-limit turn) tries them at once.
 */
async function takeSlot(line: LineKey, limit: number, job: JobMessage, before: LinePlace | undefined, leaseUntil: Date, stores: FlowControlStores, deps: AdmissionDependencies, now: Date): Promise<{ slot: HeldSlot; place: LinePlace | undefined } | { slot?: undefined; seconds: number; place: LinePlace | undefined }> {
  const acquire = (readFirst?: boolean) => stores.slots.acquire({ ...line, limit, holder: job.id, now, leaseUntil, readFirst });
  const contended = contendedKeys(stores);
  const name = `${line.kind}#${line.key}`;
  if (before?.admitted || (!before && !contended.has(name, now.getTime()))) {
    const slot = await acquire();
    if (slot) return { slot, place: before };
    if (before) return { seconds: SLOT_RETRY_SECONDS + Math.round(deps.random()), place: before };
  }
  contended.mark(name, now.getTime());
  const joined = before ? undefined : await stores.slots.join(line, now);
  const ticket = before?.ticket ?? joined!.ticket;
  const front = joined?.front ?? await stores.slots.front(line);
  const look = lookAtLine({ ticket, front, limit, now: now.getTime(), before, random: deps.random });
  const slot = look.tryNow ? await acquire(true) : undefined;
  if (!slot) return { seconds: look.seconds, place: look.place };
  await stores.slots.advance(line, now);
  return { slot, place: { ...look.place, admitted: true } };
}

/** Per set of stores (one per worker process), the keys it saw contended lately. */
const contendedByStores = new WeakMap<FlowControlStores, ContendedKeys>();

function contendedKeys(stores: FlowControlStores): ContendedKeys {
  let keys = contendedByStores.get(stores);
  if (!keys) contendedByStores.set(stores, (keys = new ContendedKeys()));
  return keys;
}

/** The key, or undefined (logged) when the key function fails on a payload that enqueue accepted: the job then runs without that limit. */
function keyOrUndefined(definition: JobDefinition, option: KeyedOption, payload: unknown, logger: Pick<Logger, 'warn'>): string | undefined {
  try {
    return flowKeyOf(definition, option, payload);
  } catch (error) {
    logger.warn(`the ${option} key could not be computed; running without it`, { error: error as Error });
    return undefined;
  }
}

/** Whole seconds from now until `at`, at least 1 and at most SQS's longest delay. */
function secondsUntil(at: Date, now: Date): number {
  return Math.min(MAX_WAIT_SECONDS, Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000)));
}
