import { defaultCreator } from './default-creator.js';
import { cancelJob } from './cancel-job.js';
import { awsBackends } from '../aws/aws-backends.js';
import { configFromEnvironment, type JoblineConfig } from '../config.js';
import { ConfigurationError, EnqueueError, InvalidEnqueueOptionsError, JobNotCancellableError, JoblineError } from '../errors.js';
import { expiryOf, type AnyJobDefinition, type JobDefinition } from '../job-definition.js';
import { newJobId } from '../job-id.js';
import { encodeJobMessage } from '../job-message.js';
import { JobRegistry } from '../job-registry.js';
import type { JobRecord } from '../job-record.js';
import { isFinished, type JobStatus } from '../job-status.js';
import { scheduleNameFor, type JobScheduler } from '../scheduler/job-scheduler.js';
import { isTransactional, type JobStore, type NewJob, type TransactionalJobStore } from '../store/job-store.js';
import type { TransactItem } from '../store/dynamo/job-transaction.js';
import { jobItems, runJobTransaction, type TransactionalJob } from './transactional-enqueue.js';
import { flowKeyOf, messageGroupOf } from '../flow-control/flow-keys.js';
import { tagsOf } from '../tags/tags-of.js';
import { refuseLooseBackends, requireFlowControl, type Backends } from '../backends.js';
import type { FlowControlStores } from '../flow-control/flow-control-stores.js';
import { redactRecord } from '../redaction.js';
import { jobMessage, type JobTransport, type OutgoingMessage } from '../transport/job-transport.js';
import { MAX_SQS_DELAY_SECONDS } from '../transport/sqs-limits.js';
import { awaitResult, type ResultOptions } from '../results/await-result.js';
import { notFoundReason, type JobResult } from '../results/job-result.js';
import type { ResultStore } from '../results/result-store.js';
import { jobTracer, NOT_TRACED, queueNameOf, type Creation } from '../tracing/job-tracer.js';
import { delaySecondsOf, uniqueKeyOf, type EnqueueOptions } from './enqueue-options.js';
import { endingCreations, prepareAll } from './creations.js';

export { MAX_DELAY_SECONDS, type EnqueueOptions } from './enqueue-options.js';

/** One job of an {@link JobClient.enqueueMany} call. */
export interface EnqueueRequest<TInput = unknown> {
  readonly job: JobDefinition<unknown, TInput> | string;
  readonly payload: TInput;
  readonly options?: EnqueueOptions;
}

/** What an enqueue returns for each job. */
export interface EnqueuedJob {
  readonly id: string;
  readonly kind: string;
  /** `queued` or `scheduled` for a new job; the existing job's status for a duplicate. */
  readonly status: JobStatus;
  /** When a delayed job is due. */
  readonly runAt?: string | undefined;
  /** True when a job of a unique kind held the same key: this is that job, and nothing new was enqueued. */
  readonly duplicate?: boolean;
  /**
   * True when a debounced kind's key had a job waiting for its window: this is that job; it
   * will run with this payload (the latest) once the key has been quiet for the window.
   */
  readonly debounced?: boolean;
}

/** Options of a {@link JobClient}. */
export interface JobClientOptions {
  /** The kinds this client may enqueue. */
  readonly jobs: readonly AnyJobDefinition[];
  /** Where the jobs live. @default read from the JOBLINE_CONFIG environment variable */
  readonly config?: JoblineConfig;
  /** Kept on every record this client writes, unless an enqueue says otherwise. @default the Lambda function's name (`lambda:<name>`), else host, process id and script */
  readonly createdBy?: string;
  /** Where jobs live and travel. @default awsBackends(config): DynamoDB, SQS, EventBridge Scheduler (memoryBackends() from jobline/testing in tests) */
  readonly backends?: Pick<Backends, 'store' | 'transport' | 'scheduler' | 'flowControl' | 'results'>;
  /** The clock, injectable for tests. @default () => new Date() */
  readonly now?: () => Date;
}

interface PreparedJob {
  readonly record: NewJob;
  readonly message: OutgoingMessage;
  readonly payloadJson: string;
  /** When the kind is unique: when its key's window ends. */
  readonly uniqueUntil?: Date | undefined;
  /** When the kind is debounced: the payload's key. */
  readonly debounceKey?: string | undefined;
  /** False for a kind not tracked in full (`from-claim`, `outcome`): no record is written; the message is the job until it runs. */
  readonly recorded: boolean;
  /** Its `create` span (tracing on), ended once the job is written and sent. */
  readonly creation: Creation;
}

