import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { quantity, renderChart, seriesName, writeChart } from '../../bench/lib/chart.js';
import { printSection, printSummary, summaryRows, targetLine, writeResults } from '../../bench/lib/report.js';
import { verdict, type BenchSection, type Target } from '../../bench/lib/result.js';

const writeUnits: Target = { name: 'write units per job', value: 3, comparison: '<=', limit: 3.5, unit: 'W/job' };
const p99: Target = { name: 'enqueue p99 / raw SDK p99', value: 2.4, comparison: '<=', limit: 1.5, unit: '×' };
const scenarios = ['happy path, enqueueMany', 'one retry', 'a parent with 100 children'];

const cost: BenchSection = {
  id: 'cost',
  title: 'Cost per job',
  rows: [
    { scenario: scenarios[0]!, 'W/job': 3, '$ per million': 2.02 },
    { scenario: scenarios[1]!, 'W/job': 6.1, '$ per million': 4.97 },
    { scenario: scenarios[2]!, 'W/job': 5.3, '$ per million': 5.45 },
    { scenario: 'not measured', '$ per million': 'n/a' },
  ],
  targets: [writeUnits],
  notes: ['Measured on the emulator.'],
};
const latency: BenchSection = { id: 'latency', title: 'Enqueue latency', rows: [{ op: 'enqueue', p99: 40 }], targets: [p99] };
const breakEven: BenchSection = {
  id: 'break-even',
  title: 'Break-even',
  rows: [1e6, 1e7, 1e8, 1e9, 1e10].map((jobs) => ({ 'jobs/month': jobs, '$ jobline full': (2.02 * jobs) / 1e6, '$ Redis + workers': 60 + jobs / 1e7, note: 'list prices' })),
  targets: [],
};

