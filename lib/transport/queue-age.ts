import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';

/** How far back the last datapoint of a queue's age is looked for. SQS publishes it every minute. */
const LOOKBACK_MS = 10 * 60_000;

/**
 * The age of each queue's oldest message, as SQS reports it to CloudWatch
 * (`AWS/SQS ApproximateAgeOfOldestMessage`, the metric the oldest-job-age alarm watches):
 * one GetMetricData call for all queues. A queue without a recent datapoint is absent.
 */
export class CloudWatchQueueAges {
  constructor(private readonly cloudwatch: CloudWatchClient = new CloudWatchClient({})) {}

  /** Seconds, by queue name: the latest one-minute Maximum within the last 10 minutes. */
  async oldestMessageAges(queueNames: readonly string[], now = new Date()): Promise<Map<string, number>> {
    const ages = new Map<string, number>();
    if (queueNames.length === 0) return ages;
    const output = await this.cloudwatch.send(new GetMetricDataCommand({
      StartTime: new Date(now.getTime() - LOOKBACK_MS),
      EndTime: now,
      ScanBy: 'TimestampDescending',
      MetricDataQueries: queueNames.map((name, i) => ({
        Id: `q${i}`,
        MetricStat: { Metric: { Namespace: 'AWS/SQS', MetricName: 'ApproximateAgeOfOldestMessage', Dimensions: [{ Name: 'QueueName', Value: name }] }, Period: 60, Stat: 'Maximum' },
      })),
    }));
    for (const result of output.MetricDataResults ?? []) {
      const name = queueNames[Number(result.Id?.slice(1))];
      const latest = latestValue(result.Timestamps ?? [], result.Values ?? []);
      if (name !== undefined && latest !== undefined) ages.set(name, latest);
    }
    return ages;
  }
}

/** The value at the latest timestamp (whatever order the datapoints came in). */
function latestValue(timestamps: readonly Date[], values: readonly number[]): number | undefined {
  let at = -Infinity;
  let latest: number | undefined;
  timestamps.forEach((timestamp, i) => {
    const time = new Date(timestamp).getTime();
    if (time > at && values[i] !== undefined) {
      at = time;
      latest = values[i];
    }
  });
  return latest;
}

/** A queue's name: the last segment of its URL. */
export function queueNameOf(queueUrl: string): string {
  return queueUrl.slice(queueUrl.lastIndexOf('/') + 1);
}
