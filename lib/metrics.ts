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
