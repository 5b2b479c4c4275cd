import { GetEventSourceMappingCommand, LambdaClient, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsBackends } from '../aws/aws-backends.js';
import { withEnvironmentFaults } from '../aws/faults.js';
import { refuseLooseBackends, type Backends } from '../backends.js';
import { cancelJob } from '../client/cancel-job.js';
import { configFromEnvironment, laneConfigOf, type JoblineConfig } from '../config.js';
import { ConfigurationError, JoblineError, UnknownLaneError } from '../errors.js';
import { expiryOf } from '../job-definition.js';
import { JobRegistry } from '../job-registry.js';
import type { JobRecord } from '../job-record.js';
import { INDEXED_STATUSES, type JobStatus } from '../job-status.js';
import type { JobScheduler } from '../scheduler/job-scheduler.js';
import { DynamoSweepStore, type SweepStore } from '../store/dynamo/dynamo-sweep-store.js';
import type { JobStore } from '../store/job-store.js';
import { SqsLaneAdmin, type DeadLetter, type LaneDepth } from '../transport/lane-admin.js';
import type { JobTransport } from '../transport/job-transport.js';
import { CloudWatchQueueAges, queueNameOf } from '../transport/queue-age.js';
import { childJobId } from '../continuations/children.js';
import { redactMessageBody, redactRecord } from '../redaction.js';
import { listingNotes } from '../tracking.js';
import { olderOf, oldestWaitingSeconds } from './oldest-job.js';
import { redrive, type RedriveReport } from './redrive.js';
import { retryJob } from './retry-job.js';
import { runBulk, startBulk, type BulkDependencies, type BulkOptions, type BulkReport } from './bulk-action.js';
import { MemoryBulkProgress, type BulkActionName, type BulkFilter, type BulkProgressStore } from './bulk-progress.js';
import { DynamoBulkProgress } from '../store/dynamo/dynamo-bulk-progress.js';
import { documentClient } from '../aws/document-client.js';
import { awaitResult, type ResultOptions } from '../results/await-result.js';
import { notFoundReason, type JobResult } from '../results/job-result.js';
import type { ResultStore } from '../results/result-store.js';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { kindTrafficSource } from '../aws/kind-traffic-source.js';
import type { KindTrafficSource } from '../cost/kind-traffic.js';
import { kindCosts, type KindCostReport } from '../cost/kind-costs.js';

/** A listing query: by status, optionally of one kind; or one parent's children. */
export interface InspectorQuery {
  /** Only jobs in this status. @default any status: the most recent jobs */
  readonly status?: JobStatus;
  readonly kind?: string;
  /** The children of this parent (their ids derive from it: no index needed). */
  readonly parentId?: string;
  /** The jobs carrying this tag, whenever they were created (`since` does not apply), filtered by `status` and `kind`. */
  readonly tag?: string;
  /** @default 50 */
  readonly limit?: number;
  /** The `next` of the previous page. */
  readonly before?: string;
  /** Only jobs created since. @default 24 h ago */
  readonly since?: Date;
}

/** One page of jobs, newest first. */
export interface JobPage {
  readonly jobs: JobRecord[];
  /** Pass as `before` for the next page; absent on the last one. */
  readonly next?: string | undefined;
  /** What the listing cannot show: kinds not tracked in full (their `tracking`), in words. */
  readonly notes?: readonly string[] | undefined;
}

export type { RedriveReport } from './redrive.js';

/** A lane as operators see it: depths, pause state and how long its oldest job has waited. */
export interface LaneSummary extends LaneDepth {
  readonly paused: boolean;
  /**
   * Seconds the lane's oldest waiting job has waited: the larger of SQS's
   * ApproximateAgeOfOldestMessage (CloudWatch, on AWS) and the oldest job the sweeper found
   * still queued past the stuck horizon. Undefined when neither knows of a waiting job.
   */
  readonly oldestJobAgeSeconds?: number | undefined;
}

/** Jobs per lane in each state the sparse index holds, created within a window. */
export interface StateCounts {
  /** Lane → status → count (every indexed status is present, 0 when none). */
  readonly lanes: Record<string, Record<string, number>>;
  /** The window's start. */
  readonly since: string;
  /** False when a count stopped at its read limit (its number is then a lower bound). */
  readonly complete: boolean;
}

