/**
 * One hot concurrency key, simulated: a backlog of jobs of one key arrives at a steady pace and
 * every delivery goes through the real admission code (lib/flow-control/admission.ts `admit`)
 * on the real DynamoDB flow-control stores (DynamoSlotStore and the others) whose client
 * answers from memory (fake-dynamodb.ts). A job that is told to wait comes back when its
 * message would (`seconds` later, carrying `flow` as the worker's resend does); one that runs
 * holds its slot for the handler's time, then releases it. Every write is counted against its
 * item, per simulated second; so are the items read. And one keyless rate limit at thousands of
 * starts a second, through the same code.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { BatchGetCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { documentClient } from '../../lib/aws/document-client.js';
import { admit } from '../../lib/flow-control/admission.js';
import { DynamoDebounceStore } from '../../lib/flow-control/dynamo-debounce-store.js';
import { DynamoRateStore } from '../../lib/flow-control/dynamo-rate-store.js';
import { DynamoSlotStore } from '../../lib/flow-control/dynamo-slot-store.js';
import type { FlowControlStores } from '../../lib/flow-control/flow-control-stores.js';
import { defineJob } from '../../lib/job-definition.js';
import { newJobId } from '../../lib/job-id.js';
import type { JobMessage } from '../../lib/job-message.js';
import { rateSpacing } from '../../lib/flow-control/rate-store.js';
import { createJobTables } from '../../scripts/lib/job-tables.js';
import { MemoryDynamoDB } from './fake-dynamodb.js';
import { WriteLog } from './write-log.js';

export interface HotKeyOptions {
  /** Jobs of the one key. */
  readonly jobs: number;
  /** Its concurrency limit. */
  readonly limit: number;
  /** Jobs a second that arrive (the event source handing the backlog to the workers). */
  readonly arrivalsPerSecond: number;
  /** How long each job holds its slot, in ms. */
  readonly holdMs: number;
}

export interface HotKeyResult {
  readonly options: HotKeyOptions;
  /** Simulated seconds until the last job finished. */
  readonly seconds: number;
  /** DynamoDB writes per job (failed conditional writes included), and items read per job (the line's front, the slots). */
  readonly writesPerJob: number;
  readonly readsPerJob: number;
  /** Deliveries per job: the first, and one per wait (each a message sent again). */
  readonly deliveriesPerJob: number;
  /** The item with the most writes in one second, and that count; the most reads of one item in one second. */
  readonly busiest: { readonly key: string; readonly writes: number };
  readonly busiestReads: number;
  /** Writes per job on the slot items and on the line item. */
  readonly slotWritesPerJob: number;
  readonly lineWritesPerJob: number;
  /** The most jobs that held the key at once (must not exceed the limit). */
  readonly mostAtOnce: number;
  /** Jobs whose wait was longest, in simulated seconds, and the mean wait. */
  readonly longestWaitSeconds: number;
  readonly meanWaitSeconds: number;
  readonly elapsedMs: number;
}

const START = Date.parse('2026-01-05T09:00:00.000Z');
const KIND = defineJob({ kind: 'sim.hot-key', schema: z.object({ tenant: z.string() }), concurrency: { limit: 1, key: (p) => p.tenant } });

