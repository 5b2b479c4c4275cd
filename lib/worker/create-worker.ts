import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { awsBackends } from '../aws/aws-backends.js';
import { refuseLooseBackends, requireFlowControl, type Backends } from '../backends.js';
import { configFromEnvironment, type JoblineConfig } from '../config.js';
import { ConfigurationError } from '../errors.js';
import { JobRegistry } from '../job-registry.js';
import type { AnyBoundJob } from './job-handler.js';
import { jobIdInBody } from '../job-message.js';
import { METRICS_NAMESPACE, QUEUE_NAME_ENV, WORKER_METRICS, WORKER_SERVICE_NAME } from '../metrics.js';
import { processMessage, type IncomingMessage, type JobEvent, type WorkerDependencies } from './process-message.js';
import { workerDependencies, type StepHook } from './worker-dependencies.js';
import { jobTracer } from '../tracing/job-tracer.js';
import { traceInBody } from '../tracing/traceparent.js';

/** Options of {@link createWorker}. */
export interface WorkerOptions {
  /** Every kind this worker runs, each bound to its handler. */
  readonly jobs: readonly AnyBoundJob[];
  /** Where the jobs live. @default read from the JOBLINE_CONFIG environment variable */
  readonly config?: JoblineConfig;
  /** Where jobs live and travel. @default awsBackends(config): DynamoDB, SQS, EventBridge Scheduler (memoryBackends() from jobline/testing in tests) */
  readonly backends?: Backends;
  readonly logger?: Logger;
  /** Clock and randomness, injectable for tests. */
  readonly now?: () => Date;
  /** Randomness for backoff jitter, injectable for tests. @default Math.random */
  readonly random?: () => number;
  /** Emit CloudWatch metrics (EMF) per batch. @default true */
  readonly metrics?: boolean;
}

/** An SQS-triggered Lambda handler that reports partial batch failures. */
export type WorkerHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * Makes the worker Lambda's handler. Records of a batch run concurrently; the response lists
 * only the records to come back (retries, and duplicates of running jobs), so one bad record
 * never returns the whole batch.
 *
 * @example export const handler = createWorker({ jobs: [sendEmailJob, importChunkJob] });
 */
export function createWorker(options: WorkerOptions): WorkerHandler {
  return makeWorker(options);
}

/**
 * A worker that calls `onStep` as each attempt passes its steps (see {@link StepHook}): for
 * jobline's own fault-injection tests (the deployed test worker dies at a chosen step). Not
 * exported from `jobline/worker`.
 */
export function createSteppedWorker(options: WorkerOptions & { readonly onStep: StepHook }): WorkerHandler {
  return makeWorker(options, options.onStep);
}

function makeWorker(options: WorkerOptions, onStep?: StepHook): WorkerHandler {
  refuseLooseBackends(options, 'createWorker');
  const jobs = options.jobs;
  const registry = new JobRegistry(jobs.map((j) => j.definition));
  const logger = options.logger ?? new Logger({ serviceName: WORKER_SERVICE_NAME });
  let dependencies: (WorkerDependencies & { laneConfigs: JoblineConfig['lanes'] }) | undefined;

  // Resolved on first use so that importing the module (in tests, in tooling) needs no environment.
  const resolve = () => {
    if (dependencies) return dependencies;
    const config = options.config ?? configFromEnvironment();
    const backends = options.backends ?? awsBackends(config);
    requireFlowControl(backends, registry.definitions, 'the worker');
    dependencies = {
      ...workerDependencies({ jobs, registry, backends, config, logger, now: options.now, random: options.random, onStep }),
      laneConfigs: config.lanes,
    };
    return dependencies;
  };

  return async (event, context) => {
    const tracer = jobTracer();
    const events: JobEvent[] = [];
    const deps = {
      ...resolve(),
      observe: (e: JobEvent) => {
        events.push(e);
        // Told inside the job's span: it says what the attempt came to.
        if (tracer.enabled) tracer.settle(e);
      },
    };
    const deadline = Date.now() + context.getRemainingTimeInMillis();
    const processor = new BatchProcessor(EventType.SQS);
    const batch = () => processPartialResponse(event, async (record: SQSRecord) => {
      let disposition;
      try {
        disposition = await processMessage(incoming(record, deps.laneConfigs), deps, deadline);
      } catch (error) {
        // An AWS call failed mid-way: the message comes back after its visibility timeout and the claim sorts it out.
        deps.logger.error('could not process a message; it will be delivered again', { messageId: record.messageId, jobId: jobIdInBody(record.body), error: error as Error });
        throw error;
      }
      if (disposition === 'keep') throw new KeepMessage(record.messageId);
    }, processor, { context, throwOnFullBatchFailure: false });
    try {
      const response = tracer.enabled ? await tracer.processBatch(batchQueueOf(event), event.Records.map((r) => ({ messageId: r.messageId, trace: traceInBody(r.body) })), batch) : await batch();
      if (options.metrics !== false) publishMetrics(events);
      return response;
    } finally {
      if (tracer.enabled) await tracer.flush();
    }
  };
}

