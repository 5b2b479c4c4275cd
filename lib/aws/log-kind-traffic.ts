import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { trafficOfEmfLines } from '../cost/emf-traffic.js';
import type { KindTraffic, KindTrafficSource } from '../cost/kind-traffic.js';
import { METRICS_NAMESPACE } from '../metrics.js';

/**
 * Each kind's traffic read from the worker's own EMF log lines (FilterLogEvents over its log
 * group), summed as CloudWatch would sum the metrics it extracts from them. For an emulator:
 * ministack keeps a function's log lines but makes no metrics of them, so the worker's
 * CloudWatch metrics are empty there. On AWS the metrics are the cheaper read (this reads
 * every line of the window).
 */
export class LogKindTraffic implements KindTrafficSource {
  readonly describe: string;

  constructor(private readonly queueName: string, private readonly logGroupName: string, private readonly logs: CloudWatchLogsClient = new CloudWatchLogsClient({})) {
    this.describe = `the worker's EMF log lines (${logGroupName})`;
  }

  async traffic(since: Date, until: Date): Promise<Map<string, KindTraffic>> {
    const lines: string[] = [];
    let nextToken: string | undefined;
    do {
      const output = await this.logs.send(new FilterLogEventsCommand({ logGroupName: this.logGroupName, filterPattern: `"${METRICS_NAMESPACE}"`, startTime: since.getTime(), endTime: until.getTime(), nextToken }))
        // A worker that never ran has no log group yet: no traffic.
        .catch((error: unknown) => {
          if ((error as { name?: string }).name === 'ResourceNotFoundException') return { events: [], nextToken: undefined };
          throw error;
        });
      lines.push(...(output.events ?? []).map((event) => event.message ?? ''));
      nextToken = output.nextToken;
    } while (nextToken);
    return trafficOfEmfLines(lines, this.queueName, { since, until });
  }
}