/** Store pages (or child batches) one listing request reads at most before it hands back a cursor. */
const LIST_ROUNDS = 3;
/** The inspector knows no kinds' definitions: a parent its cancel finishes keeps the default retention. */
const NO_KINDS = new JobRegistry([]);

/**
 * Options of {@link JobInspector}: each is made from the config (the AWS backends, the default
 * clients) when it is not given.
 */
export interface JobInspectorOptions {
  /** @default configFromEnvironment() (`JOBLINE_CONFIG`; loadConfig finds the operator config of a deployed stack) */
  readonly config?: JoblineConfig;
  /** Where jobs live and travel. @default awsBackends(config, { sqs, dynamodb }) */
  readonly backends?: Pick<Backends, 'store' | 'transport' | 'scheduler' | 'results'>;
  readonly sweepStore?: SweepStore;
  readonly sqs?: SQSClient;
  readonly dynamodb?: DynamoDBClient;
  readonly lambda?: LambdaClient;
  readonly cloudwatch?: CloudWatchClient;
  readonly cloudwatchLogs?: CloudWatchLogsClient;
  /** Where `kindCosts` reads each kind's traffic. @default the worker's CloudWatch metrics; on an emulator (AWS_ENDPOINT_URL on this machine), its EMF log lines */
  readonly traffic?: KindTrafficSource;
  /** The clock, for tests. @default () => new Date() */
  readonly now?: () => Date;
  /** Where bulk operations keep their progress. @default the jobs table (in memory when `backends` are given) */
  readonly bulkProgress?: BulkProgressStore;
}

/**
 * Reads and manages jobs for operators (the CLI and the dashboard use it): get and list jobs,
 * lane and DLQ depths, retry, cancel and discard, and DLQ redrive that works where SQS's
 * StartMessageMoveTask does not (receive, send, delete).
 */
export class JobInspector {
  private readonly config: JoblineConfig;
  private readonly store: JobStore;
  private readonly transport: JobTransport;
  private readonly scheduler: JobScheduler;
  private readonly results: ResultStore | undefined;
  private readonly lanes: SqsLaneAdmin;
  private readonly lambda: LambdaClient;
  private readonly sweepStore: SweepStore;
  private readonly queueAges: CloudWatchQueueAges;
  private readonly bulkProgress: BulkProgressStore;
  private readonly traffic: KindTrafficSource | undefined;
  private readonly now: () => Date;

  constructor(options: JobInspectorOptions = {}) {
    refuseLooseBackends(options, 'JobInspector');
    this.config = options.config ?? configFromEnvironment();
    const sqs = options.sqs ?? withEnvironmentFaults(new SQSClient({}), 'sqs');
    const aws = awsBackends(this.config, { sqs, dynamodb: options.dynamodb });
    ({ store: this.store, transport: this.transport, scheduler: this.scheduler, results: this.results } = options.backends ?? aws);
    this.lanes = new SqsLaneAdmin(sqs, this.config.lanes);
    this.lambda = options.lambda ?? new LambdaClient({});
    this.sweepStore = options.sweepStore ?? new DynamoSweepStore(aws.dynamodb, this.config.tableName);
    const cloudwatch = options.cloudwatch ?? new CloudWatchClient({});
    this.queueAges = new CloudWatchQueueAges(cloudwatch);
    this.bulkProgress = options.bulkProgress ?? (options.backends ? new MemoryBulkProgress() : new DynamoBulkProgress(documentClient(aws.dynamodb), this.config.tableName));
    this.traffic = options.traffic ?? (this.config.cost ? kindTrafficSource(this.config.cost, { cloudwatch, logs: options.cloudwatchLogs }) : undefined);
    this.now = options.now ?? (() => new Date());
  }

  /** A job's record, its kind's redacted fields shown as `[redacted]`. */
  async get(id: string): Promise<JobRecord | undefined> {
    const record = await this.store.get(id);
    return record && this.redacted(record);
  }

  /** A job's result (read back from the results bucket when it is there), or why it has none; `waitSeconds` waits for it as `JobClient.result` does. */
  async result(id: string, options: ResultOptions = {}): Promise<JobResult> {
    const source = { get: (jobId: string) => this.store.get(jobId), results: this.results, notFound: notFoundReason(id, Object.keys(this.config.tracking ?? {})), now: this.now };
    return awaitResult(id, source, options);
  }

