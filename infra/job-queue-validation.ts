import { ConfigurationError } from '../lib/errors.js';
import { MAX_VISIBILITY_SECONDS, type JobDefinition } from '../lib/job-definition.js';
import { MAX_SHARD_COUNT } from '../lib/job-id.js';
import { VISIBILITY_TIMEOUT_MULTIPLIER, type JobQueueProps, type JobQueueSettings } from './job-queue-props.js';
import { cronScheduleName } from './job-queue-schedules.js';

/**
 * Checks `props` (and the settings resolved from them) against every rule, and throws one
 * {@link ConfigurationError} naming every broken one, so a single synth shows all the fixes needed.
 */
export function validateJobQueueProps(props: JobQueueProps, settings: JobQueueSettings): void {
  const { jobs, workerTimeout, visibilityTimeout, shardCount, extraReceives, schedulerThreshold } = settings;
  const workerSeconds = workerTimeout.toSeconds();
  const longest = jobs.reduce<JobDefinition | undefined>((a, j) => (!a || j.timeoutSeconds > a.timeoutSeconds ? j : a), undefined);
  const kinds = jobs.map((j) => j.kind);
  const duplicate = kinds.find((k, i) => kinds.indexOf(k) !== i);
  const rules: Array<[boolean, string]> = [
    [jobs.length === 0, 'jobs must list at least one job definition'],
    [duplicate !== undefined, `kind "${duplicate}" is listed more than once`],
    [workerSeconds > 900, `worker.timeout must be at most 900 s (Lambda's limit), got ${workerSeconds} s`],
    [longest !== undefined && workerSeconds < longest.timeoutSeconds,
      `worker.timeout (${workerSeconds} s) must be at least every kind's timeoutSeconds; "${longest?.kind}" has ${longest?.timeoutSeconds} s`],
    [visibilityTimeout.toSeconds() < VISIBILITY_TIMEOUT_MULTIPLIER * workerSeconds,
      `visibilityTimeout (${visibilityTimeout.toSeconds()} s) must be at least ${VISIBILITY_TIMEOUT_MULTIPLIER} × worker.timeout (${VISIBILITY_TIMEOUT_MULTIPLIER * workerSeconds} s)`],
    [visibilityTimeout.toSeconds() > MAX_VISIBILITY_SECONDS, `visibilityTimeout must be at most ${MAX_VISIBILITY_SECONDS} s (12 h), got ${visibilityTimeout.toSeconds()} s`],
    [!Number.isInteger(shardCount) || shardCount < 1 || shardCount > MAX_SHARD_COUNT, `shardCount must be an integer from 1 to ${MAX_SHARD_COUNT}, got ${shardCount}`],
    [!Number.isInteger(extraReceives) || extraReceives < 1 || extraReceives > 100, `extraReceives must be an integer from 1 to 100, got ${extraReceives}`],
    ...jobs.flatMap((job) => job.schedules.map((schedule): [boolean, string] => [cronScheduleName(job.kind, schedule.name).length > 64,
      `schedule name "${cronScheduleName(job.kind, schedule.name)}" (kind + name) must be at most 64 characters`])),
    [schedulerThreshold.toSeconds() > 900, `schedulerThreshold must be at most 15 minutes (SQS's longest delay), got ${schedulerThreshold.toSeconds()} s`],
    [props.worker.batchSize !== undefined && (!Number.isInteger(props.worker.batchSize) || props.worker.batchSize < 1 || props.worker.batchSize > 10_000),
      `worker.batchSize must be an integer from 1 to 10000, got ${props.worker.batchSize}`],
    [props.worker.maxConcurrency !== undefined && (!Number.isInteger(props.worker.maxConcurrency) || props.worker.maxConcurrency < 2 || props.worker.maxConcurrency > 1000),
      `worker.maxConcurrency must be an integer from 2 to 1000, got ${props.worker.maxConcurrency}`],
  ];
  const problems = rules.filter(([broken]) => broken).map(([, message]) => message);
  if (problems.length > 0) throw new ConfigurationError('JobQueue props are invalid', problems);
}