/**
 * Enqueues and cancels jobs. Every payload is validated (size, then schema) before anything
 * is written; then the records are written and the messages sent (in batches), or handed to
 * a one-time schedule when they are due later than SQS can hold them. A job whose message
 * could not be sent or scheduled keeps its payload on its record so the sweeper can send it:
 * once `enqueue` returns, the job is not lost.
 *
 * @example
 * const client = new JobClient({ jobs: [sendEmail] });
 * const { id } = await client.enqueue(sendEmail, { to: 'ada@example.com', template: 'welcome' });
 */
export class JobClient {
  readonly registry: JobRegistry;
  private readonly config: JoblineConfig;
  private readonly store: JobStore;
  private readonly transport: JobTransport;
  private readonly scheduler: JobScheduler;
  private readonly flowControl: FlowControlStores;
  private readonly results: ResultStore | undefined;
  private readonly now: () => Date;
  private readonly createdBy: string;

  constructor(private readonly options: JobClientOptions) {
    refuseLooseBackends(options, 'JobClient');
    this.registry = new JobRegistry(options.jobs);
    this.config = options.config ?? configFromEnvironment();
    const backends = options.backends ?? awsBackends(this.config);
    // A debounced kind's keys live in the flow-control stores.
    requireFlowControl(backends, this.registry.definitions.filter((d) => d.debounce), 'JobClient');
    ({ store: this.store, transport: this.transport, scheduler: this.scheduler, flowControl: this.flowControl, results: this.results } = backends);
    this.now = options.now ?? (() => new Date());
    this.createdBy = options.createdBy ?? defaultCreator();
    const missingLanes = this.registry.definitions.filter((d) => !this.config.lanes[d.lane]).map((d) => `kind "${d.kind}" runs on lane "${d.lane}", which the config does not have (lanes: ${Object.keys(this.config.lanes).join(', ')})`);
    if (missingLanes.length > 0) throw new ConfigurationError('JobClient cannot reach every kind', missingLanes);
  }

  /** Enqueues one job. Throws UnknownKindError, PayloadTooLargeError, InvalidPayloadError or InvalidEnqueueOptionsError before writing anything. */
  async enqueue<TInput>(job: JobDefinition<unknown, TInput> | string, payload: TInput, options: EnqueueOptions = {}): Promise<EnqueuedJob> {
    const [enqueued] = await this.enqueueMany([{ job: job as JobDefinition | string, payload, options }]);
    return enqueued!;
  }

  /**
   * Enqueues many jobs with batch writes and batch sends. All are validated first: if any is
   * invalid, none is written and the error names its position.
   */
  async enqueueMany(requests: readonly EnqueueRequest[]): Promise<EnqueuedJob[]> {
    const now = this.now();
    // Errors of a batch name the job's position: `job 3: invalid payload for …`.
    const prepared = prepareAll(requests, (request, index) => this.prepare(request, now, requests.length > 1 ? `job ${index}` : undefined));
    if (prepared.length === 0) return [];
    return endingCreations(prepared, () => this.write(prepared, now));
  }

  private async write(prepared: readonly PreparedJob[], now: Date): Promise<EnqueuedJob[]> {
    const joined = await this.joinDebounced(prepared, now);
    const fresh = prepared.filter((p) => !joined.has(p.record.id));
    let duplicates: Map<string, EnqueuedJob>;
    try {
      duplicates = await this.insertAll(fresh, now);
    } catch (error) {
      // Debounced keys this call opened would otherwise point at jobs that were never written.
      await Promise.allSettled(fresh.filter((p) => p.debounceKey).map((p) => this.flowControl.debounces.abandon(p.record.kind, p.debounceKey!, p.record.id)));
      throw error;
    }
    const written = fresh.filter((p) => !duplicates.has(p.record.id));
    const unsent: PreparedJob[] = [];
    const byLane = new Map<string, PreparedJob[]>();
    for (const p of written.filter((p) => !p.record.scheduleName)) byLane.set(p.record.lane, [...(byLane.get(p.record.lane) ?? []), p]);
    for (const [lane, group] of byLane) {
      const send = () => this.transport.send(lane, group.map((p) => p.message));
      // One job's `create` span covers its send; a batch's send has a span of its own, linking them.
      const { failedIds } = group.length > 1 ? await jobTracer().send(this.queueOf(lane), group.map((p) => p.creation.trace), send) : await send();
      unsent.push(...group.filter((p) => failedIds.includes(p.record.id)));
    }
    const scheduled = written.filter((p) => p.record.scheduleName);
    const results = await Promise.allSettled(scheduled.map((p) => this.scheduler.scheduleOnce(p.record.scheduleName!, p.record.runAt!, p.record.lane, p.message.body, p.message.groupId)));
    unsent.push(...scheduled.filter((_, i) => results[i]!.status === 'rejected'));
    if (unsent.length > 0) await this.keepForSweeper(unsent, now);
    return prepared.map(({ record }) => joined.get(record.id) ?? duplicates.get(record.id) ?? { id: record.id, kind: record.kind, status: record.status, runAt: record.runAt?.toISOString() });
  }