/** Deliveries and releases due at a time, earliest first (a binary heap). */
class Timeline<T> {
  private readonly heap: { at: number; seq: number; item: T }[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(at: number, item: T): void {
    const heap = this.heap;
    heap.push({ at, seq: this.seq++, item });
    for (let i = heap.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!this.before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  pop(): { at: number; item: T } | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (!top || !last || heap.length === 0) return top;
    heap[0] = last;
    for (let i = 0; ;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && this.before(heap[left]!, heap[least]!)) least = left;
      if (right < heap.length && this.before(heap[right]!, heap[least]!)) least = right;
      if (least === i) break;
      [heap[i], heap[least]] = [heap[least]!, heap[i]!];
      i = least;
    }
    return top;
  }

  private before(a: { at: number; seq: number }, b: { at: number; seq: number }): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
}

type Event = { type: 'deliver'; job: JobMessage; arrivedAt: number } | { type: 'release'; release: () => Promise<void>; startedAt: number };

export async function simulateHotKey(options: HotKeyOptions): Promise<HotKeyResult> {
  const started = performance.now();
  let now = START;
  const log = new WriteLog(() => Math.floor((now - START) / 1000));
  const db = new MemoryDynamoDB(log, (name) => (name.includes('-claims-') ? 'idempotency' : 'jobs'));
  const tables = await createJobTables(db.client(), 'hot');
  const doc = documentClient(db.client());
  // Reads are counted here (the fake tallies writes): items read, per item and second.
  const readsByItemSecond = new Map<string, number>();
  let reads = 0;
  const countRead = (pk: unknown) => {
    reads += 1;
    const compound = `${String(pk)}\u0000${Math.floor((now - START) / 1000)}`;
    readsByItemSecond.set(compound, (readsByItemSecond.get(compound) ?? 0) + 1);
  };
  const send = doc.send.bind(doc) as (command: unknown) => Promise<unknown>;
  (doc as { send: unknown }).send = (command: unknown) => {
    if (command instanceof GetCommand) countRead(command.input.Key?.pk);
    if (command instanceof BatchGetCommand) for (const request of Object.values(command.input.RequestItems ?? {})) for (const key of request.Keys ?? []) countRead(key.pk);
    return send(command);
  };
  const slots = new DynamoSlotStore(doc, tables.claimsTableName);
  const flowControl: FlowControlStores = { slots, rates: new DynamoRateStore(doc, tables.claimsTableName), debounces: new DynamoDebounceStore(doc, tables.claimsTableName) };
  const definition = { ...KIND, concurrency: { ...KIND.concurrency!, limit: options.limit } };
  const deps = { flowControl, now: () => new Date(now), random: Math.random };
  const logger = silentLogger();

  const timeline = new Timeline<Event>();
  for (let i = 0; i < options.jobs; i++) {
    const at = START + Math.floor((i * 1000) / options.arrivalsPerSecond);
    timeline.push(at, { type: 'deliver', job: { v: 1, id: newJobId(1), kind: KIND.kind, payload: { tenant: 'tenant-hot' } }, arrivedAt: at });
  }
  let deliveries = 0;
  let holding = 0;
  let mostAtOnce = 0;
  let finished = 0;
  let waitSum = 0;
  let longestWait = 0;
  for (let event = timeline.pop(); event; event = timeline.pop()) {
    now = event.at;
    const { item } = event;
    if (item.type === 'release') {
      holding -= 1;
      await item.release();
      continue;
    }
    deliveries += 1;
    const admission = await admit(item.job, definition, new Date(now + options.holdMs + 10_000), deps, logger);
    if (admission.action === 'wait') {
      timeline.push(now + admission.seconds * 1000, { ...item, job: { ...item.job, flow: { ...item.job.flow, ...admission.flow } } });
    } else if (admission.action === 'run') {
      const slot = admission.slot;
      holding += 1;
      mostAtOnce = Math.max(mostAtOnce, holding);
      const waited = (now - item.arrivedAt) / 1000;
      waitSum += waited;
      longestWait = Math.max(longestWait, waited);
      finished += 1;
      timeline.push(now + options.holdMs, { type: 'release', startedAt: now, release: async () => { if (slot) await slots.release(slot); } });
    } else {
      throw new Error(`unexpected admission: ${admission.action}`);
    }
  }
  if (finished !== options.jobs) throw new Error(`${options.jobs - finished} of ${options.jobs} jobs never ran`);

  const seconds = Math.ceil((now - START) / 1000) + 1;
  let writes = 0;
  let slotWrites = 0;
  let lineWrites = 0;
  const perItemSecond = new Map<string, number>();
  for (const entry of log.entries(seconds)) {
    writes += entry.writes;
    if (entry.key.startsWith('slot#')) slotWrites += entry.writes;
    if (entry.key.startsWith('line#')) lineWrites += entry.writes;
    const compound = `${entry.key}\u0000${entry.second}`;
    perItemSecond.set(compound, (perItemSecond.get(compound) ?? 0) + entry.writes);
  }
  let busiest = { key: '', writes: 0 };
  for (const [compound, count] of perItemSecond) if (count > busiest.writes) busiest = { key: compound.split('\u0000')[0]!, writes: count };
  return {
    options,
    seconds,
    writesPerJob: writes / options.jobs,
    readsPerJob: reads / options.jobs,
    deliveriesPerJob: deliveries / options.jobs,
    busiest,
    busiestReads: Math.max(0, ...readsByItemSecond.values()),
    slotWritesPerJob: slotWrites / options.jobs,
    lineWritesPerJob: lineWrites / options.jobs,
    mostAtOnce,
    longestWaitSeconds: longestWait,
    meanWaitSeconds: waitSum / options.jobs,
    elapsedMs: performance.now() - started,
  };
}

function silentLogger(): Logger {
  const quiet = () => undefined;
  return { info: quiet, warn: quiet, error: quiet, debug: quiet, createChild: () => silentLogger() } as unknown as Logger;
}

export interface KeylessRateOptions {
  /** The kind's rate limit: starts per second (period 1 s, no key). */
  readonly limit: number;
  /** Jobs a second that arrive, for `seconds`. */
  readonly arrivalsPerSecond: number;
  readonly seconds: number;
}

export interface KeylessRateResult {
  readonly options: KeylessRateOptions;
  /** Items the limit's turns are spread over. */
  readonly shards: number;
  readonly jobs: number;
  /** Writes per start, all items together (failed busy-or-idle guesses included). */
  readonly writesPerJob: number;
  /** The item with the most writes in one second, and that count. */
  readonly busiest: { readonly key: string; readonly writes: number };
  /** Starts a second from the first start to the last. */
  readonly startsPerSecond: number;
  /** The most starts in any 1-second window (must not exceed the limit). */
  readonly mostInOneSecond: number;
  /** Mean and longest gap between an item's consecutive starts, against its interval, in ms. */
  readonly itemIntervalMs: number;
  readonly meanItemGapMs: number;
  readonly elapsedMs: number;
}

const KEYLESS = defineJob({ kind: 'sim.keyless-rate', schema: z.object({ n: z.number() }), rateLimit: { limit: 1, periodSeconds: 1 } });

/**
 * One kind's rate limit without a key, at `limit` starts a second, under `arrivalsPerSecond`
 * jobs a second: every delivery through `admit` on DynamoRateStore over the in-memory DynamoDB.
 * A job's start is its admission time, or its reserved turn when it waits (in the worker, or by
 * message: it comes back a second early and then waits out the rest, as the worker does).
 */
export async function simulateKeylessRate(options: KeylessRateOptions): Promise<KeylessRateResult> {
  const started = performance.now();
  let now = START;
  const log = new WriteLog(() => Math.floor((now - START) / 1000));
  const db = new MemoryDynamoDB(log, (name) => (name.includes('-claims-') ? 'idempotency' : 'jobs'));
  const tables = await createJobTables(db.client(), 'keyless');
  const doc = documentClient(db.client());
  const flowControl: FlowControlStores = { slots: new DynamoSlotStore(doc, tables.claimsTableName), rates: new DynamoRateStore(doc, tables.claimsTableName), debounces: new DynamoDebounceStore(doc, tables.claimsTableName) };
  const definition = { ...KEYLESS, rateLimit: { limit: options.limit, periodSeconds: 1 } };
  const deps = { flowControl, now: () => new Date(now), random: Math.random };
  const logger = silentLogger();
  const timeline = new Timeline<JobMessage>();
  const jobs = options.arrivalsPerSecond * options.seconds;
  for (let i = 0; i < jobs; i++) timeline.push(START + Math.floor((i * 1000) / options.arrivalsPerSecond), { v: 1, id: newJobId(1), kind: KEYLESS.kind, payload: { n: i } });
  const starts: number[] = [];
  for (let event = timeline.pop(); event; event = timeline.pop()) {
    now = event.at;
    const admission = await admit(event.item, definition, new Date(now + 60_000), deps, logger);
    if (admission.action === 'wait') timeline.push(now + admission.seconds * 1000, { ...event.item, flow: { ...event.item.flow, ...admission.flow } });
    else if (admission.action === 'run') starts.push(admission.startAt?.getTime() ?? now);
    else throw new Error(`unexpected admission: ${admission.action}`);
  }
  starts.sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < starts.length; i++) {
    while (starts[i]! - starts[j]! >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  const seconds = Math.ceil((now - START) / 1000) + 1;
  const perItemSecond = new Map<string, number>();
  let writes = 0;
  for (const entry of log.entries(seconds)) {
    if (!entry.key.startsWith('rate#')) continue;
    writes += entry.writes;
    const compound = `${entry.key}\u0000${entry.second}`;
    perItemSecond.set(compound, (perItemSecond.get(compound) ?? 0) + entry.writes);
  }
  let busiest = { key: '', writes: 0 };
  for (const [compound, count] of perItemSecond) if (count > busiest.writes) busiest = { key: compound.split('\u0000')[0]!, writes: count };
  const { intervalMs, shards } = rateSpacing(definition.rateLimit);
  return {
    options,
    shards,
    jobs,
    writesPerJob: writes / jobs,
    busiest,
    startsPerSecond: (starts.length - 1) / ((starts.at(-1)! - starts[0]!) / 1000),
    mostInOneSecond: most,
    itemIntervalMs: intervalMs,
    // Each item's starts are an interval apart while it is busy: over all items, the mean gap between consecutive starts times the shards.
    meanItemGapMs: ((starts.at(-1)! - starts[0]!) / (starts.length - 1)) * shards,
    elapsedMs: performance.now() - started,
  };
}
