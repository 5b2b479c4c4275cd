import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsBackends } from '../aws/aws-backends.js';
import { withEnvironmentFaults } from '../aws/faults.js';
import { configFromEnvironment, type JoblineConfig } from '../config.js';
import type { AnyJobDefinition } from '../job-definition.js';
import { JobRegistry } from '../job-registry.js';
import { DynamoSweepStore } from '../store/dynamo/dynamo-sweep-store.js';
import { settleParent } from '../continuations/children.js';
import { sweep, type SweepOptions, type SweepReport } from './sweep.js';
import { METRICS_NAMESPACE, QUEUE_NAME_ENV, SWEEPER_METRICS, SWEEPER_SERVICE_NAME } from '../metrics.js';

/** Environment variable with the sweeper's options as JSON (`{"stuckAfterSeconds": 900}`). */
export const SWEEPER_ENV = 'JOBLINE_SWEEPER';

/**
 * Makes the sweeper Lambda's handler (run every minute by the construct; invoke it by hand
 * for a sweep now). `jobs` (optional) gives finished parents their kinds' retention. It returns its report and emits the counts as CloudWatch metrics in EMF
 * log lines: StuckJobs, StaleQueuedJobs, RedispatchedJobs, WatchedJobs.
 */
export function createSweeper(options: { config?: JoblineConfig; sweep?: SweepOptions; jobs?: readonly AnyJobDefinition[] } = {}): () => Promise<SweepReport> {
  const logger = new Logger({ serviceName: SWEEPER_SERVICE_NAME });
  return async () => {
    const config = options.config ?? configFromEnvironment();
    const sweepOptions = options.sweep ?? (JSON.parse(process.env[SWEEPER_ENV] ?? '{"stuckAfterSeconds":900}') as SweepOptions);
    const dynamodb = withEnvironmentFaults(new DynamoDBClient({}), 'dynamodb');
    const { transport, scheduler, store: jobs } = awsBackends(config, { dynamodb });
    const now = () => new Date();
    const settle = (parentId: string) => settleParent(parentId, { store: jobs, registry: new JobRegistry(options.jobs ?? []), shardCount: config.shardCount, now }, logger);
    const report = await sweep({ store: new DynamoSweepStore(dynamodb, config.tableName), settleParent: settle, transport, scheduler, config, logger, now }, sweepOptions);
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SWEEPER_SERVICE_NAME, defaultDimensions: { JobQueue: process.env[QUEUE_NAME_ENV] ?? 'jobline' } });
    metrics.addMetric(SWEEPER_METRICS.stuckJobs, MetricUnit.Count, report.stuckRunning);
    metrics.addMetric(SWEEPER_METRICS.staleQueuedJobs, MetricUnit.Count, report.staleQueued);
    metrics.addMetric(SWEEPER_METRICS.redispatchedJobs, MetricUnit.Count, report.redispatched);
    metrics.addMetric(SWEEPER_METRICS.watchedJobs, MetricUnit.Count, report.watched);
    metrics.publishStoredMetrics();
    logger.info('sweep done', { ...report });
    return report;
  };
}
