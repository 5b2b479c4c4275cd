import { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { ConfigurationError } from '../lib/errors.js';
import { METRICS_NAMESPACE, SWEEPER_METRICS, SWEEPER_SERVICE_NAME, WORKER_SERVICE_NAME, type JobCountMetricName, type WorkerMetricName } from '../lib/metrics.js';
import type { Lane } from './job-queue-props.js';


/** The metrics of one job queue, as `JobQueue` offers them: what its alarms and dashboard show. */
export interface JobQueueMetrics {
  /** Age of the oldest message on a lane's queue, in seconds. */
  metricOldestJobAge(lane: string): Metric;
  /** Jobs of `kind` by outcome. */
  metricJobs(name: JobCountMetricName, kind: string): Metric;
  /** Percentage of `kind`'s finished jobs that failed. */
  metricFailureRate(kind: string): Metric;
  /** How long attempts of `kind` run, in ms. */
  metricDuration(kind: string, statistic?: string): Metric;
  /** Messages in a lane's DLQ. */
  metricDeadLetters(lane: string): Metric;
  /** Stuck jobs as the sweeper last counted them. */
  metricStuckJobs(): Metric;
}

/** A metric the worker emits (as EMF) for `kind` on the job queue named `queueName`. Period 5 minutes. */
export function workerMetric(queueName: string, metricName: WorkerMetricName, kind: string, statistic: string): Metric {
  return new Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { JobQueue: queueName, service: WORKER_SERVICE_NAME, Kind: kind }, statistic, period: Duration.minutes(5) });
}

/** Stuck jobs of the job queue named `queueName`, as the sweeper last counted them. Statistic Maximum, period 1 minute. */
export function stuckJobsMetric(queueName: string): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: SWEEPER_METRICS.stuckJobs,
    dimensionsMap: { JobQueue: queueName, service: SWEEPER_SERVICE_NAME },
    statistic: 'Maximum',
    period: Duration.minutes(1),
  });
}

/** Age of the oldest message on the queue of lane `lane`, in seconds. Statistic Maximum, period 1 minute. */
export function oldestJobAgeMetric(lanes: ReadonlyMap<string, Lane>, lane: string): Metric {
  return laneNamed(lanes, lane, 'metricOldestJobAge').queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: Duration.minutes(1) });
}

/** Visible messages in the DLQ of lane `lane`. Statistic Maximum, period 1 minute. */
export function deadLettersMetric(lanes: ReadonlyMap<string, Lane>, lane: string): Metric {
  return laneNamed(lanes, lane, 'metricDeadLetters').deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1) });
}

/** The lane named `lane`; a {@link ConfigurationError} about `subject` listing the lanes if there is none. */
function laneNamed(lanes: ReadonlyMap<string, Lane>, lane: string, subject: string): Lane {
  const found = lanes.get(lane);
  if (!found) throw new ConfigurationError(subject, [`no lane "${lane}"; lanes: ${[...lanes.keys()].join(', ')}`]);
  return found;
}