  /** A record as shown: the kind's `redact` fields replaced (the stored record keeps them for retries). */
  private redacted(record: JobRecord): JobRecord {
    return redactRecord(record, this.config.redact?.[record.kind]);
  }

  /** Jobs newest first, a page at a time. */
  async list(query: InspectorQuery): Promise<JobPage> {
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new RangeError(`limit must be an integer from 1 to 1000, got ${limit}`);
    if (query.parentId) return this.children(query.parentId, query, limit);
    if (query.tag !== undefined) return this.tagged(query.tag, query, limit);
    const page = await this.listByStatus(query, limit);
    const notes = query.status ? listingNotes(this.config.tracking, query.status, query.kind) : [];
    return notes.length > 0 ? { ...page, notes } : page;
  }

  private listByStatus(query: InspectorQuery, limit: number): Promise<JobPage> {
    return this.filteredPages((before) => this.store.list({ status: query.status, limit, before, since: query.since }), (r) => !query.kind || r.kind === query.kind, limit, query.before);
  }

  /**
   * Up to `limit` records that `keep` accepts, from store pages read newest first after
   * `before`. A filter can skip most of what it reads: a request reads at most LIST_ROUNDS store
   * pages (each at most shards × MAX_LIST_PAGES queries, or one tag Query) and hands back where it stopped.
   */
  private async filteredPages(read: (before: string | undefined) => Promise<{ records: JobRecord[]; next?: string | undefined }>, keep: (record: JobRecord) => boolean, limit: number, from: string | undefined): Promise<JobPage> {
    const jobs: JobRecord[] = [];
    let before = from;
    for (let round = 0; round < LIST_ROUNDS && jobs.length < limit; round++) {
      const page = await read(before);
      jobs.push(...page.records.filter(keep));
      before = page.next;
      if (before === undefined) break;
    }
    // More matches than fit: go on after the last one shown; else from where the reads stopped (or the end).
    const next = jobs.length > limit ? jobs[limit - 1]!.id : before;
    return { jobs: jobs.slice(0, limit).map((r) => this.redacted(r)), ...(next === undefined ? {} : { next }) };
  }

  private tagged(tag: string, query: InspectorQuery, limit: number): Promise<JobPage> {
    return this.filteredPages((before) => this.store.listByTag(tag, { limit, before }), (r) => (!query.status || r.status === query.status) && (!query.kind || r.kind === query.kind), limit, query.before);
  }

  /** How many jobs carry `tag` (their tag items: a job whose record is gone counts until its tag item expires); `complete` false: a lower bound. */
  countTagged(tag: string): Promise<{ count: number; complete: boolean }> {
    return this.store.countByTag(tag);
  }

  /** The job that took a unique kind's key (`unique.key` of its payload), while the key's claim lasts: the job for a business key. */
  async findUnique(kind: string, key: string): Promise<JobRecord | undefined> {
    const id = await this.store.uniqueKeyHolder(kind, key);
    return id === undefined ? undefined : this.get(id);
  }

  private async children(parentId: string, query: InspectorQuery, limit: number): Promise<JobPage> {
    const parent = await this.store.get(parentId);
    const ids = Array.from({ length: parent?.childrenTotal ?? 0 }, (_, i) => childJobId(parentId, i, this.config.shardCount));
    const start = query.before ? ids.indexOf(query.before) + 1 : 0;
    const jobs: JobRecord[] = [];
    let end = start;
    // In batches (one BatchGetItem per 100 children), at most LIST_ROUNDS of them per request.
    for (let round = 0; round < LIST_ROUNDS && end < ids.length && jobs.length < limit; round++) {
      const batch = ids.slice(end, end + Math.min(100, Math.max(limit, 25)));
      end += batch.length;
      const children = await this.store.getMany(batch);
      jobs.push(...children.filter((child) => (!query.status || child.status === query.status) && (!query.kind || child.kind === query.kind)));
    }
    const shown = jobs.slice(0, limit);
    // Go on after the last child shown when the batch held more matches; else after the batch.
    const next = jobs.length > limit ? shown.at(-1)!.id : end < ids.length ? ids[end - 1] : undefined;
    return { jobs: shown.map((r) => this.redacted(r)), ...(next === undefined ? {} : { next }) };
  }

