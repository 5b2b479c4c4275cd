import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { awsBackends } from '../aws/aws-backends.js';
import { faultPlanFromEnvironment } from '../aws/faults.js';
import { configFromEnvironment, type JoblineConfig } from '../config.js';
import { dispatchKept, type DispatchDependencies } from './dispatch-kept.js';
import { DISPATCHER_SERVICE_NAME } from '../metrics.js';
import { jobsOfStream } from './stream-records.js';
import { refusingFirstSends } from './test-faults.js';

/** Options of {@link createDispatcher}; tests may pass their own backends. */
export interface DispatcherOptions {
  /** Where the jobs live. @default read from the JOBLINE_CONFIG environment variable */
  readonly config?: JoblineConfig;
  readonly dependencies?: Partial<DispatchDependencies>;
  readonly now?: () => Date;
}

/**
 * Makes the dispatcher Lambda's handler: the jobs table's stream hands it the jobs written in
 * callers' own transactions (inserts marked `dispatch = stream`, filtered by the event
 * source), and it sends their messages to their lanes in batches — or to one-time schedules
 * for long delays. It writes nothing: the claim drops the kept payload. Jobs it could not
 * send are reported as batch item failures (the stream delivers them again); should the
 * stream give up, the sweeper sends a job still queued past the stuck horizon with its payload.
 * A job sent twice runs once: the claim sees to it.
 */
export function createDispatcher(options: DispatcherOptions = {}): (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> {
  const logger = new Logger({ serviceName: DISPATCHER_SERVICE_NAME });
  let dependencies: DispatchDependencies | undefined;
  const resolve = (): DispatchDependencies => {
    if (dependencies) return dependencies;
    const config = options.config ?? configFromEnvironment();
    const backends = awsBackends(config);
    const refuse = faultPlanFromEnvironment()?.refuseFirstSendOfKinds ?? [];
    dependencies = {
      transport: refuse.length > 0 ? refusingFirstSends(backends.transport, refuse) : backends.transport,
      scheduler: backends.scheduler,
      // No write: the claim drops the payload (a duplicate send, should the stream repeat, runs nothing twice).
      thresholdSeconds: config.scheduler.thresholdSeconds,
      logger,
      ...options.dependencies,
    };
    return dependencies;
  };
  return async (event) => {
    const jobs = jobsOfStream(event.Records);
    if (jobs.length === 0) return { batchItemFailures: [] };
    const report = await dispatchKept(jobs, (options.now ?? (() => new Date()))(), resolve());
    const failed = new Set(report.failed);
    const batchItemFailures = jobs.filter((job) => failed.has(job.record.id)).map((job) => ({ itemIdentifier: job.sequenceNumber }));
    logger.info('dispatched jobs from the stream', { dispatched: report.dispatched.length, failed: batchItemFailures.length });
    return { batchItemFailures };
  };
}
