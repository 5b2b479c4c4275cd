import { awsBackends } from '../aws/clients.js';
import { configFromEnvironment, type JoblineConfig } from '../config.js';
import { ConfigurationError, InvalidEnqueueOptionsError } from '../errors.js';
import type { AnyJobDefinition, JobDefinition } from '../job-definition.js';
import { newJobId } from '../job-id.js';
import { encodeJobMessage } from '../job-message.js';
import { JobRegistry } from '../job-registry.js';
import type { JobRecord } from '../job-record.js';
import type { JobStore, NewJob } from '../store/job-store.js';
import type { JobTransport, OutgoingMessage } from '../transport/job-transport.js';

/** Longest delay SQS itself can hold a message, in seconds. */
export const MAX_SQS_DELAY_SECONDS = 900;

/** Per-job options of an enqueue. */
export interface EnqueueOptions {
  /** Seconds before the job may run (whole seconds, 0–900). @default 0 */
  readonly delaySeconds?: number;
  /** Who enqueued it, kept on the record. @default the client's `createdBy` */
  readonly createdBy?: string;
}

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
  readonly status: 'queued' | 'scheduled';
  /** When a delayed job is due. */
  readonly runAt?: string | undefined;
}

/** Options of a {@link JobClient}. */
export interface JobClientOptions {
  /** The kinds this client may enqueue. */
  readonly jobs: readonly AnyJobDefinition[];
  /** Where the jobs live. @default read from the JOBLINE_CONFIG environment variable */
  readonly config?: JoblineConfig;
  /** Kept on every record this client writes, unless an enqueue says otherwise. */
  readonly createdBy?: string;
  readonly store?: JobStore;
  readonly transport?: JobTransport;
  readonly now?: () => Date;
}

/**
 * Enqueues jobs. Every payload is validated (size, then schema) before anything is written;
 * then the records are written and the messages sent, in batches. A job whose message could
 * not be sent keeps its payload on its record so the sweeper can send it: once `enqueue`
 * returns, the job is not lost.
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
  private readonly now: () => Date;

  constructor(private readonly options: JobClientOptions) {
    this.registry = new JobRegistry(options.jobs);
    this.config = options.config ?? configFromEnvironment();
    const backends = !options.store || !options.transport ? awsBackends(this.config) : undefined;
    this.store = options.store ?? backends!.store;
    this.transport = options.transport ?? backends!.transport;
    this.now = options.now ?? (() => new Date());
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
    const prepared = requests.map((request, index) => {
      try {
        return this.prepare(request, now);
      } catch (error) {
        if (requests.length > 1 && error instanceof Error) error.message = `job ${index}: ${error.message}`;
        throw error;
      }
    });
    if (prepared.length === 0) return [];

    await this.store.insert(prepared.map((p) => p.record));
    const byLane = new Map<string, typeof prepared>();
    for (const p of prepared) byLane.set(p.record.lane, [...(byLane.get(p.record.lane) ?? []), p]);
    for (const [lane, group] of byLane) {
      const { failedIds } = await this.transport.send(lane, group.map((p) => p.message));
      if (failedIds.length > 0) await this.keepForSweeper(group.filter((p) => failedIds.includes(p.record.id)), now);
    }
    return prepared.map(({ record }) => ({ id: record.id, kind: record.kind, status: record.status, runAt: record.runAt?.toISOString() }));
  }

  /** The record of a job, or undefined. */
  async get(id: string): Promise<JobRecord | undefined> {
    return this.store.get(id);
  }

  private prepare(request: EnqueueRequest, now: Date): { record: NewJob; message: OutgoingMessage; payloadJson: string } {
    const definition = typeof request.job === 'string' ? this.registry.get(request.job) : this.registry.get(request.job.kind);
    const { json, bytes } = this.registry.validate(definition, request.payload);
    const delaySeconds = request.options?.delaySeconds ?? 0;
    if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > MAX_SQS_DELAY_SECONDS) {
      throw new InvalidEnqueueOptionsError(`delaySeconds must be a whole number of seconds from 0 to ${MAX_SQS_DELAY_SECONDS}, got ${delaySeconds}`);
    }
    const id = newJobId(this.config.shardCount, now.getTime());
    const record: NewJob = {
      id,
      kind: definition.kind,
      lane: definition.lane,
      status: delaySeconds > 0 ? 'scheduled' : 'queued',
      maxAttempts: definition.retry.maxAttempts,
      payloadBytes: bytes,
      createdAt: now,
      runAt: delaySeconds > 0 ? new Date(now.getTime() + delaySeconds * 1000) : undefined,
      createdBy: request.options?.createdBy ?? this.options.createdBy,
    };
    return { record, message: { id, kind: definition.kind, body: encodeJobMessage(id, definition.kind, json), delaySeconds }, payloadJson: json };
  }

  /** Keeps the payload of jobs whose message was not sent; failing that, the enqueue fails. */
  private async keepForSweeper(jobs: readonly { record: NewJob; payloadJson: string }[], now: Date): Promise<void> {
    const results = await Promise.allSettled(jobs.map((j) => this.store.keepUndispatched(j.record.id, j.payloadJson, now)));
    const lost = jobs.filter((_, i) => results[i]!.status === 'rejected').map((j) => j.record.id);
    if (lost.length > 0) throw new EnqueueError(lost);
  }
}

/** Neither the message nor the payload of these jobs could be stored: they were not enqueued. */
export class EnqueueError extends Error {
  override readonly name: string = 'EnqueueError';

  constructor(readonly jobIds: readonly string[]) {
    super(`could not send or store ${jobIds.length} job(s): ${jobIds.join(', ')}; enqueue them again`);
  }
}