/**
 * Emits the batch's outcomes as CloudWatch metrics through EMF log lines (no PutMetricData):
 * per kind, Processed (attempts), Succeeded, Retried, Failed, WaitingForChildren (a parent's
 * attempt that ended waiting for its children: only when there is one), DelayedByLimit (deliveries that
 * waited for flow control, using no attempt; also per kind and `Limit`: concurrency, rateLimit
 * or debounce) (counts), Duration and QueueLatency (ms),
 * and FailureRate: one value per finished job, 100 when it failed and 0 when it succeeded, so
 * that the metric's Average over a period is the percentage of finished jobs that failed (a
 * rate alarm without metric math).
 */
export function publishMetrics(events: readonly JobEvent[]): void {
  for (const kind of new Set(events.map((e) => e.kind))) {
    const ofKind = events.filter((e) => e.kind === kind && e.outcome !== 'delayed');
    const delayed = events.filter((e) => e.kind === kind && e.outcome === 'delayed').length;
    const metrics = workerMetrics();
    metrics.addDimension('Kind', kind);
    if (delayed > 0) metrics.addMetric(WORKER_METRICS.delayedByLimit, MetricUnit.Count, delayed);
    metrics.addMetric(WORKER_METRICS.processed, MetricUnit.Count, ofKind.length);
    metrics.addMetric(WORKER_METRICS.succeeded, MetricUnit.Count, ofKind.filter((e) => e.outcome === 'succeeded').length);
    metrics.addMetric(WORKER_METRICS.retried, MetricUnit.Count, ofKind.filter((e) => e.outcome === 'retried').length);
    metrics.addMetric(WORKER_METRICS.failed, MetricUnit.Count, ofKind.filter((e) => e.outcome === 'failed').length);
    const waiting = ofKind.filter((e) => e.outcome === 'waiting').length;
    if (waiting > 0) metrics.addMetric(WORKER_METRICS.waitingForChildren, MetricUnit.Count, waiting);
    for (const e of ofKind) {
      // A finished job's share of failures: not a retried attempt, nor a parent still waiting.
      if (e.outcome === 'succeeded' || e.outcome === 'failed') metrics.addMetric(WORKER_METRICS.failureRate, MetricUnit.Percent, e.outcome === 'failed' ? 100 : 0);
      if (e.durationMs !== undefined) metrics.addMetric(WORKER_METRICS.duration, MetricUnit.Milliseconds, e.durationMs);
      if (e.queueLatencyMs !== undefined) metrics.addMetric(WORKER_METRICS.queueLatency, MetricUnit.Milliseconds, e.queueLatencyMs);
    }
    metrics.publishStoredMetrics();
    for (const limit of new Set(events.filter((e) => e.kind === kind && e.limit).map((e) => e.limit!))) {
      const single = metrics.singleMetric();
      single.addDimensions({ Kind: kind, Limit: limit });
      single.addMetric(WORKER_METRICS.delayedByLimit, MetricUnit.Count, events.filter((e) => e.kind === kind && e.limit === limit).length);
    }
  }
}

/** One Metrics per queue name, kept across batches: making one builds a Console and reads the environment. Its dimensions and values are cleared by each publish. */
const metricsByQueue = new Map<string, Metrics>();

function workerMetrics(): Metrics {
  const queue = process.env[QUEUE_NAME_ENV] ?? 'jobline';
  let metrics = metricsByQueue.get(queue);
  if (!metrics) {
    metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: WORKER_SERVICE_NAME, defaultDimensions: { JobQueue: queue } });
    metricsByQueue.set(queue, metrics);
  }
  return metrics;
}

/** Thrown to list a record in `batchItemFailures`: its message comes back after its visibility. */
class KeepMessage extends Error {
  constructor(messageId: string) {
    super(`message ${messageId} stays on the queue`);
  }
}

/** The lane of a record: the lane whose queue name ends the record's source ARN. */
function incoming(record: SQSRecord, lanes: JoblineConfig['lanes']): IncomingMessage {
  return {
    messageId: record.messageId,
    receiptHandle: record.receiptHandle,
    body: record.body,
    lane: laneOf(record.eventSourceARN, lanes),
    receiveCount: Number(record.attributes.ApproximateReceiveCount ?? '1'),
    sentTimestamp: Number(record.attributes.SentTimestamp ?? Date.now()),
    groupId: record.attributes.MessageGroupId,
  };
}

/** The name of the queue a batch came from (its records all come from one event source). */
function batchQueueOf(event: SQSEvent): string {
  const arn = event.Records[0]?.eventSourceARN;
  return arn ? queueOfArn(arn) : 'unknown';
}

/** The queue's name at the end of its ARN. */
function queueOfArn(sourceArn: string): string {
  return sourceArn.split(':').pop() ?? '';
}

const laneCache = new Map<string, string>();

function laneOf(sourceArn: string, lanes: JoblineConfig['lanes']): string {
  const cached = laneCache.get(sourceArn);
  if (cached) return cached;
  const queueName = queueOfArn(sourceArn);
  const match = Object.entries(lanes).find(([, lane]) => lane.queueUrl.split('/').pop() === queueName);
  if (!match) throw new ConfigurationError('worker cannot place a message', [`no configured lane has the queue ${queueName} (source ${sourceArn})`]);
  laneCache.set(sourceArn, match[0]);
  return match[0];
}
