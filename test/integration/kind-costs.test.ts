import { readFileSync } from 'node:fs';
import { PutMetricDataCommand, CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { JobInspector, type KindCostEstimate, type KindCostReport } from 'jobline/inspector';
import { CloudWatchKindTraffic } from '../../lib/aws/cloudwatch-kind-traffic.js';
import { LogKindTraffic } from '../../lib/aws/log-kind-traffic.js';
import { client, stack, unique, waitForStatus } from './support/deployed.js';
import { jobline } from './support/jobline-cli.js';
import { waitFor } from './support/wait.js';

// Each kind's cost as operators see it (JobInspector.kindCosts, `jobline kinds`, `jobline lanes`):
// the deployed worker's own metrics (here its EMF log lines: the emulator makes no metrics of
// them) and the per-path units bench:cost measured, against the figure the saved run printed
// for the same path (bench/results/bench.json).
const saved = JSON.parse(readFileSync(new URL('../../bench/results/bench.json', import.meta.url), 'utf8')) as { sections: Array<{ id: string; rows: Array<Record<string, string | number>> }> };
const savedDollars = (label: string) => Number(saved.sections.find((s) => s.id === 'cost')!.rows.find((r) => String(r.scenario).startsWith(label))!['$ per million']);
const JOBS = 20;
const inspector = new JobInspector({ config: stack.config });
const kindIn = (report: KindCostReport, kind: string): KindCostEstimate => report.kinds.find((k) => k.kind === kind)!;

describe('each kind\'s jobs per day and estimated cost, on the deployed stack', () => {
  const since = new Date(Date.now() - 1000);
  let report: KindCostReport;

  it(`counts ${JOBS} jobs of each of two kinds from the worker's metrics, one retry for each job of the retrying kind`, async () => {
    const run = unique('priced');
    const jobs = await client.enqueueMany([
      ...Array.from({ length: JOBS }, (_, i) => ({ job: 'test.priced-tags', payload: { run: `${run}-${i}` } })),
      ...Array.from({ length: JOBS }, (_, i) => ({ job: 'test.priced-retry', payload: { run: `${run}-${i}` } })),
    ]);
    await Promise.all(jobs.map((job) => waitForStatus(job.id, 'succeeded')));
    report = await waitFor('both kinds\' metrics to count every job', async () => {
      const now = await inspector.kindCosts({ since });
      return kindIn(now, 'test.priced-tags').traffic.succeeded >= JOBS && kindIn(now, 'test.priced-retry').traffic.succeeded >= JOBS ? now : undefined;
    }, { timeoutMs: 60_000, intervalMs: 1000 });
    expect(report.source).toContain('EMF log lines');
    expect(kindIn(report, 'test.priced-tags').traffic).toMatchObject({ succeeded: JOBS, retried: 0, failed: 0 });
    expect(kindIn(report, 'test.priced-retry').traffic).toMatchObject({ succeeded: JOBS, retried: JOBS, failed: 0 });
    // Jobs per day scale from the window the metrics were read over.
    const tagged = kindIn(report, 'test.priced-tags');
    expect(tagged.jobsPerDay).toBeCloseTo((JOBS * 86_400) / tagged.windowSeconds, 6);
    expect(tagged.dollarsPerDay).toBeCloseTo((tagged.dollarsPerMillion * tagged.jobsPerDay) / 1e6, 9);
    expect(tagged.traffic.durationMs).toBeGreaterThan(0);
  }, 180_000);

  it('prices each kind within 5 % of what bench:cost measured for its path: two tags, and one retry per job', () => {
    const tagged = kindIn(report, 'test.priced-tags').dollarsPerMillion;
    const retried = kindIn(report, 'test.priced-retry').dollarsPerMillion;
    expect(Math.abs(tagged / savedDollars('two tags') - 1)).toBeLessThan(0.05);
    expect(Math.abs(retried / savedDollars('one retry') - 1)).toBeLessThan(0.05);
    // The two paths differ by far more than 5 %: a kind priced on the wrong path fails above.
    expect(retried / tagged).toBeGreaterThan(1.3);
  });

  it('shows the same in `jobline kinds` (a table, and --json) and per lane in `jobline lanes`', async () => {
    const json = await jobline('kinds', '--since', '30m', '--json');
    expect(json.code).toBe(0);
    const shown = JSON.parse(json.stdout) as KindCostReport;
    const tagged = kindIn(shown, 'test.priced-tags');
    expect(Math.abs(tagged.dollarsPerMillion / savedDollars('two tags') - 1)).toBeLessThan(0.05);
    expect(tagged.traffic.succeeded).toBeGreaterThanOrEqual(JOBS);
    const table = await jobline('kinds', '--since', '30m');
    expect(table.code).toBe(0);
    const row = table.stdout.split('\n').find((line) => line.startsWith('test.priced-tags '))!;
    expect(row.split(/\s{2,}/)).toEqual(['test.priced-tags', 'default', 'full', expect.stringMatching(/^[\d,]+$/), '0', '0', `$${tagged.dollarsPerMillion.toFixed(2)}`, expect.stringMatching(/^<?\$/), expect.stringMatching(/^<?\$/)]);
    expect(table.stdout).toContain('note: per-path units as jobline\'s cost benchmark measured them');
    const lanes = JSON.parse((await jobline('lanes', '--json')).stdout) as Array<{ lane: string; jobsPerDay: number; dollarsPerDay: number }>;
    expect(lanes.find((l) => l.lane === 'default')).toMatchObject({ jobsPerDay: expect.any(Number), dollarsPerDay: expect.any(Number) });
    expect(lanes.find((l) => l.lane === 'default')!.jobsPerDay).toBeGreaterThanOrEqual(2 * JOBS);
  });

  it('reads the same sums from CloudWatch metrics (the reader AWS uses), as GetMetricData returns them', async () => {
    // CloudWatch extracts these from the EMF lines on AWS; put here as it would, for a queue of this test's own.
    const queueName = unique('cost-metrics');
    const cloudwatch = new CloudWatchClient({});
    const dimensions = (kind: string) => [{ Name: 'JobQueue', Value: queueName }, { Name: 'service', Value: 'jobline-worker' }, { Name: 'Kind', Value: kind }];
    const at = new Date();
    await cloudwatch.send(new PutMetricDataCommand({ Namespace: 'Jobline', MetricData: [
      { MetricName: 'Succeeded', Dimensions: dimensions('a'), Value: 7, Unit: 'Count', Timestamp: at },
      { MetricName: 'Succeeded', Dimensions: dimensions('a'), Value: 2, Unit: 'Count', Timestamp: at },
      { MetricName: 'Retried', Dimensions: dimensions('a'), Value: 3, Unit: 'Count', Timestamp: at },
      { MetricName: 'Failed', Dimensions: dimensions('a'), Value: 1, Unit: 'Count', Timestamp: at },
      { MetricName: 'WaitingForChildren', Dimensions: dimensions('a'), Value: 2, Unit: 'Count', Timestamp: at },
      { MetricName: 'Duration', Dimensions: dimensions('a'), Values: [100, 250], Unit: 'Milliseconds', Timestamp: at },
      { MetricName: 'Succeeded', Dimensions: dimensions('b'), Value: 4, Unit: 'Count', Timestamp: at },
    ] }));
    const traffic = await new CloudWatchKindTraffic(queueName, ['a', 'b', 'c'], cloudwatch).traffic(new Date(at.getTime() - 60_000), new Date(at.getTime() + 60_000));
    expect(Object.fromEntries(traffic)).toEqual({
      a: { succeeded: 9, retried: 3, failed: 1, waited: 2, delayedByLimit: 0, durationMs: 350 },
      b: { succeeded: 4, retried: 0, failed: 0, waited: 0, delayedByLimit: 0, durationMs: 0 },
    });
  });

  it('reads no traffic from a log group that does not exist yet (a worker that never ran)', async () => {
    const traffic = await new LogKindTraffic('q', `/aws/lambda/${unique('never-ran')}`).traffic(new Date(Date.now() - 60_000), new Date());
    expect(traffic.size).toBe(0);
  });
});
