import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { addTraffic, NO_TRAFFIC, type KindTraffic, type KindTrafficSource } from '../cost/kind-traffic.js';
import { METRICS_NAMESPACE, WORKER_METRICS, WORKER_SERVICE_NAME } from '../metrics.js';

/** The worker's metrics a kind's traffic sums, by the field they fill. */
const SUMMED = { succeeded: WORKER_METRICS.succeeded, retried: WORKER_METRICS.retried, failed: WORKER_METRICS.failed, waited: WORKER_METRICS.waitingForChildren, delayedByLimit: WORKER_METRICS.delayedByLimit, durationMs: WORKER_METRICS.duration } as const;
const FIELDS = Object.keys(SUMMED) as Array<keyof typeof SUMMED>;
const PERIOD_SECONDS = 300;
/** GetMetricData takes at most 500 queries a request. */
const QUERIES_PER_REQUEST = 500;

/**
 * Each kind's traffic from the worker's CloudWatch metrics (namespace Jobline; dimensions
 * JobQueue, service, Kind), which CloudWatch extracts from the worker's EMF log lines: the Sum of
 * each over the window, one GetMetricData query per kind and metric.
 */
export class CloudWatchKindTraffic implements KindTrafficSource {
  readonly describe = 'the worker\'s CloudWatch metrics';

  constructor(private readonly queueName: string, private readonly kinds: readonly string[], private readonly cloudwatch: CloudWatchClient = new CloudWatchClient({})) {}

  async traffic(since: Date, until: Date): Promise<Map<string, KindTraffic>> {
    const queries: Array<{ kind: string; field: keyof typeof SUMMED; query: MetricDataQuery }> = this.kinds.flatMap((kind, k) => FIELDS.map((field, f) => ({
      kind,
      field,
      query: {
        Id: `k${k}m${f}`,
        ReturnData: true,
        MetricStat: {
          Metric: { Namespace: METRICS_NAMESPACE, MetricName: SUMMED[field], Dimensions: [{ Name: 'JobQueue', Value: this.queueName }, { Name: 'service', Value: WORKER_SERVICE_NAME }, { Name: 'Kind', Value: kind }] },
          // Five-minute sums, added up: CloudWatch rounds a query's start down to a multiple of its
          // period, so one period for the whole window could add up to an hour before it (it keeps
          // five-minute data 63 days; paging, below, takes a long window's many points).
          Period: PERIOD_SECONDS,
          Stat: 'Sum',
        },
      },
    })));
    const byId = new Map(queries.map((q) => [q.query.Id!, q]));
    const byKind = new Map<string, KindTraffic>();
    for (let i = 0; i < queries.length; i += QUERIES_PER_REQUEST) {
      let nextToken: string | undefined;
      do {
        const output = await this.cloudwatch.send(new GetMetricDataCommand({ StartTime: since, EndTime: until, MetricDataQueries: queries.slice(i, i + QUERIES_PER_REQUEST).map((q) => q.query), NextToken: nextToken }));
        for (const result of output.MetricDataResults ?? []) {
          const query = byId.get(result.Id ?? '');
          const values = result.Values ?? [];
          if (!query || values.length === 0) continue;
          byKind.set(query.kind, addTraffic(byKind.get(query.kind) ?? NO_TRAFFIC, { [query.field]: values.reduce((sum, v) => sum + v, 0) }));
        }
        nextToken = output.NextToken;
      } while (nextToken);
    }
    return byKind;
  }
}
