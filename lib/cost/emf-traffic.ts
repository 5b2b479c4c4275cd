import { METRICS_NAMESPACE, WORKER_METRICS, WORKER_SERVICE_NAME } from '../metrics.js';
import { addTraffic, NO_TRAFFIC, type KindTraffic } from './kind-traffic.js';

/** A metric's value in an EMF line: one number, or a list of them. */
const total = (value: unknown): number => (Array.isArray(value) ? value : [value]).reduce((sum: number, v) => sum + (typeof v === 'number' && Number.isFinite(v) ? v : 0), 0);

/**
 * Each kind's traffic in the worker's EMF log lines of queue `queueName` — the lines CloudWatch
 * turns into the worker's metrics. A line is read from its first `{`; a line that is not the
 * worker's per-kind line (another queue, another service, the per-limit line, not JSON) is
 * skipped, and so is one whose timestamp (`_aws.Timestamp`, which CloudWatch files its metrics
 * under) is outside `window`, when one is given.
 */
export function trafficOfEmfLines(lines: Iterable<string>, queueName: string, window?: { readonly since: Date; readonly until: Date }): Map<string, KindTraffic> {
  const byKind = new Map<string, KindTraffic>();
  for (const line of lines) {
    const start = line.indexOf('{');
    if (start < 0) continue;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line.slice(start)) as Record<string, unknown>;
    } catch {
      continue;
    }
    const aws = parsed._aws as { Timestamp?: unknown; CloudWatchMetrics?: Array<{ Namespace?: string }> } | undefined;
    if (!aws?.CloudWatchMetrics?.some((d) => d.Namespace === METRICS_NAMESPACE)) continue;
    if (window && !(typeof aws.Timestamp === 'number' && aws.Timestamp >= window.since.getTime() && aws.Timestamp < window.until.getTime())) continue;
    if (parsed.JobQueue !== queueName || parsed.service !== WORKER_SERVICE_NAME || typeof parsed.Kind !== 'string' || 'Limit' in parsed) continue;
    byKind.set(parsed.Kind, addTraffic(byKind.get(parsed.Kind) ?? NO_TRAFFIC, {
      succeeded: total(parsed[WORKER_METRICS.succeeded]),
      retried: total(parsed[WORKER_METRICS.retried]),
      failed: total(parsed[WORKER_METRICS.failed]),
      waited: total(parsed[WORKER_METRICS.waitingForChildren]),
      delayedByLimit: total(parsed[WORKER_METRICS.delayedByLimit]),
      durationMs: total(parsed[WORKER_METRICS.duration]),
    }));
  }
  return byKind;
}