  /**
   * Joins each debounced job to its key's pending job when there is one (that job will run
   * with this payload). Returns the joined ones, by the id they would have had, with the status
   * their record shows. A pending job an operator has cancelled (or that is over) is let go
   * of, and this enqueue opens a new one: a payload never joins a job that will not run.
   */
  private async joinDebounced(prepared: readonly PreparedJob[], now: Date): Promise<Map<string, EnqueuedJob>> {
    const joined = new Map<string, EnqueuedJob>();
    // One after the other: two jobs of one key in a batch join the same pending job.
    for (const p of prepared.filter((p) => p.debounceKey)) {
      const windowMs = this.registry.get(p.record.kind).debounce!.windowSeconds * 1000;
      const request = { kind: p.record.kind, key: p.debounceKey!, payloadJson: p.payloadJson, jobId: p.record.id, windowMs, now };
      for (let tries = 0; ; tries++) {
        const result = await this.flowControl.debounces.join(request);
        if (result.opened) break;
        // No record yet: its enqueue is writing it now (the key is opened before the record is written).
        const status = (await this.store.get(result.jobId))?.status ?? 'scheduled';
        if (!isFinished(status)) {
          joined.set(p.record.id, { id: result.jobId, kind: p.record.kind, status, debounced: true });
          break;
        }
        if (tries >= 2) throw new JoblineError(`the debounced key of ${p.record.kind} kept pointing at finished jobs (last ${result.jobId}, ${status}); enqueue it again`);
        await this.flowControl.debounces.abandon(p.record.kind, p.debounceKey!, result.jobId);
      }
    }
    return joined;
  }

  /** Writes the records: plain ones in bulk, unique ones each with its key's claim. Returns the duplicates, by the id they would have had. */
  private async insertAll(all: readonly PreparedJob[], now: Date): Promise<Map<string, EnqueuedJob>> {
    const prepared = all.filter((p) => p.recorded);
    await this.store.insert(prepared.filter((p) => !p.record.uniqueKey).map((p) => p.record));
    const duplicates = new Map<string, EnqueuedJob>();
    for (const p of prepared.filter((p) => p.record.uniqueKey)) {
      const result = await this.store.insertUnique(p.record, { key: p.record.uniqueKey!, expiresAt: p.uniqueUntil!, now });
      if (result.inserted) continue;
      const existing = await this.store.get(result.existingJobId);
      duplicates.set(p.record.id, {
        id: result.existingJobId, kind: p.record.kind, status: existing?.status ?? 'queued', runAt: existing?.runAt, duplicate: true,
      });
    }
    return duplicates;
  }

  /**
   * Cancels a job that has not started (`scheduled`, `queued` or `retrying`) and deletes its
   * schedule if it has one. A message that still arrives for it is dropped unrun (its payload
   * kept, so an operator can retry the job). Throws `JobNotCancellableError` when the
   * job runs already or is over.
   */
  async cancel(id: string, reason = 'cancelled by request'): Promise<JobRecord> {
    const now = this.now();
    const current = await this.store.get(id);
    if (!current) throw new JobNotCancellableError(id, undefined);
    return cancelJob({ store: this.store, scheduler: this.scheduler, shardCount: this.config.shardCount, registry: this.registry }, id, { now, reason, expiresAt: expiryOf(this.registry.find(current.kind), 'cancelled', now) });
  }

