/**
 * `jobline/cdk`: the CDK constructs. {@link JobQueue} provisions a complete job queue (lanes,
 * jobs table, worker, sweeper, schedules, alarms, optional HTTP API); {@link WebDashboard}
 * deploys its web dashboard behind Cognito. Needs the peer dependencies `aws-cdk-lib` and
 * `constructs`.
 */
export { JobQueue } from './job-queue.js';
export {
  DEFAULT_BATCH_SIZE,
  DEFAULT_ENQUEUE_API_THROTTLE,
  DEFAULT_EXTRA_RECEIVES,
  DEFAULT_FAILURE_RATE_ALARM,
  DEFAULT_FAILURES_ALARM,
  DEFAULT_MAX_CONCURRENCY,
  DEFAULT_MAXIMUM_POLLERS,
  DEFAULT_MINIMUM_POLLERS,
  DEFAULT_OLDEST_JOB_AGE_ALARM,
  DEFAULT_SCHEDULER_THRESHOLD,
  DEFAULT_STUCK_AFTER,
  DEFAULT_STUCK_JOBS_ALARM,
  DEFAULT_WORKER_MEMORY_MB,
  VISIBILITY_TIMEOUT_MULTIPLIER,
  type EnqueueApiProps,
  type JobQueueProps,
  type Lane,
  type LaneProps,
  type ProvisionedPollers,
  type WorkerProps,
} from './job-queue-props.js';
export { cronScheduleName } from './job-queue-schedules.js';
export { WebDashboard, type WebDashboardProps } from './web-dashboard.js';
export { logAccess, throttleStage, type ApiThrottle } from './api-stage.js';
