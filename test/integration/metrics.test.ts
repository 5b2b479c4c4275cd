import { describe, expect, it } from 'vitest';
import { client, waitForStatus, workerLogLines } from './support/deployed.js';
import { waitFor } from './support/wait.js';

describe('worker metrics on the deployed stack', () => {
  it('emits per-kind job metrics as EMF log lines (no PutMetricData)', async () => {
    const job = await client.enqueue('test.echo', { value: `metrics-${Date.now()}` });
    await waitForStatus(job.id, 'succeeded');
    const line = await waitFor('an EMF line for test.echo', async () => {
      const lines = await workerLogLines('CloudWatchMetrics');
      return lines.map((l) => JSON.parse(l.slice(l.indexOf('{'))) as Record<string, unknown>).find((l) => l.Kind === 'test.echo' && Number(l.Succeeded) >= 1);
    }, { timeoutMs: 30_000, intervalMs: 1000 });
    const [directive] = (line._aws as { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> }).CloudWatchMetrics;
    expect(directive!.Namespace).toBe('Jobline');
    expect(directive!.Dimensions[0]).toEqual(expect.arrayContaining(['JobQueue', 'service', 'Kind']));
    expect(directive!.Metrics.map((m) => m.Name)).toEqual(expect.arrayContaining(['Processed', 'Succeeded', 'Retried', 'Failed', 'Duration', 'QueueLatency']));
    expect(line).toMatchObject({ JobQueue: 'JoblineTest-Jobs', service: 'jobline-worker' });
  });
});
