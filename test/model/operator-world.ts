import { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { JobClient } from '../../lib/client/job-client.js';
import { cancelJob } from '../../lib/client/cancel-job.js';
import { PermanentError } from '../../lib/errors.js';
import { childJobId, settleParent } from '../../lib/continuations/children.js';
import { dispatchKept } from '../../lib/dispatcher/dispatch-kept.js';
import { redrive, type RedriveReport } from '../../lib/inspector/redrive.js';
import { retryJob } from '../../lib/inspector/retry-job.js';
import { defineJob } from '../../lib/job-definition.js';
import type { JobRecord } from '../../lib/job-record.js';
import { JobRegistry } from '../../lib/job-registry.js';
import type { JobStore } from '../../lib/store/job-store.js';
import { MemoryFlowControl } from '../../lib/testing/memory-flow-control.js';
import { MemoryIdempotencyStore } from '../../lib/testing/memory-idempotency-store.js';
import { MemoryScheduler } from '../../lib/testing/memory-scheduler.js';
import { testConfig } from '../../lib/testing/test-config.js';
import { defineHandler } from '../../lib/worker/job-handler.js';
import { processMessage, type WorkerDependencies } from '../../lib/worker/process-message.js';
import type { AttemptStep } from '../../lib/worker/worker-dependencies.js';
import type { BoundJob } from '../../lib/worker/job-handler.js';
import { SimSqs, type SimMessage } from './sim-sqs.js';
import type { DeadLetterNote, OutgoingMessage } from '../../lib/transport/job-transport.js';

/** What a job's handler does on its next runs: succeed, fail transiently, or fail permanently. */
export type Behaviour = 'succeed' | 'transient' | 'permanent';

const fast = { backoffBaseSeconds: 1, backoffCapSeconds: 2, jitter: 0 };
export const task = defineJob({ kind: 'model.task', schema: z.object({ n: z.number().int() }), retry: { ...fast, maxAttempts: 3 }, timeoutSeconds: 5 });
export const parent = defineJob({ kind: 'model.parent', schema: z.object({ children: z.number().int().min(1).max(4), failFast: z.boolean() }), retry: { ...fast, maxAttempts: 2 }, timeoutSeconds: 5 });

/** The queue's visibility timeout in the model, in s: above a task's lease (timeout 5 s + 2 s grace). */
export const VISIBILITY_SECONDS = 10;
/** SQS's own redrive: above every kind's maxAttempts. */
export const MAX_RECEIVE_COUNT = 5;
export const SHARDS = 4;

/** A delivery paused after its handler ran, its outcome not yet recorded (a stalled worker). */
export interface StalledRun {
  readonly jobId: string;
  readonly resume: () => void;
  readonly done: Promise<unknown>;
}

/**
 * One lane of jobline, whole, on a clock the test moves: the real client, worker
 * (`processMessage`), redrive, retry, cancel, discard and parent settling, over the store under
 * test and a simulated SQS. Handlers record every run; what they do next is set per job.
 */
export class OperatorWorld {
  time = Date.parse('2026-12-01T00:00:00Z');
  readonly now = () => new Date(this.time);
  readonly sqs = new SimSqs(() => this.time, VISIBILITY_SECONDS, MAX_RECEIVE_COUNT);
  readonly scheduler = new MemoryScheduler();
  readonly behaviour = new Map<string, Behaviour>();
  /** Every handler run: the job, and the step (command number) it ran in. */
  readonly runs: Array<{ jobId: string; step: number; seq: number }> = [];
  readonly stalled: StalledRun[] = [];
  /** Children of each parent enqueued, by the parent's id. */
  readonly childrenOf = new Map<string, string[]>();
  readonly jobs: string[] = [];
  /** Jobs an operator's retry or a redrive requeued, by the step that did it. */
  readonly reopened: Array<{ jobId: string; step: number; seq: number }> = [];
  /** Jobs each redrive sent back to the lane, by step. */
  readonly redriven: Array<{ jobId: string; step: number }> = [];
  /** Orders runs and requeues within a step. */
  private seq = 0;
  step = 0;
  /** The store under test, as the world's code sees it (its requeues recorded in `reopened`). */
  readonly store: JobStore;
  readonly client: JobClient;
  private readonly registry = new JobRegistry([task, parent]);
  private readonly worker: WorkerDependencies;

  constructor(store: JobStore) {
    this.store = new Proxy(store, {
      get: (target, name) => {
        const value = Reflect.get(target, name, target) as unknown;
        if (name === 'requeue') {
          return async (id: string, now: Date) => {
            const record = await target.requeue(id, now);
            this.reopened.push({ jobId: id, step: this.step, seq: this.seq++ });
            return record;
          };
        }
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const config = testConfig(['default'], { shardCount: SHARDS });
    this.client = new JobClient({ jobs: [task, parent], config, backends: { store: this.store, transport: this.sqs, scheduler: this.scheduler, flowControl: new MemoryFlowControl() }, now: this.now, createdBy: 'model' });
    const ran = (jobId: string) => this.runs.push({ jobId, step: this.step, seq: this.seq++ });
    const act = (jobId: string, result: unknown) => {
      const next = this.behaviour.get(jobId) ?? 'succeed';
      if (next === 'transient') throw new Error('model: a transient failure');
      if (next === 'permanent') throw new PermanentError('model: a permanent failure');
      return result;
    };
    const handlers = [
      defineHandler(task, async ({ n }, ctx) => {
        ran(ctx.id);
        return act(ctx.id, { n });
      }),
      defineHandler(parent, async ({ children, failFast }, ctx) => {
        ran(ctx.id);
        await ctx.spawn(task, Array.from({ length: children }, (_, n) => ({ n })), { failFast });
        return act(ctx.id, { spawned: children });
      }),
    ];
    this.worker = {
      registry: this.registry, jobs: new Map(handlers.map((h) => [h.definition.kind, h as unknown as BoundJob])), store: this.store, transport: this.sqs, scheduler: this.scheduler,
      idempotency: new MemoryIdempotencyStore(), flowControl: new MemoryFlowControl(), logger: new Logger({ serviceName: 'model', logLevel: 'SILENT' }),
      now: this.now, random: () => 0.5, shardCount: SHARDS, lanes: ['default'],
    };
  }

  async enqueueTask(): Promise<void> {
    const { id } = await this.client.enqueue(task, { n: this.jobs.length });
    this.jobs.push(id);
  }

  async enqueueParent(children: number, failFast: boolean): Promise<void> {
    const { id } = await this.client.enqueue(parent, { children, failFast });
    const ids = Array.from({ length: children }, (_, i) => childJobId(id, i, SHARDS));
    this.childrenOf.set(id, ids);
    this.jobs.push(id, ...ids);
  }

  /**
   * Delivers the `index`-th visible message (mod their number) to the worker. `crashAt` ends the
   * delivery at that step as a dead process would (nothing after it runs; the message comes back
   * after the visibility timeout); `stall` pauses it after the handler until resumed.
   */
  async deliver(index: number, how: { crashAt?: AttemptStep; stall?: boolean } = {}): Promise<void> {
    const visible = this.sqs.visible();
    if (visible.length === 0) return;
    const message = this.sqs.receive(visible[index % visible.length]!);
    if (!message) return;
    let resume: () => void = () => {};
    const paused = new Promise<void>((resolve) => (resume = resolve));
    let stalledAt: (() => void) | undefined;
    const reachedStall = new Promise<void>((resolve) => (stalledAt = resolve));
    const deps: WorkerDependencies = {
      ...this.worker,
      onStep: async (step) => {
        if (step === how.crashAt) throw new Error(`model: the worker died at ${step}`);
        if (how.stall && step === 'handled') {
          stalledAt!();
          await paused;
        }
      },
    };
    const run = this.process(message, deps);
    if (!how.stall) return run;
    const done = run.then(() => undefined);
    // A delivery that never reaches its handler (a duplicate, a finished job) does not stall.
    if ((await Promise.race([reachedStall.then(() => 'stalled'), done.then(() => 'done')])) === 'stalled') this.stalled.push({ jobId: message.jobId, resume, done });
  }

  /** Lets the `index`-th stalled delivery go on: it records its outcome now (if its fence still holds). */
  async resumeStalled(index: number): Promise<void> {
    if (this.stalled.length === 0) return;
    const [run] = this.stalled.splice(index % this.stalled.length, 1);
    run!.resume();
    await run!.done;
  }

  private async process(message: SimMessage, deps: WorkerDependencies): Promise<void> {
    const incoming = { messageId: message.messageId, receiptHandle: message.receiptHandle!, body: message.body, lane: 'default', receiveCount: message.receiveCount, sentTimestamp: message.sentAt, groupId: message.groupId };
    try {
      const disposition = await processMessage(incoming, deps, this.time + 60_000);
      if (disposition === 'ack') this.sqs.remove(message);
    } catch (error) {
      if (!String((error as Error).message).startsWith('model: the worker died')) throw error;
    }
  }

  /** The sweeper's part here: sends undispatched jobs, and settles waiting parents whose children are all final. */
  async sweep(): Promise<void> {
    const records = await this.records();
    const undispatched = records.filter((r) => r.status === 'queued' && r.payload !== undefined && !this.sqs.queue.some((m) => m.jobId === r.id));
    await dispatchKept(undispatched.map((record) => ({ record, payloadJson: JSON.stringify(record.payload) })), this.now(), {
      transport: this.sqs, scheduler: this.scheduler, markDispatched: (id, status) => this.store.markDispatched(id, status), thresholdSeconds: 900, logger: this.worker.logger,
    });
    for (const r of records.filter((r) => r.status === 'waiting')) await settleParent(r.id, this.worker, this.worker.logger);
  }

  retry(id: string): Promise<JobRecord> {
    return retryJob({ store: this.store, transport: this.sqs, now: this.now }, id);
  }

  cancel(id: string): Promise<JobRecord> {
    return cancelJob({ store: this.store, scheduler: this.scheduler, shardCount: SHARDS, registry: this.registry }, id, { now: this.now(), reason: 'model: an operator', expiresAt: new Date(this.time + 86_400_000) });
  }

  discard(id: string): Promise<void> {
    return this.store.discard(id);
  }

  /**
   * An operator's redrive. With `laneRunning`, the worker takes every visible message before
   * each of the redrive's receives (the lane runs meanwhile, so jobs it moves can fail again
   * while it works); `clockAheadMs` sets the operator's clock ahead of SQS's.
   */
  redrive(options: { laneRunning?: boolean; clockAheadMs?: number } = {}): Promise<RedriveReport> {
    const deadLetters = {
      receiveDeadLetters: async (lane: string, seconds: number) => {
        if (options.laneRunning) while (this.sqs.visible().length > 0) await this.deliver(0);
        return this.sqs.receiveDeadLetters(lane, seconds);
      },
      deleteDeadLetter: (lane: string, handle: string) => this.sqs.deleteDeadLetter(lane, handle),
      releaseDeadLetter: (lane: string, handle: string) => this.sqs.releaseDeadLetter(lane, handle),
    };
    const now = () => new Date(this.time + (options.clockAheadMs ?? 0));
    const transport = {
      send: async (lane: string, messages: readonly OutgoingMessage[]) => {
        for (const m of messages) this.redriven.push({ jobId: m.id, step: this.step });
        return this.sqs.send(lane, messages);
      },
      changeVisibility: (lane: string, handle: string, seconds: number) => this.sqs.changeVisibility(lane, handle, seconds),
      sendToDeadLetter: (lane: string, body: string, note: DeadLetterNote) => this.sqs.sendToDeadLetter(lane, body, note),
    };
    return redrive('default', { store: this.store, transport, deadLetters, shardCount: SHARDS, now });
  }

  /** Every known job's record (discarded ones are absent). */
  async records(): Promise<JobRecord[]> {
    return (await Promise.all(this.jobs.map((id) => this.store.get(id)))).filter((r): r is JobRecord => r !== undefined);
  }
}
