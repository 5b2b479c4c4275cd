import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Construct } from 'constructs';
import type { JobDefinition } from '../lib/job-definition.js';
import { WORKER_METRICS } from '../lib/metrics.js';
import { pascal } from './construct-ids.js';
import type { AlarmThresholds } from './job-queue-props.js';
import type { JobQueueMetrics } from './job-queue-metrics.js';

/** What a job queue's alarms watch. */
export interface AlarmSubjects {
  /** The lanes' names. */
  readonly lanes: readonly string[];
  readonly jobs: readonly JobDefinition[];
  readonly metrics: JobQueueMetrics;
}

/**
 * A job queue's alarms: per lane, the oldest job's age and a non-empty DLQ; per kind, failures
 * and the failure rate; and stuck jobs. Each notifies `thresholds.topic`, if given, of its alarm and recovery.
 */
export function createAlarms(scope: Construct, subjects: AlarmSubjects, thresholds: AlarmThresholds): Alarm[] {
  const alarms = [
    ...laneAlarms(scope, subjects, thresholds),
    ...kindAlarms(scope, subjects, thresholds),
    new Alarm(scope, 'StuckJobs', {
      alarmDescription: 'jobline: jobs are running with an expired lease (their worker died or hung) and no delivery has taken them over',
      metric: subjects.metrics.metricStuckJobs(),
      threshold: thresholds.stuckJobs,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),
  ];
  const topic = thresholds.topic;
  if (topic) for (const alarm of alarms) {
    alarm.addAlarmAction(new SnsAction(topic));
    alarm.addOkAction(new SnsAction(topic));
  }
  return alarms;
}

/** Every lane's oldest-job-age alarm, then every lane's dead-letter alarm. */
function laneAlarms(scope: Construct, { lanes, metrics }: AlarmSubjects, thresholds: AlarmThresholds): Alarm[] {
  return [
    ...lanes.map((lane) => new Alarm(scope, `${pascal(lane)}OldestJobAge`, {
      alarmDescription: `jobline: the oldest job waiting on lane "${lane}" is older than ${thresholds.oldestJobAge.toHumanString()}`,
      metric: metrics.metricOldestJobAge(lane),
      threshold: thresholds.oldestJobAge.toSeconds(),
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    })),
    ...lanes.map((lane) => new Alarm(scope, `${pascal(lane)}DeadLettersAlarm`, {
      alarmDescription: `jobline: the DLQ of lane "${lane}" is not empty: jobs failed (inspect with \`jobline dlq ls ${lane}\`)`,
      metric: metrics.metricDeadLetters(lane),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    })),
  ];
}

/** Every kind's failures alarm, then every kind's failure-rate alarm. */
function kindAlarms(scope: Construct, { jobs, metrics }: AlarmSubjects, thresholds: AlarmThresholds): Alarm[] {
  return [
    ...jobs.map((job) => new Alarm(scope, `${pascal(job.kind)}Failures`, {
      alarmDescription: `jobline: ${thresholds.failures} or more "${job.kind}" jobs failed within 5 minutes`,
      metric: metrics.metricJobs(WORKER_METRICS.failed, job.kind),
      threshold: thresholds.failures,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    })),
    ...jobs.map((job) => new Alarm(scope, `${pascal(job.kind)}FailureRate`, {
      alarmDescription: `jobline: more than ${thresholds.failureRate} % of finished "${job.kind}" jobs failed, in 2 of the last 3 five-minute periods`,
      metric: metrics.metricFailureRate(job.kind),
      threshold: thresholds.failureRate,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    })),
  ];
}
