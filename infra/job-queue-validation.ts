import { Token } from 'aws-cdk-lib';
import { ConfigurationError } from '../lib/errors.js';
import { MAX_TIMEOUT_SECONDS, MAX_VISIBILITY_SECONDS, type JobDefinition } from '../lib/job-definition.js';
import { MAX_SHARD_COUNT } from '../lib/job-id.js';
import { MAX_SQS_DELAY_SECONDS } from '../lib/transport/sqs-limits.js';
import { VISIBILITY_TIMEOUT_MULTIPLIER, type JobQueueProps, type JobQueueSettings } from './job-queue-props.js';
import { cronScheduleName } from './job-queue-schedules.js';

/**
 * Checks `props` (and the settings resolved from them) against every rule, and throws one
 * {@link ConfigurationError} naming every broken one, so a single synth shows all the fixes needed.
 */
export function validateJobQueueProps(props: JobQueueProps, settings: JobQueueSettings, stack: { readonly region: string }): void {
  const { jobs, workerTimeout, visibilityTimeout, shardCount, extraReceives, schedulerThreshold } = settings;
  const workerSeconds = workerTimeout.toSeconds();
  const longest = jobs.reduce<JobDefinition | undefined>((a, j) => (!a || j.timeoutSeconds > a.timeoutSeconds ? j : a), undefined);
  const kinds = jobs.map((j) => j.kind);
  const duplicate = kinds.find((k, i) => kinds.indexOf(k) !== i);
  const rules: Array<[boolean, string]> = [
    [jobs.length === 0, 'jobs must list at least one job definition'],
    [duplicate !== undefined, `kind "${duplicate}" is listed more than once`],
    [workerSeconds > MAX_TIMEOUT_SECONDS, `worker.timeout must be at most ${MAX_TIMEOUT_SECONDS} s (Lambda's limit), got ${workerSeconds} s`],
    [longest !== undefined && workerSeconds < longest.timeoutSeconds,
      `worker.timeout (${workerSeconds} s) must be at least every kind's timeoutSeconds; "${longest?.kind}" has ${longest?.timeoutSeconds} s`],
    // Lambda refuses an SQS event source whose queue hides a message for less than the function may run.
    [visibilityTimeout.toSeconds() < workerSeconds,
      `visibilityTimeout (${visibilityTimeout.toSeconds()} s) must be at least worker.timeout (${workerSeconds} s): Lambda refuses an SQS event source otherwise`],
    [visibilityTimeout.toSeconds() > MAX_VISIBILITY_SECONDS, `visibilityTimeout must be at most ${MAX_VISIBILITY_SECONDS} s (12 h), got ${visibilityTimeout.toSeconds()} s`],
    [!Number.isInteger(shardCount) || shardCount < 1 || shardCount > MAX_SHARD_COUNT, `shardCount must be an integer from 1 to ${MAX_SHARD_COUNT}, got ${shardCount}`],
    [!Number.isInteger(extraReceives) || extraReceives < 1 || extraReceives > 100, `extraReceives must be an integer from 1 to 100, got ${extraReceives}`],
    ...jobs.flatMap((job) => job.schedules.map((schedule): [boolean, string] => [cronScheduleName(job.kind, schedule.name).length > 64,
      `schedule name "${cronScheduleName(job.kind, schedule.name)}" (kind + name) must be at most 64 characters`])),
    [schedulerThreshold.toSeconds() > MAX_SQS_DELAY_SECONDS, `schedulerThreshold must be at most 15 minutes (SQS's longest delay), got ${schedulerThreshold.toSeconds()} s`],
    [props.worker.batchSize !== undefined && (!Number.isInteger(props.worker.batchSize) || props.worker.batchSize < 1 || props.worker.batchSize > 10_000),
      `worker.batchSize must be an integer from 1 to 10000, got ${props.worker.batchSize}`],
    [props.worker.maxConcurrency !== undefined && (!Number.isInteger(props.worker.maxConcurrency) || props.worker.maxConcurrency < 2 || props.worker.maxConcurrency > 1000),
      `worker.maxConcurrency must be an integer from 2 to 1000, got ${props.worker.maxConcurrency}`],
    ...settingRules(props, settings),
    ...laneRules(props, settings),
    [settings.encryptionKey !== undefined && Token.isUnresolved(stack.region),
      'encryptionKey needs a stack with an explicit env.region (a DynamoDB table under a customer-managed key names its key per region)'],
  ];
  const problems = rules.filter(([broken]) => broken).map(([, message]) => message);
  if (problems.length > 0) throw new ConfigurationError('JobQueue props are invalid', problems);
}

