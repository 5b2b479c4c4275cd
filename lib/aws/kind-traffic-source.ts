import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CostConfig } from '../config.js';
import type { KindTrafficSource } from '../cost/kind-traffic.js';
import { isLoopback } from '../local/loopback.js';
import { CloudWatchKindTraffic } from './cloudwatch-kind-traffic.js';
import { LogKindTraffic } from './log-kind-traffic.js';

/**
 * Where a queue's per-kind traffic is read: the worker's CloudWatch metrics on AWS; its EMF log
 * lines when the SDK's endpoint (`AWS_ENDPOINT_URL`) is on this machine — a local emulator,
 * which keeps the lines but makes no metrics of them.
 */
export function kindTrafficSource(cost: CostConfig, clients: { cloudwatch?: CloudWatchClient; logs?: CloudWatchLogsClient } = {}, env: NodeJS.ProcessEnv = process.env): KindTrafficSource {
  return onEmulator(env.AWS_ENDPOINT_URL)
    ? new LogKindTraffic(cost.queueName, cost.workerLogGroup, clients.logs)
    : new CloudWatchKindTraffic(cost.queueName, Object.keys(cost.kinds), clients.cloudwatch);
}

function onEmulator(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  try {
    return isLoopback(new URL(endpoint).hostname);
  } catch {
    return false;
  }
}
