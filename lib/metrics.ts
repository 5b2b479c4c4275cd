/** CloudWatch namespace of jobline's metrics (emitted as EMF log lines by the worker and the sweeper). */
export const METRICS_NAMESPACE = 'Jobline';
/** Environment variable naming the job queue: the `JobQueue` dimension of its metrics. */
export const QUEUE_NAME_ENV = 'JOBLINE_QUEUE_NAME';
/** Powertools `serviceName` of the worker: the `service` dimension of its metrics. */
export const WORKER_SERVICE_NAME = 'jobline-worker';
/** Powertools `serviceName` of the sweeper: the `service` dimension of its metrics. */
export const SWEEPER_SERVICE_NAME = 'jobline-sweeper';
/** Powertools `serviceName` of the dispatcher (jobs enqueued in callers' transactions). */
export const DISPATCHER_SERVICE_NAME = 'jobline-dispatcher';

/**
 * The worker's metrics, per kind (dimensions JobQueue, service, Kind; DelayedByLimit also per
 * Limit): the names the worker emits and the construct's alarms and dashboard read.
 */
export const WORKER_METRICS = {
  processed: 'Processed',
  succeeded: 'Succeeded',
  retried: 'Retried',
  failed: 'Failed',
  waitingForChildren: 'WaitingForChildren',
  delayedByLimit: 'DelayedByLimit',
  failureRate: 'FailureRate',
  duration: 'Duration',
  queueLatency: 'QueueLatency',
} as const;

/** A metric the worker emits per kind. */
export type WorkerMetricName = (typeof WORKER_METRICS)[keyof typeof WORKER_METRICS];

/** The worker's counts of jobs per kind, by what became of each delivery. */
export type JobCountMetricName = (typeof WORKER_METRICS)['processed' | 'succeeded' | 'retried' | 'failed' | 'waitingForChildren' | 'delayedByLimit'];

/** The sweeper's metrics, per run (dimensions JobQueue, service). */
export const SWEEPER_METRICS = {
  stuckJobs: 'StuckJobs',
  staleQueuedJobs: 'StaleQueuedJobs',
  redispatchedJobs: 'RedispatchedJobs',
  watchedJobs: 'WatchedJobs',
} as const;
