/** CloudWatch namespace of jobline's metrics (emitted as EMF log lines by the worker and the sweeper). */
export const METRICS_NAMESPACE = 'Jobline';
/** Environment variable naming the job queue: the `JobQueue` dimension of its metrics. */
export const QUEUE_NAME_ENV = 'JOBLINE_QUEUE_NAME';