/**
 * AWS's advice for an SQS event source, which `visibilityTimeout` may knowingly go below: a
 * visibility timeout of 6 × the worker's timeout leaves Lambda time to retry a throttled batch
 * before its messages come back. Below it, a batch Lambda could not start in time comes back
 * early and spends one of each message's receives (the claim keeps its job from running twice;
 * `extraReceives` is the budget such receives draw on), and a crashed worker's jobs are taken
 * over sooner. Returns the warning to show at synth, or nothing.
 */
export function visibilityTimeoutAdvice(settings: JobQueueSettings): string | undefined {
  const visibility = settings.visibilityTimeout.toSeconds();
  const advised = VISIBILITY_TIMEOUT_MULTIPLIER * settings.workerTimeout.toSeconds();
  if (visibility >= advised) return undefined;
  return `visibilityTimeout (${visibility} s) is under AWS's advice of ${VISIBILITY_TIMEOUT_MULTIPLIER} × worker.timeout (${advised} s): `
    + 'a batch Lambda is throttled on comes back sooner and spends one of each message\'s receives (extraReceives is their budget)';
}

/** The rules of `lanes`: each names a lane of the kinds, and its pollers are in AWS's ranges. */
function laneRules(props: JobQueueProps, settings: JobQueueSettings): Array<[boolean, string]> {
  const lanes = new Set(settings.jobs.map((j) => j.lane));
  const named = Object.keys(props.lanes ?? {}).map((lane): [boolean, string] => [!lanes.has(lane), `lanes.${lane} names no lane of the jobs (their lanes: ${[...lanes].sort().join(', ')})`]);
  return [...named, ...[...settings.provisionedPollers].flatMap(([lane, { minimum, maximum }]): Array<[boolean, string]> => [
    [!isIntegerIn(minimum, 2, 200), `lanes.${lane}.provisionedPollers.minimum must be an integer from 2 to 200 (AWS's range for SQS), got ${minimum}`],
    [!isIntegerIn(maximum, 2, 2000), `lanes.${lane}.provisionedPollers.maximum must be an integer from 2 to 2000 (AWS's range for SQS), got ${maximum}`],
    [minimum > maximum, `lanes.${lane}.provisionedPollers.minimum (${minimum}) must be at most its maximum (${maximum})`],
  ])];
}

/** The rules of the settings that have no other check: batching, memory, the sweeper's horizon, alarm thresholds. */
function settingRules(props: JobQueueProps, settings: JobQueueSettings): Array<[boolean, string]> {
  const { batchSize, workerMemorySize, stuckAfter, alarms } = settings;
  const windowSeconds = props.worker.maxBatchingWindow?.toSeconds();
  return [
    // The SQS event source takes more than 10 messages a batch only when it may wait to gather them.
    [batchSize > 10 && !(windowSeconds && windowSeconds >= 1),
      `worker.batchSize ${batchSize} needs worker.maxBatchingWindow of at least 1 s (SQS event sources take more than 10 messages a batch only with a batching window)`],
    [windowSeconds !== undefined && windowSeconds > 300, `worker.maxBatchingWindow must be at most 300 s, got ${windowSeconds} s`],
    [!isIntegerIn(workerMemorySize, 128, 10_240), `worker.memorySize must be an integer from 128 to 10240 MB (Lambda's range), got ${workerMemorySize}`],
    [!isIntegerIn(stuckAfter.toSeconds(), 1, 7 * 86_400), `stuckAfter must be from 1 s to 7 days, got ${stuckAfter.toSeconds()} s`],
    [!isIntegerIn(alarms.oldestJobAge.toSeconds(), 60, 14 * 86_400),
      `alarms.oldestJobAge must be from 1 minute (the alarm's period) to 14 days (SQS's longest retention), got ${alarms.oldestJobAge.toSeconds()} s`],
    [!isIntegerIn(alarms.stuckJobs, 1, 1_000_000), `alarms.stuckJobs must be a whole number of jobs of at least 1, got ${alarms.stuckJobs}`],
    [!isIntegerIn(alarms.failures, 1, 1_000_000), `alarms.failures must be a whole number of jobs of at least 1, got ${alarms.failures}`],
    [!(alarms.failureRate > 0 && alarms.failureRate <= 100), `alarms.failureRate must be a percentage above 0 and at most 100, got ${alarms.failureRate}`],
  ];
}

function isIntegerIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}