  /** Every lane's queue and DLQ depths, whether it is paused, and how long its oldest job has waited. */
  async laneDepths(): Promise<LaneSummary[]> {
    const lanes = Object.keys(this.config.lanes).sort();
    const queueNames = lanes.map((lane) => queueNameOf(this.config.lanes[lane]!.queueUrl));
    const now = this.now();
    const [queueAges, watched] = await Promise.all([
      this.queueAges.oldestMessageAges(queueNames, now),
      // The sweeper watches every job still unfinished past the stuck horizon: a small, sparse index.
      Promise.all(Array.from({ length: this.config.shardCount }, (_, shard) => this.sweepStore.watched(shard))).then((shards) => shards.flat()),
    ]);
    return Promise.all(lanes.map(async (lane, i) => ({
      ...(await this.lanes.depth(lane)),
      paused: await this.isPaused(lane),
      oldestJobAgeSeconds: olderOf(queueAges.get(queueNames[i]!), oldestWaitingSeconds(watched, lane, now)),
    })));
  }

  /**
   * Each kind's jobs per day and estimated AWS cost per day and per million jobs, from its
   * worker's metrics since `since` (default 24 h ago) and what `npm run bench:cost` measured for
   * its path (see lib/cost/estimate-cost.ts). Needs the config of a stack output (`loadConfig`),
   * which says what each kind's options are.
   */
  async kindCosts(options: { readonly since?: Date } = {}): Promise<KindCostReport> {
    if (!this.config.cost || !this.traffic) throw new ConfigurationError('this config cannot price its kinds', ['it names no kinds\' options (`cost`): use the config of the stack output (`loadConfig()`), from a stack deployed with this version of jobline']);
    const until = this.now();
    const since = options.since ?? new Date(until.getTime() - 86_400_000);
    if (!(since < until)) throw new JoblineError(`since must be before now (${until.toISOString()}), got ${since.toISOString()}`);
    return kindCosts(this.config.cost, this.traffic, since, until);
  }

  /**
   * How many jobs of each lane are scheduled, retrying, waiting, failed or cancelled, among
   * those created since `since` (default 24 h ago). Queued and running jobs are what SQS
   * counts in {@link laneDepths}; finished ones, what the worker's metrics count.
   */
  async counts(options: { since?: Date } = {}): Promise<StateCounts> {
    const since = options.since ?? new Date(this.now().getTime() - 86_400_000);
    const perStatus = await Promise.all(INDEXED_STATUSES.map(async (status) => ({ status, ...(await this.store.countByLane(status, since)) })));
    const lanes: Record<string, Record<string, number>> = {};
    for (const lane of [...Object.keys(this.config.lanes), ...perStatus.flatMap((c) => Object.keys(c.byLane))]) lanes[lane] ??= Object.fromEntries(INDEXED_STATUSES.map((s) => [s, 0]));
    for (const { status, byLane } of perStatus) for (const [lane, count] of Object.entries(byLane)) lanes[lane]![status] = count;
    return { lanes, since: since.toISOString(), complete: perStatus.every((c) => c.complete) };
  }

  /**
   * Pauses a lane: the worker's event source on it is disabled, so its messages wait in the
   * queue — received by nobody, their attempts and receive counts untouched — until resumed.
   */
  async pause(lane: string): Promise<void> {
    await this.lambda.send(new UpdateEventSourceMappingCommand({ UUID: this.mappingOf(lane), Enabled: false }));
  }

  /** Resumes a paused lane. */
  async resume(lane: string): Promise<void> {
    await this.lambda.send(new UpdateEventSourceMappingCommand({ UUID: this.mappingOf(lane), Enabled: true }));
  }

  /** True when the lane's event source is disabled (or being disabled). */
  async isPaused(lane: string): Promise<boolean> {
    const mapping = await this.lambda.send(new GetEventSourceMappingCommand({ UUID: this.mappingOf(lane) }));
    return mapping.State === 'Disabled' || mapping.State === 'Disabling';
  }

  private mappingOf(lane: string): string {
    const config = laneConfigOf(this.config.lanes, lane);
    if (!config) throw new UnknownLaneError(lane, Object.keys(this.config.lanes));
    if (!config.eventSourceMappingId) throw new ConfigurationError(`the config of lane "${lane}"`, ["has no eventSourceMappingId: use the stack's JoblineConfig<id> output (the operator config; loadConfig or the CLI find it)"]);
    return config.eventSourceMappingId;
  }

