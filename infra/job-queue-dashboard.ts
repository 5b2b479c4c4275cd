import { Dashboard, GraphWidget, SingleValueWidget, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import type { JobDefinition } from '../lib/job-definition.js';
import { WORKER_METRICS } from '../lib/metrics.js';
import type { JobQueueMetrics } from './job-queue-metrics.js';

/** What a job queue's dashboard shows. */
export interface DashboardSubjects {
  /** The job queue's name: the dashboard's title, and its name made safe for CloudWatch. */
  readonly queueName: string;
  /** The lanes' names. */
  readonly lanes: readonly string[];
  readonly jobs: readonly JobDefinition[];
  readonly metrics: JobQueueMetrics;
}

/** The CloudWatch dashboard of a job queue: a row per lane (age, dead letters), stuck jobs, a graph per kind. */
export function createDashboard(scope: Construct, { queueName, lanes, jobs, metrics }: DashboardSubjects): Dashboard {
  const dashboard = new Dashboard(scope, 'Dashboard', { dashboardName: `${queueName}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 255) });
  dashboard.addWidgets(new TextWidget({ markdown: `# jobline: ${queueName}\nInspect jobs with the \`jobline\` CLI or the web dashboard.`, width: 24, height: 2 }));
  dashboard.addWidgets(
    ...lanes.map((lane) => new GraphWidget({
      title: `lane ${lane}: oldest job age (s) and dead letters`,
      left: [metrics.metricOldestJobAge(lane)],
      right: [metrics.metricDeadLetters(lane)],
      width: 12,
    })),
    new SingleValueWidget({ title: 'stuck jobs', metrics: [metrics.metricStuckJobs()], width: 6 }),
  );
  dashboard.addWidgets(...jobs.map((job) => new GraphWidget({
    title: `${job.kind}: processed, failed, retried; failure rate (%)`,
    left: [metrics.metricJobs(WORKER_METRICS.processed, job.kind), metrics.metricJobs(WORKER_METRICS.failed, job.kind), metrics.metricJobs(WORKER_METRICS.retried, job.kind)],
    right: [metrics.metricFailureRate(job.kind)],
    width: 12,
  })));
  return dashboard;
}