  /**
   * The items that enqueue a job inside your own DynamoDB transaction: its record (payload
   * kept, marked for dispatch) and, for a unique kind, its key's claim. Put them in your
   * `TransactWriteCommand` (the DynamoDB document client) beside your own writes — on your own
   * tables — and either everything is written or nothing is. The jobs table's stream hands the
   * record to the dispatcher, which sends its message (the sweeper does, should that fail);
   * delays and `runAt` keep their meaning. The payload is validated now (typed errors, as
   * `enqueue`). Needs the DynamoDB store (the caller needs `grantEnqueue`).
   *
   * @example
   * const { job, items } = client.transactionItems(sendWelcome, { userId });
   * await doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: 'users', Item: user, ConditionExpression: 'attribute_not_exists(pk)' } }, ...items] }));
   */
  transactionItems<TInput>(job: JobDefinition<unknown, TInput> | string, payload: TInput, options: EnqueueOptions = {}): { job: EnqueuedJob; items: TransactItem[] } {
    const prepared = this.transactional(this.prepare({ job: job as JobDefinition | string, payload, options }, this.now(), undefined));
    // The caller writes the items: the span says the job was made, not that it was written.
    prepared.creation.end();
    return { job: enqueuedOf(prepared.record), items: jobItems(this.transactionalStore(), [prepared]).items };
  }

  /**
   * Writes your `items` and enqueues `jobs` in one DynamoDB transaction: both are written, or
   * neither is. Throws DuplicateJobError when a unique kind's key is held by another job
   * (with its id), TransactionCancelledError naming each item that failed — your own
   * conditions first — and TransactionTooLargeError past DynamoDB's 100 items or 4 MB; in
   * each case nothing was written. Validation errors come before anything is sent, as with `enqueueMany`.
   *
   * @example
   * await client.enqueueInTransaction([{ Put: { TableName: 'users', Item: user, ConditionExpression: 'attribute_not_exists(email)' } }], [{ job: sendWelcome, payload: { userId } }]);
   */
  async enqueueInTransaction(items: readonly TransactItem[], jobs: readonly EnqueueRequest[]): Promise<EnqueuedJob[]> {
    const now = this.now();
    const prepared = prepareAll(jobs, (request, index) => this.transactional(this.prepare(request, now, jobs.length > 1 ? `job ${index}` : undefined)));
    return endingCreations(prepared, async () => {
      await runJobTransaction(this.transactionalStore(), items, prepared);
      return prepared.map((p) => enqueuedOf(p.record));
    });
  }

  private transactionalStore(): JobStore & TransactionalJobStore {
    if (!isTransactional(this.store)) throw new ConfigurationError('transactional enqueue', ['it needs the DynamoDB store: the in-memory store cannot run your own DynamoDB items']);
    return this.store;
  }

  private transactional(prepared: PreparedJob): TransactionalJob & { creation: Creation } {
    const { record } = prepared;
    const refuse = (error: Error) => {
      prepared.creation.end(error);
      return error;
    };
    if (prepared.debounceKey) throw refuse(new InvalidEnqueueOptionsError(`"${record.kind}" is debounced: enqueue it with enqueue or enqueueMany (a transaction cannot join its key's pending job)`));
    if (!prepared.recorded) throw refuse(new InvalidEnqueueOptionsError(`"${record.kind}" is tracked "${this.registry.get(record.kind).tracking}": it has no record to write in a transaction (use tracking "full", or enqueue it after your transaction)`));
    return { creation: prepared.creation, record, payloadJson: prepared.payloadJson, unique: record.uniqueKey ? { key: record.uniqueKey, expiresAt: prepared.uniqueUntil!, now: record.createdAt } : undefined };
  }

  /** The record of a job, or undefined; its kind's `redact` fields shown as `[redacted]` (the HTTP API's `GET /jobs/{id}` answers with this). */
  async get(id: string): Promise<JobRecord | undefined> {
    const record = await this.store.get(id);
    return record && redactRecord(record, this.registry.find(record.kind)?.redact);
  }

  /**
   * A job's result once it has succeeded — read back from the results bucket when it was too
   * large for the record — or why there is none: `pending` (with its status and what it waits
   * for), `failed` (failed or cancelled, with the reason), `too_large`, `expired` or `not_found`.
   * With `waitSeconds`, a job that has not finished is read again (after 100 ms, each pause 1.5
   * times longer, at most 1 s apart) until it has or the time is up.
   *
   * @example
   * const { id } = await client.enqueue(generateReport, { month: '2026-11' });
   * const answer = await client.result<{ url: string }>(id, { waitSeconds: 30 });
   * if (answer.state === 'succeeded') console.log(answer.result?.url);
   */
  async result<T = unknown>(id: string, options: ResultOptions = {}): Promise<JobResult<T>> {
    const untracked = this.registry.definitions.filter((d) => d.tracking !== 'full').map((d) => d.kind);
    const source = { get: (jobId: string) => this.store.get(jobId), results: this.results, notFound: notFoundReason(id, untracked), now: this.now };
    return awaitResult(id, source, options) as Promise<JobResult<T>>;
  }

