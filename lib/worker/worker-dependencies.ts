import type { Logger } from '@aws-lambda-powertools/logger';
import type { ContinuationDependencies } from '../continuations/continuation-dependencies.js';
import type { FlowControlStores } from '../flow-control/flow-control-stores.js';
import type { HeldSlot } from '../flow-control/slot-store.js';
import type { IdempotencyStore } from '../idempotency/idempotency-store.js';
import type { JobMessage } from '../job-message.js';
import type { JobRecord } from '../job-record.js';
import type { JobDefinition } from '../job-definition.js';
import type { JobScheduler } from '../scheduler/job-scheduler.js';
import type { JobStore } from '../store/job-store.js';
import type { ResultStore } from '../results/result-store.js';
import type { AttemptPlan } from './attempt-plan.js';
import type { AnyBoundJob, BoundJob } from './job-handler.js';
import type { Backends } from '../backends.js';
import type { JoblineConfig } from '../config.js';
import type { JobRegistry } from '../job-registry.js';
import type { JobLog } from './job-log.js';
import { queueNameOf, type FailureType } from '../tracing/job-tracer.js';


/** One SQS message, as the worker sees it. */
export interface IncomingMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly lane: string;
  readonly receiveCount: number;
  /** When SQS accepted the message (ms since the epoch). */
  readonly sentTimestamp: number;
  /** The message's group (a fair-queue tenant), when it has one. */
  readonly groupId?: string | undefined;
}

/** What to do with the message once processed: delete it (`ack`) or leave it to come back (`keep`). */
export type MessageDisposition = 'ack' | 'keep';

/**
 * What processing a message needs; every effect goes through `store`, `transport`, `scheduler`,
 * `idempotency` and `flowControl`. Made by {@link workerDependencies}, the one place that assembles
 * it (the worker, the test queue and the hot-partition simulation all use it).
 */
export interface WorkerDependencies extends ContinuationDependencies {
  readonly jobs: ReadonlyMap<string, BoundJob>;
  readonly scheduler: JobScheduler;
  readonly idempotency: IdempotencyStore;
  /** Slots, rate-limit turns and debounced keys (kinds with flow control need them). */
  readonly flowControl?: FlowControlStores | undefined;
  /** Where results over their kind's `maxInlineResultBytes` go; without one they are dropped with a note. */
  readonly results?: ResultStore | undefined;
  /** Waits `ms` (a rate-limited job's turn a moment away); injectable for tests. @default setTimeout */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
  readonly logger: Logger;
  readonly random: () => number;
  /** Told of every attempt's outcome (the worker turns these into CloudWatch metrics). */
  readonly observe?: (event: JobEvent) => void;
  /** Called as an attempt passes each of its steps (see {@link AttemptStep}). */
  readonly onStep?: StepHook | undefined;
}

/**
 * The steps of an attempt a {@link StepHook} is called at: `received` (the message is decoded
 * and admitted; nothing is written yet, and `attempt` is the record's attempt before this
 * claim, unknown to the worker: 0), `claimed` (the record says running, right after the claim:
 * before any wait for a rate-limit turn, the handler not started), `handled` (the handler returned or threw; nothing recorded
 * yet), `recorded` (the outcome, follow-ups and parent report are written; the message is
 * not yet deleted or hidden), `children-written` (inside `ctx.spawn`: the children's records
 * are written, their messages not yet sent).
 */
export type AttemptStep = 'received' | 'claimed' | 'handled' | 'recorded' | 'children-written';

/**
 * A seam for fault-injection tests: a hook that ends the process at a step shows what a crash
 * there comes to (`test/integration/crash-steps.test.ts`). Production workers pass none.
 */
export type StepHook = (step: AttemptStep, job: StepJob) => void | Promise<void>;

/** The job a {@link StepHook} is told about: its message's fields, its attempt, and how often SQS has delivered this message. */
export interface StepJob {
  readonly id: string;
  readonly kind: string;
  readonly payload: unknown;
  readonly attempt: number;
  readonly receiveCount: number;
}

