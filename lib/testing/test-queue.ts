import { Logger } from '@aws-lambda-powertools/logger';
import { JobClient } from '../client/job-client.js';
import type { JoblineConfig } from '../config.js';
import { DEFAULT_LANE, type AnyJobDefinition } from '../job-definition.js';
import { decodeJobMessage } from '../job-message.js';
import type { JobRecord } from '../job-record.js';
import { JobRegistry } from '../job-registry.js';
import type { AnyBoundJob, BoundJob } from '../worker/job-handler.js';
import { processMessage, type IncomingMessage, type MessageDisposition, type WorkerDependencies } from '../worker/process-message.js';
import { workerDependencies } from '../worker/worker-dependencies.js';
import { memoryBackends, type MemoryBackends } from './memory-backends.js';
import { testConfig } from './test-config.js';

/** How long a delivery in a test queue may run before its deadline, in ms. */
export const TEST_DELIVERY_DEADLINE_MS = 60_000;

/** Options of {@link createTestQueue}. */
export interface TestQueueOptions {
  /**
   * The kinds the queue knows: bound jobs (handlers) run when delivered; bare definitions can
   * be enqueued but not run.
   */
  readonly jobs: readonly (AnyBoundJob | AnyJobDefinition)[];
  /** Clock for records, leases and retry times. @default the real clock */
  readonly now?: () => Date;
  /** Randomness of backoff jitter. @default Math.random */
  readonly random?: () => number;
  /** Shards of job ids. @default 4 */
  readonly shardCount?: number;
}

/** A job message the queue holds: sent to a lane, or waiting in a one-time schedule. */
export interface EnqueuedMessage {
  readonly id: string;
  readonly kind: string;
  readonly lane: string;
  /** The payload as it travels (before the worker parses it with the kind's schema). */
  readonly payload: unknown;
  /** Seconds SQS holds the message before delivering it (0 when due now). */
  readonly delaySeconds: number;
  /** When a one-time schedule sends it (long delays, `runAt`); absent for messages sent to the lane. */
  readonly scheduledFor?: Date;
  /** The raw message body, as the worker receives it. */
  readonly body: string;
  /** The message's group (a grouped kind's): SQS's `MessageGroupId`, or the one the body of a scheduled message carries. */
  readonly groupId?: string | undefined;
}

/** What one delivery did. */
export interface Delivery {
  /** `ack`: the message was deleted; `keep`: it comes back (a retry, a duplicate of a running job). */
  readonly disposition: MessageDisposition;
  /** The job's record after the delivery. */
  readonly record: JobRecord | undefined;
}

/**
 * A job queue in memory for unit tests: a real {@link JobClient} and the worker's real
 * message processing, on in-memory store, transport, scheduler and idempotency store with
 * the same conditions as the AWS ones. Enqueue through `client`, look at what was enqueued,
 * and deliver messages to the worker one at a time.
 *
 * @example
 * const queue = createTestQueue({ jobs: [sendWelcomeJob] });
 * await signup(queue.client, { email: 'ada@example.com' });   // code under test
 * const [message] = expectEnqueued(queue, sendWelcome, { to: 'ada@example.com' });
 * expect((await queue.deliver(message.id)).record?.status).toBe('succeeded');
 */
export class TestQueue {
  /** What the queue's client and worker run on, all in memory. */
  readonly backends: MemoryBackends = memoryBackends();
  readonly store = this.backends.store;
  readonly transport = this.backends.transport;
  readonly scheduler = this.backends.scheduler;
  readonly idempotency = this.backends.idempotency;
  readonly flowControl = this.backends.flowControl;
  readonly config: JoblineConfig;
  readonly client: JobClient;
  /** The queue's clock: the one given, moved on by the backoffs `deliver` waits out. */
  readonly now: () => Date;
  /** How far `deliver` has moved the clock past the one given (waiting out retries' backoffs), in ms. */
  private skippedMs = 0;
  private readonly bound: ReadonlyMap<string, BoundJob>;
  private readonly registry: JobRegistry;
  private readonly random: () => number;

  constructor(options: TestQueueOptions) {
    const definitions = options.jobs.map(definitionOf);
    this.registry = new JobRegistry(definitions);
    this.bound = new Map(options.jobs.filter(isBound).map((j) => [j.definition.kind, j as BoundJob]));
    const clock = options.now ?? (() => new Date());
    this.now = () => new Date(clock().getTime() + this.skippedMs);
    this.random = options.random ?? Math.random;
    this.config = testConfig([...new Set([DEFAULT_LANE, ...definitions.map((d) => d.lane)])], { shardCount: options.shardCount ?? 4 });
    this.client = new JobClient({ jobs: definitions, config: this.config, backends: this.backends, now: this.now, createdBy: 'test' });
  }

