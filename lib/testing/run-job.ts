import type { AnyJobDefinition } from '../job-definition.js';
import { newJobId } from '../job-id.js';
import { encodeJobMessage } from '../job-message.js';
import type { JobError, JobRecord } from '../job-record.js';
import type { JobStatus } from '../job-status.js';
import type { AnyBoundJob, BoundJob } from '../worker/job-handler.js';
import { TestQueue, type EnqueuedMessage } from './test-queue.js';

/** Options of {@link runJob}. */
export interface RunJobOptions {
  /** Which attempt this run is (1-based): pass the kind's `maxAttempts` to see what its last attempt does. @default 1 */
  readonly attempt?: number;
  /** Other kinds the handler enqueues (`ctx.then`) or spawns (`ctx.spawn`), bound or not; only needed to run them afterwards. */
  readonly jobs?: readonly (AnyBoundJob | AnyJobDefinition)[];
  /** Clock for the record and the retry time. @default the real clock */
  readonly now?: () => Date;
  /** Randomness of backoff jitter (jitter only shortens a delay). @default () => 0 (no jitter: the full backoff step) */
  readonly random?: () => number;
}

/** What one attempt of a job did, as {@link runJob} reports it. */
export interface JobRun {
  /**
   * The job's status after the attempt: `succeeded`; `retrying` (a transient error, attempts
   * left); `failed` (a permanent error, attempts exhausted, or a payload its schema refused);
   * `waiting` (it spawned children).
   */
  readonly status: JobStatus;
  /** The job's record after the attempt. */
  readonly record: JobRecord;
  /** What the handler returned, as kept on the record. */
  readonly result?: unknown;
  /** The error of a retrying or failed attempt: message, class, whether it was permanent. */
  readonly error?: JobError | undefined;
  /** When the next attempt is due, for a retrying job. */
  readonly nextRunAt?: Date | undefined;
  /** Follow-up jobs it enqueued with `ctx.then` (only once it succeeded). */
  readonly followUps: readonly EnqueuedMessage[];
  /** Children it spawned with `ctx.spawn`. */
  readonly children: readonly EnqueuedMessage[];
  /** Whether its message went to the dead-letter queue. */
  readonly deadLettered: boolean;
  /** The queue it ran in: deliver its children or follow-ups next with `queue.deliver(id)`. */
  readonly queue: TestQueue;
}

/**
 * Runs one attempt of a bound job on a payload through the worker's real message processing
 * — payload validation, the claim, the handler with a full `ctx` (`once`, `then`, `spawn`,
 * `heartbeat`, deadline signal), failure classification and backoff — against in-memory
 * backends, and reports the outcome.
 *
 * @example
 * const run = await runJob(sendEmailJob, { to: 'ada@example.com', template: 'welcome' });
 * expect(run.status).toBe('succeeded');
 */
export async function runJob<TPayload>(job: BoundJob<TPayload>, payload: unknown, options: RunJobOptions = {}): Promise<JobRun> {
  const attempt = options.attempt ?? 1;
  if (!Number.isInteger(attempt) || attempt < 1 || attempt > job.definition.retry.maxAttempts) {
    throw new RangeError(`attempt must be an integer from 1 to the kind's maxAttempts (${job.definition.retry.maxAttempts}), got ${attempt}`);
  }
  // The job's own kind may be listed again among the others; the queue takes each kind once.
  const others = (options.jobs ?? []).filter((other) => ('definition' in other ? other.definition.kind : other.kind) !== job.definition.kind);
  const queue = new TestQueue({ jobs: [job as AnyBoundJob, ...others], now: options.now, random: options.random ?? (() => 0) });
  const now = queue.now();
  const id = newJobId(queue.config.shardCount, now.getTime());
  const { definition } = job;
  await queue.store.insert([{ id, kind: definition.kind, lane: definition.lane, status: 'queued', maxAttempts: definition.retry.maxAttempts, payloadBytes: 0, createdAt: now }]);
  // A later attempt: the job has run attempt - 1 times and waits for its retry.
  if (attempt > 1) Object.assign(queue.store.records.get(id)!, { status: 'retrying', attempt: attempt - 1 });
  const body = encodeJobMessage(id, definition.kind, JSON.stringify(payload) ?? 'null');
  const { record } = await queue.deliverBody(body, definition.lane, { receiveCount: attempt });
  if (!record) throw new Error(`job ${id} has no record after its attempt`);
  const sent = queue.enqueued();
  const related = async (relation: 'parentId' | 'predecessorId') => {
    const records = await Promise.all(sent.map((m) => queue.store.get(m.id)));
    return sent.filter((_, i) => records[i]?.[relation] === id);
  };
  return {
    status: record.status,
    record,
    result: record.result,
    error: record.status === 'succeeded' ? undefined : record.lastError,
    nextRunAt: record.status === 'retrying' && record.nextRunAt ? new Date(record.nextRunAt) : undefined,
    followUps: await related('predecessorId'),
    children: await related('parentId'),
    deadLettered: queue.transport.deadLetters.some((d) => d.note.id === id),
    queue,
  };
}