/** An attempt's outcome, for metrics; or `delayed`: the job waited for a flow-control limit (no attempt). */
export interface JobEvent {
  readonly kind: string;
  /** `waiting`: a parent's attempt ended waiting for its children (it finishes when they do, with no attempt of its own). */
  readonly outcome: 'succeeded' | 'retried' | 'failed' | 'waiting' | 'delayed';
  /** For `delayed`: the flow-control option it waited for. */
  readonly limit?: 'concurrency' | 'rateLimit' | 'debounce' | undefined;
  /** For `retried` and `failed`: how the attempt failed. */
  readonly errorType?: FailureType | undefined;
  /** How long the attempt ran, in ms. */
  readonly durationMs?: number | undefined;
  /** From the message being sent to its attempt starting, in ms (first attempts only). */
  readonly queueLatencyMs?: number | undefined;
}

/**
 * Where an attempt's own writes go: the job store for a claimed job; for a job tracked by its
 * outcome only, a recorder that turns the final outcome into the job's one record and writes
 * nothing else (run-untracked.ts).
 */
export type AttemptRecorder = Pick<JobStore, 'recordOutcome' | 'heartbeat' | 'markRetryScheduled'>;

/** A delivery the worker claimed (or must fail): the message, its job and record, what to reach them with, and where its writes go. */
export interface ClaimedDelivery {
  readonly message: IncomingMessage;
  readonly job: JobMessage;
  readonly record: JobRecord;
  readonly deps: WorkerDependencies;
  /** The delivery's log lines (job id, kind, message id). */
  readonly logger: JobLog;
  readonly recorder: AttemptRecorder;
}

/** A claimed delivery about to run: its kind's definition, its plan, and whether it runs without a record (tracking `outcome`). */
export interface Attempt extends ClaimedDelivery {
  readonly definition: JobDefinition | undefined;
  readonly plan: AttemptPlan;
  /** A run without a record: `ctx.spawn` and `ctx.then`, which need one, are refused. */
  readonly untracked: boolean;
  /** The concurrency slot it holds, if its kind has a limit: a heartbeat kind's beats renew its lease. */
  readonly slot?: HeldSlot | undefined;
}

/** What {@link workerDependencies} assembles a worker's dependencies from. */
export interface WorkerParts {
  /** Every kind the worker runs, bound to its handler. */
  readonly jobs: readonly AnyBoundJob[];
  readonly registry: JobRegistry;
  readonly backends: Backends;
  /** Shards of job ids, and the lanes children and follow-ups may go to. */
  readonly config: Pick<JoblineConfig, 'shardCount' | 'lanes'>;
  readonly logger: Logger;
  /** @default () => new Date() */
  readonly now?: (() => Date) | undefined;
  /** @default Math.random */
  readonly random?: (() => number) | undefined;
  /** @default setTimeout */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
  readonly onStep?: StepHook | undefined;
}

/** A worker's dependencies from its parts: the backends' five stores, the kinds, the clock, the config's shards and lanes. */
export function workerDependencies(parts: WorkerParts): WorkerDependencies {
  const { store, transport, scheduler, idempotency, flowControl, results } = parts.backends;
  return {
    registry: parts.registry,
    jobs: new Map(parts.jobs.map((j) => [j.definition.kind, j as BoundJob])),
    store, transport, scheduler, idempotency, flowControl, results,
    logger: parts.logger,
    now: parts.now ?? (() => new Date()),
    random: parts.random ?? Math.random,
    sleep: parts.sleep,
    onStep: parts.onStep,
    shardCount: parts.config.shardCount,
    lanes: Object.keys(parts.config.lanes),
    queues: Object.fromEntries(Object.entries(parts.config.lanes).map(([lane, { queueUrl }]) => [lane, queueNameOf(queueUrl)])),
  };
}