  private prepare(request: EnqueueRequest, now: Date, context: string | undefined): PreparedJob {
    const definition = this.registry.get(typeof request.job === 'string' ? request.job : request.job.kind, context);
    const { json, bytes, payload } = this.registry.validate(definition, request.payload, context);
    const options = request.options ?? {};
    if (definition.debounce && (options.delaySeconds !== undefined || options.runAt !== undefined)) {
      throw new InvalidEnqueueOptionsError(`"${definition.kind}" is debounced: it runs once its key has been quiet for ${definition.debounce.windowSeconds} s, so delaySeconds and runAt do not apply`, { context });
    }
    // A debounced job is first due when its window ends: SQS holds it (the window is at most 900 s).
    const delaySeconds = definition.debounce ? definition.debounce.windowSeconds : delaySecondsOf(options, now, context);
    const id = newJobId(this.config.shardCount, now.getTime());
    const viaScheduler = !definition.debounce && delaySeconds > Math.min(this.config.scheduler.thresholdSeconds, MAX_SQS_DELAY_SECONDS);
    const groupId = messageGroupOf(definition, payload, context);
    const runAt = delaySeconds > 0 ? new Date(now.getTime() + delaySeconds * 1000) : undefined;
    const record: NewJob = {
      id,
      kind: definition.kind,
      lane: definition.lane,
      status: delaySeconds > 0 ? 'scheduled' : 'queued',
      maxAttempts: definition.retry.maxAttempts,
      payloadBytes: bytes,
      createdAt: now,
      runAt,
      createdBy: request.options?.createdBy ?? this.createdBy,
      scheduleName: viaScheduler ? scheduleNameFor(id, 1) : undefined,
      uniqueKey: definition.unique ? uniqueKeyOf(definition, payload, context) : undefined,
      groupId,
      tags: tagsOf(definition, payload, options.tags, runAt ?? now, context),
    };
    // Each key function runs once here: one that throws, or returns no key, is the caller's error now, not the worker's later.
    flowKeyOf(definition, 'concurrency', payload, context);
    flowKeyOf(definition, 'rateLimit', payload, context);
    const debounceKey = flowKeyOf(definition, 'debounce', payload, context);
    const recorded = definition.tracking === 'full';
    // Valid: its span starts, in the caller's context, and the job keeps the span's context.
    const tracer = jobTracer();
    const creation = tracer.enabled ? tracer.create({ id, kind: definition.kind, queue: this.queueOf(definition.lane) }) : NOT_TRACED;
    const traced = creation.trace === undefined ? record : { ...record, trace: creation.trace };
    // A job without a record until it runs carries who enqueued it; its first record keeps it.
    const body = encodeJobMessage(id, definition.kind, json, { ...(recorded ? { recorded: true } : { by: record.createdBy }), trace: creation.trace });
    const message = jobMessage({ id, kind: definition.kind, groupId }, body, viaScheduler ? 0 : delaySeconds);
    const uniqueUntil = definition.unique ? new Date(now.getTime() + definition.unique.windowSeconds * 1000) : undefined;
    return { record: traced, message, payloadJson: json, uniqueUntil, debounceKey, recorded, creation };
  }

  /** The SQS queue's name of a lane (the spans' `messaging.destination.name`). */
  private queueOf(lane: string): string {
    return queueNameOf(this.config.lanes[lane]?.queueUrl ?? lane);
  }

  /**
   * Keeps the payload of jobs whose message was not sent, for the sweeper; failing that — or
   * for a job with no record (a kind not tracked in full) — the enqueue fails for them.
   */
  private async keepForSweeper(jobs: readonly PreparedJob[], now: Date): Promise<void> {
    const results = await Promise.allSettled(jobs.map(async (j) => {
      if (!j.recorded) throw new Error('no record to keep it on');
      await this.store.keepUndispatched(j.record.id, j.payloadJson, now);
    }));
    const lost = jobs.filter((_, i) => results[i]!.status === 'rejected');
    if (lost.length === 0) return;
    // A debounced key this call opened points at a job that will never run: let it go, so the
    // next enqueue of the key opens a job of its own instead of joining this one.
    await Promise.allSettled(lost.filter((j) => j.debounceKey).map((j) => this.flowControl.debounces.abandon(j.record.kind, j.debounceKey!, j.record.id)));
    throw new EnqueueError(lost.map((j) => j.record.id));
  }
}

function enqueuedOf(record: NewJob): EnqueuedJob {
  return { id: record.id, kind: record.kind, status: record.status, runAt: record.runAt?.toISOString() };
}