  /**
   * Retries a failed or cancelled job with a fresh set of attempts, sending its message from
   * the payload kept on the record; a job cancelled before any worker saw its message is
   * revived, and that message runs it. Throws JobNotRetryableError for any other status.
   */
  async retry(id: string): Promise<JobRecord> {
    return retryJob({ store: this.store, transport: this.transport, now: this.now }, id);
  }

  /** Cancels a job that has not started, deleting its schedule if it has one; it stays retryable. */
  async cancel(id: string, reason = 'cancelled by an operator'): Promise<JobRecord> {
    const now = this.now();
    return cancelJob({ store: this.store, scheduler: this.scheduler, shardCount: this.config.shardCount, registry: NO_KINDS }, id, { now, reason, expiresAt: expiryOf(undefined, 'cancelled', now) });
  }

  /** Deletes a failed or cancelled job's record; a later redrive drops its DLQ message. */
  discard(id: string): Promise<void> {
    return this.store.discard(id);
  }

  /**
   * Retries, cancels or discards every job matching `filter` — its status (default failed;
   * queued for cancel), kind, tag and creation window (default the last 24 hours) — over the
   * selection fixed when it starts, in pages, paced, saving its progress after each page (see
   * `bulk-action.ts`). `dryRun` counts the selection and shows a sample, changing nothing.
   * Returns what it did and skipped, and why; an aborted run returns its id to `resumeBulk`.
   */
  async bulk(action: BulkActionName, filter: BulkFilter, options: BulkOptions = {}): Promise<BulkReport> {
    return runBulk(this.bulkDependencies(), startBulk(action, filter, this.now()), options);
  }

  /** Goes on with a bulk operation that stopped (its id): over its own selection, from where it stopped. A finished one does nothing. */
  async resumeBulk(id: string, options: Omit<BulkOptions, 'dryRun'> = {}): Promise<BulkReport> {
    const state = await this.bulkProgress.load(id);
    if (!state) throw new JoblineError(`no bulk operation ${id}: it never ran, or a week has passed since its last page`);
    return runBulk(this.bulkDependencies(), state, options);
  }

  private bulkDependencies(): BulkDependencies {
    return {
      list: (query) => this.list(query),
      act: (action, id) => this[action](id),
      waitingIn: async (lane) => (await this.lanes.depth(lane)).visible,
      progress: this.bulkProgress,
      now: this.now,
    };
  }

  /** Runs `action` on many ids; one failing does not stop the others. */
  async many(ids: readonly string[], action: 'retry' | 'cancel' | 'discard'): Promise<Array<{ id: string; ok: boolean; error?: string }>> {
    const results = await Promise.allSettled(ids.map((id) => this[action](id)));
    return results.map((result, i) => ({ id: ids[i]!, ok: result.status === 'fulfilled', error: result.status === 'rejected' ? String((result.reason as Error).message) : undefined }));
  }

  /** Up to `limit` messages of a lane's DLQ, with their attributes; they stay in the DLQ. */
  async peekDeadLetters(lane: string, limit = 10): Promise<DeadLetter[]> {
    const found: DeadLetter[] = [];
    const seen = new Set<string>();
    while (found.length < limit) {
      const fresh = (await this.lanes.receiveDeadLetters(lane, 5)).filter((m) => !seen.has(m.messageId));
      if (fresh.length === 0) break;
      for (const m of fresh) seen.add(m.messageId);
      found.push(...fresh);
    }
    await Promise.all(found.map((m) => this.lanes.releaseDeadLetter(lane, m.receiptHandle)));
    return found.slice(0, limit).map((m) => ({ ...m, body: redactMessageBody(m.body, this.config.redact) }));
  }

  /**
   * Moves a lane's DLQ messages back to its queue, optionally only some kinds, working on what
   * the DLQ held when it began: each job at most once, never the copies its own moves bring
   * back, and a copy an operator's retry or discard has overtaken is deleted (see `redrive.ts`).
   * Messages of other kinds, and unreadable ones, are left in the DLQ.
   */
  async redrive(lane: string, options: { kinds?: readonly string[] } = {}): Promise<RedriveReport> {
    return redrive(lane, { store: this.store, transport: this.transport, deadLetters: this.lanes, shardCount: this.config.shardCount, now: this.now }, options);
  }
}
