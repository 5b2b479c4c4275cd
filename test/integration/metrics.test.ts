import { describe, expect, it } from 'vitest';
import { client, waitForStatus, workerLogLines } from './support/deployed.js';
import { waitFor } from './support/wait.js';

/** The worker's EMF lines for `kind` written since `since` (ms) that `match` accepts, once there are some. */
function emfLines(kind: string, since: number, match: (line: Record<string, unknown>) => boolean): Promise<Array<Record<string, unknown>>> {
  return waitFor(`EMF lines for ${kind}`, async () => {
    const lines = (await workerLogLines('CloudWatchMetrics')).map((l) => JSON.parse(l.slice(l.indexOf('{'))) as Record<string, unknown>);
    const found = lines.filter((l) => l.Kind === kind && (l._aws as { Timestamp: number }).Timestamp >= since && match(l));
    return found.length > 0 ? found : undefined;
  }, { timeoutMs: 30_000, intervalMs: 1000 });
}

describe('worker metrics on the deployed stack', () => {
  it('emits per-kind job metrics as EMF log lines (no PutMetricData)', async () => {
    const since = Date.now();
    const job = await client.enqueue('test.echo', { value: `metrics-${since}` });
    await waitForStatus(job.id, 'succeeded');
    const [line] = await emfLines('test.echo', since, (l) => Number(l.Succeeded) >= 1);
    const [directive] = (line!._aws as { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> }).CloudWatchMetrics;
    expect(directive!.Namespace).toBe('Jobline');
    expect(directive!.Dimensions[0]).toEqual(expect.arrayContaining(['JobQueue', 'service', 'Kind']));
    expect(directive!.Metrics.map((m) => m.Name)).toEqual(expect.arrayContaining(['Processed', 'Succeeded', 'Retried', 'Failed', 'Duration', 'QueueLatency', 'FailureRate']));
    expect(line).toMatchObject({ JobQueue: 'JoblineTest-Jobs', service: 'jobline-worker' });
    // A succeeded job counts 0 toward the failure rate.
    expect([line!.FailureRate].flat()).toContain(0);
  });

  it('emits FailureRate as 100 per failed job and 0 per succeeded one, so its Average is the rate', async () => {
    const since = Date.now();
    const [failing, passing] = await client.enqueueMany([
      { job: 'test.permanent', payload: { reason: `rate-${since}` } },
      { job: 'test.echo', payload: { value: `rate-${since}` } },
    ]);
    await Promise.all([waitForStatus(failing!.id, 'failed'), waitForStatus(passing!.id, 'succeeded')]);
    const failed = await emfLines('test.permanent', since, (l) => Number(l.Failed) >= 1);
    for (const line of failed) expect([line.FailureRate].flat()).toEqual(Array(Number(line.Failed)).fill(100));
    const succeeded = await emfLines('test.echo', since, (l) => Number(l.Succeeded) >= 1);
    for (const line of succeeded) expect([line.FailureRate].flat()).toEqual(Array(Number(line.Succeeded)).fill(0));
  });

  it('counts a parent\'s attempt that hands over to its children as WaitingForChildren, not as a finished job in FailureRate', async () => {
    const since = Date.now();
    const run = `metrics-parent-${since}`;
    const parent = await client.enqueue('test.parent', { children: [{ tenant: run, lock: run }] });
    await waitForStatus(parent.id, 'succeeded');
    const [line] = await emfLines('test.parent', since, (l) => Number(l.WaitingForChildren) >= 1);
    expect(line).toMatchObject({ Processed: 1, Succeeded: 0, Failed: 0 });
    expect(line!.FailureRate).toBeUndefined();
  });
});
