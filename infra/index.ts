/**
 * `jobline/cdk`: the CDK constructs. {@link JobQueue} provisions a complete job queue (lanes,
 * jobs table, worker, sweeper, schedules, alarms, optional HTTP API); {@link WebDashboard}
 * deploys its web dashboard behind Cognito. Needs the peer dependencies `aws-cdk-lib` and
 * `constructs`.
 */
export {
  JobQueue,
  cronScheduleName,
  DEFAULT_EXTRA_RECEIVES,
  VISIBILITY_TIMEOUT_MULTIPLIER,
  type EnqueueApiProps,
  type JobQueueProps,
  type Lane,
  type WorkerProps,
} from './job-queue.js';
export { WebDashboard, type WebDashboardProps } from './web-dashboard.js';