const folder = await mkdtemp(join(tmpdir(), 'jobline-bench-report-'));
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('bench report', () => {
  it('says pass, or how far a missed target is from its limit', () => {
    expect(verdict(writeUnits)).toBe('pass');
    expect(verdict(p99)).toBe('short by 0.9 × (60 %)');
    expect(verdict({ name: 'throughput', value: 950, comparison: '>=', limit: 1000, unit: 'jobs/s' })).toBe('short by 50 jobs/s (5 %)');
    expect(targetLine(writeUnits)).toBe('PASS  write units per job: 3 W/job (target <= 3.5 W/job): pass');
    expect(targetLine(p99)).toBe('SHORT enqueue p99 / raw SDK p99: 2.4 × (target <= 1.5 ×): short by 0.9 × (60 %)');
  });

  it('prints a section and a summary of every target', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const table = vi.spyOn(console, 'table').mockImplementation(() => undefined);
    try {
      printSection(cost);
      printSummary([cost, latency]);
      const lines = log.mock.calls.map(([line]) => String(line));
      expect(lines).toContain(targetLine(writeUnits));
      expect(lines).toContain('Measured on the emulator.');
      expect(lines.some((line) => line.includes('1 of 2 targets pass'))).toBe(true);
      expect(table).toHaveBeenCalledWith(cost.rows);
      expect(table).toHaveBeenLastCalledWith(summaryRows([cost, latency]));
    } finally {
      log.mockRestore();
      table.mockRestore();
    }
    expect(summaryRows([cost, latency])).toEqual([
      { section: 'cost', target: 'write units per job', value: '3 W/job', limit: '<= 3.5 W/job', verdict: 'pass' },
      { section: 'latency', target: 'enqueue p99 / raw SDK p99', value: '2.4 ×', limit: '<= 1.5 ×', verdict: 'short by 0.9 × (60 %)' },
    ]);
  });

  it('draws a bar per cost scenario, a line per $ column and a bar per target', async () => {
    const svg = await renderChart([cost, breakEven, latency]);
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const bars = [...svg.matchAll(/aria-label="([^"]*)"[^>]*aria-roledescription="bar"/g)].map(([, label]) => label!);
    for (const scenario of scenarios) {
      expect(bars.filter((label) => label.includes(`label: ${scenario}`))).toHaveLength(1);
      expect(svg).toContain(`>${scenario}</text>`);
    }
    expect(svg).not.toContain('not measured');
    expect(svg).toContain('$5.45');
    const lines = [...svg.matchAll(/aria-label="([^"]*)"[^>]*aria-roledescription="line mark"/g)].map(([, label]) => label!);
    expect(lines.some((label) => label.includes('jobline full'))).toBe(true);
    expect(lines.some((label) => label.includes('Redis + workers'))).toBe(true);
    expect(bars.filter((label) => label.includes('state: pass'))).toHaveLength(1);
    expect(bars.filter((label) => label.includes('state: short'))).toHaveLength(1);
  });

  it('reads break-even rows written for people, one dashed line per handler variant', async () => {
    expect([quantity('10 M'), quantity('1 B'), quantity('1,000,000'), quantity('$1,234.5'), quantity(2e6), quantity('n/a'), quantity(Number.NaN)]).toEqual([
      1e7, 1e9, 1e6, 1234.5, 2e6, undefined, undefined,
    ]);
    expect([seriesName('jobline full $/mo'), seriesName('$ Redis + workers'), seriesName('$')]).toEqual(['jobline full', 'Redis + workers', '$']);
    const rows = ['none', '100 ms/job'].flatMap((handler, h) =>
      ['1 M', '100 M', '10 B'].map((jobs) => ({ 'jobs/month': jobs, handler, 'jobline full $/mo': (h + 1) * (quantity(jobs)! / 1e6), 'Redis queue $/mo': 50 * (h + 1), 'Redis setup': '2×t4g.small' })),
    );
    const svg = await renderChart([{ id: 'break-even', title: 'Break-even', rows, targets: [] }]);
    const lines = [...svg.matchAll(/<path aria-label="[^"]*"[^>]*aria-roledescription="line mark"[^>]*>/g)].map(([path]) => path);
    expect(lines).toHaveLength(4);
    expect(lines.filter((path) => path.includes('stroke-dasharray="6,4"'))).toHaveLength(2);
    expect(svg).toContain('>jobline full</text>');
    expect(svg).toContain('>100 ms/job</text>');
    expect(svg).not.toContain('t4g.small');
  });

  it('leaves out panels whose section or columns are missing', async () => {
    const svg = await renderChart([{ id: 'cost', title: 'Cost', rows: [{ path: 'x', dollars: 1 }], targets: [] }]);
    expect(svg).toContain('No benchmark figures to draw');
    const targetsOnly = await renderChart([latency]);
    expect(targetsOnly).toContain('enqueue p99 / raw SDK p99');
    expect(targetsOnly).not.toContain('Cost');
  });

  it('writes the chart and the results, with each target and whether it passes', async () => {
    const chartFile = join(folder, 'new', 'chart.svg');
    await writeChart([cost], chartFile);
    expect(await readFile(chartFile, 'utf8')).toContain('<svg');

    const file = join(folder, 'nested', 'results.json');
    const startedAt = new Date('2025-01-02T03:04:05.000Z');
    const finishedAt = new Date('2025-01-02T03:09:05.000Z');
    writeResults([cost, latency], { file, startedAt, finishedAt, quick: true, environment: { emulator: 'ministack' } });
    const text = await readFile(file, 'utf8');
    expect(text).toContain('\n  "quick": true');
    const results = JSON.parse(text);
    expect(results).toMatchObject({
      generatedAt: finishedAt.toISOString(),
      quick: true,
      environment: { node: process.version, emulator: 'ministack' },
    });
    expect(results.environment.cpus).toBeGreaterThan(0);
    expect(results.sections.map((section: BenchSection) => section.id)).toEqual(['cost', 'latency']);
    expect(results.sections[0].rows).toEqual(cost.rows);
    expect(results.sections.flatMap((section: { targets: unknown[] }) => section.targets)).toEqual([
      { ...writeUnits, pass: true, verdict: 'pass' },
      { ...p99, pass: false, verdict: 'short by 0.9 × (60 %)' },
    ]);
  });
});