  /**
   * Every job message sent to a lane or held in a one-time schedule, oldest first; of one
   * kind when `job` is given.
   */
  enqueued(job?: AnyJobDefinition | string): EnqueuedMessage[] {
    const kind = typeof job === 'string' ? job : job?.kind;
    const sent = this.transport.sent.map((m) => ({ ...messageOf(m.body, m.lane, m.delaySeconds ?? 0), ...(m.groupId ? { groupId: m.groupId } : {}) }));
    const scheduled = [...this.scheduler.schedules.values()].map((s) => messageOf(s.body, s.lane, 0, s.at));
    return [...sent, ...scheduled].filter((m) => !kind || m.kind === kind);
  }

  /** The job's record, or undefined. */
  get(id: string): Promise<JobRecord | undefined> {
    return this.store.get(id);
  }

  /**
   * Delivers the latest message of job `id` (from its lane or its schedule) to the worker, as
   * SQS would, and returns what happened. `receiveCount` is SQS's count of deliveries. A
   * retrying job is delivered when SQS would bring it back, once its backoff is over: the
   * queue's clock moves on to its `nextRunAt` first.
   */
  async deliver(id: string, options: { receiveCount?: number } = {}): Promise<Delivery> {
    const message = this.enqueued().filter((m) => m.id === id).at(-1);
    if (!message) throw new Error(`no message of job ${id} was enqueued; enqueued: ${this.enqueued().map((m) => `${m.kind} ${m.id}`).join(', ') || 'nothing'}`);
    const record = this.store.records.get(id);
    const backoffMs = record?.status === 'retrying' && record.nextRunAt ? Date.parse(record.nextRunAt) - this.now().getTime() : 0;
    if (backoffMs > 0) this.skippedMs += backoffMs;
    // A scheduled message arrives without a MessageGroupId, as EventBridge Scheduler sends it: its body carries the group.
    return this.deliverBody(message.body, message.lane, { ...options, groupId: message.scheduledFor ? undefined : message.groupId });
  }

  /** Delivers a raw message body on `lane` to the worker (garbage, forged or hand-made messages), in SQS message group `groupId` when given. */
  async deliverBody(body: string, lane: string = DEFAULT_LANE, options: { receiveCount?: number; groupId?: string | undefined } = {}): Promise<Delivery> {
    const now = this.now().getTime();
    const incoming: IncomingMessage = {
      messageId: `test-${now}-${Math.random()}`, receiptHandle: `receipt-${Math.random()}`, body, lane, receiveCount: options.receiveCount ?? 1, sentTimestamp: now, groupId: options.groupId,
    };
    const disposition = await processMessage(incoming, this.workerDependencies(), now + TEST_DELIVERY_DEADLINE_MS);
    const decoded = decodeJobMessage(body, { sentTimestamp: now, shardCount: this.config.shardCount });
    return { disposition, record: decoded.ok ? await this.store.get(decoded.message.id) : undefined };
  }

  /** What the worker's message processing runs on: this queue's backends and handlers. */
  workerDependencies(): WorkerDependencies {
    return workerDependencies({
      jobs: [...this.bound.values()], registry: this.registry, backends: this.backends, config: this.config,
      logger: new Logger({ serviceName: 'jobline-test', logLevel: 'SILENT' }), now: this.now, random: this.random,
    });
  }
}

/** Makes a {@link TestQueue}. */
export function createTestQueue(options: TestQueueOptions): TestQueue {
  return new TestQueue(options);
}

function isBound(job: AnyBoundJob | AnyJobDefinition): job is AnyBoundJob {
  return 'handler' in job && 'definition' in job;
}

function definitionOf(job: AnyBoundJob | AnyJobDefinition): AnyJobDefinition {
  return isBound(job) ? job.definition : job;
}

function messageOf(body: string, lane: string, delaySeconds: number, scheduledFor?: Date): EnqueuedMessage {
  const decoded = decodeJobMessage(body, { sentTimestamp: Date.now(), shardCount: 1 });
  if (!decoded.ok) return { id: '', kind: '', lane, payload: undefined, delaySeconds, scheduledFor, body };
  const { id, kind, payload, group } = decoded.message;
  return { id, kind, lane, payload, delaySeconds, ...(scheduledFor ? { scheduledFor } : {}), body, ...(group ? { groupId: group } : {}) };
}
