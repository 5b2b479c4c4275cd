/**
 * `jobline`: what every side shares — job definitions, statuses and records, errors, the
 * config a deployed job queue hands its clients, and the {@link JobClient} that enqueues.
 *
 * The worker runtime is `jobline/worker`, operations `jobline/inspector`, the HTTP API
 * `jobline/api`, the CDK constructs `jobline/cdk`, test helpers `jobline/testing`.
 */
export {
  defineJob,
  DEFAULT_LANE,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_BACKOFF_BASE_SECONDS,
  DEFAULT_BACKOFF_CAP_SECONDS,
  DEFAULT_BACKOFF_JITTER,
  DEFAULT_TIMEOUT_SECONDS,
  DEFAULT_SUCCEEDED_RETENTION_SECONDS,
  DEFAULT_FAILED_RETENTION_SECONDS,
  DEFAULT_MAX_PAYLOAD_BYTES,
  MAX_PAYLOAD_BYTES_LIMIT,
  MAX_TIMEOUT_SECONDS,
  type AnyJobDefinition,
  type CronSchedule,
  type InputOf,
  type JobDefinition,
  type JobDefinitionInput,
  type PayloadOf,
  type Retention,
  type RetryPolicy,
  type Uniqueness,
  type ConcurrencyLimit,
  type RateLimit,
  type Debounce,
  type FairGroup,
  type TrackingLevel,
  TRACKING_LEVELS,
  MAX_CONCURRENCY_LIMIT,
  MAX_RATE_LIMIT,
  MAX_RATE_PERIOD_SECONDS,
  MAX_DEBOUNCE_SECONDS,
  MAX_FLOW_KEY_LENGTH,
} from './job-definition.js';
export { describeWait } from './flow-control/describe-wait.js';
export { JOB_STATUSES, JOB_TRANSITIONS, canTransition, isFinished, type JobStatus } from './job-status.js';
export type { JobError, JobRecord, JobWait } from './job-record.js';
export {
  ConfigurationError,
  ContendedWriteError,
  DuplicateJobError,
  EnqueueError,
  IllegalTransitionError,
  JoblineError,
  TransactionCancelledError,
  TransactionTooLargeError,
  type JoblineErrorOptions,
  type TransactionItemFailure,
  InvalidEnqueueOptionsError,
  QueueChoiceError,
  InvalidPayloadError,
  JobNotCancellableError,
  JobNotRetryableError,
  JobTimeoutError,
  LeaseLostError,
  PayloadTooLargeError,
  PermanentError,
  RetryAfterError,
  UnknownKindError,
  UnknownLaneError,
  type PayloadIssue,
} from './errors.js';
export { CONFIG_ENV, configFromEnvironment, parseConfig, type CostConfig, type JoblineConfig, type LaneConfig, type SchedulerConfig } from './config.js';
export type { KindCostProfile } from './cost/kind-profile.js';
export type { Backends } from './backends.js';
export { loadConfig, type LocateOptions } from './local/locate-queue.js';
export { QUEUE_OUTPUTS, DASHBOARD_OUTPUTS } from './stack-outputs.js';
export { DEFAULT_SHARD_COUNT, isJobId } from './job-id.js';
export {
  JobClient,
  MAX_DELAY_SECONDS,
  type EnqueueOptions,
  type EnqueueRequest,
  type EnqueuedJob,
  type JobClientOptions,
} from './client/job-client.js';
export { MAX_SQS_DELAY_SECONDS } from './transport/sqs-limits.js';
export { MAX_RESULT_WAIT_SECONDS, type ResultOptions } from './results/await-result.js';
export { MAX_TAGS, MAX_TAG_LENGTH, type JobTags } from './tags/job-tags.js';
export type { JobResult, JobResultState } from './results/job-result.js';
export {
  DEFAULT_INLINE_RESULT_BYTES,
  MAX_INLINE_RESULT_BYTES,
  MAX_STORED_RESULT_BYTES,
  type DroppedResult,
  type ResultRef,
  type ResultStore,
} from './results/result-store.js';
export type { TransactItem } from './store/dynamo/job-transaction.js';
