/**
 * `npm run bench`: every benchmark side by side in one run. Deploys the benchmark stack
 * (infra/stacks.ts `JoblineBench`) to the emulator with `cdk deploy`, as the tests do, then
 * measures cost per path, enqueue latency, throughput against the emulator's ceiling, a large
 * import, hot partition keys at AWS scale, one hot concurrency key's line, cold start and the break-even against a provisioned
 * queue; prints each table with its targets marked pass or short, and writes the figures as
 * JSON and a chart (SVG).
 *
 *   npm run bench             full sizes; writes bench/results/bench.json and bench/results/chart.svg
 *   npm run bench -- --quick  smaller sizes; writes .jobline/bench-quick.json and .jobline/bench-quick.svg
 *   npm run bench -- --only cost,latency   just those sections (the stack is deployed only if one needs it)
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { BENCH_CONCURRENCY } from '../infra/stacks.js';
import { useAwsEnvironment } from '../lib/local/aws-environment.js';
import { deployStack, type DeployedStack } from '../scripts/lib/deploy.js';
import { ensureEmulator, MINISTACK_VERSION } from '../lib/local/emulator.js';
import * as breakEven from './break-even.js';
import * as coldStart from './cold-start.js';
import * as cost from './cost.js';
import * as hotKey from './hot-key.js';
import * as importBench from './import.js';
import * as latency from './latency.js';
import * as partitions from './partitions.js';
import * as throughput from './throughput.js';
import { writeChart } from './lib/chart.js';
import { commitMeasured } from './lib/commit.js';
import { printSection, printSummary, writeResults } from './lib/report.js';
import type { BenchSection } from './lib/result.js';

const ROOT = new URL('..', import.meta.url).pathname;
const quick = process.argv.includes('--quick');
const onlyArg = process.argv[process.argv.indexOf('--only') + 1];
const only = process.argv.includes('--only') && onlyArg ? new Set(onlyArg.split(',')) : undefined;
const wanted = (id: string) => !only || only.has(id);
const DEPLOYED = ['latency', 'throughput', 'import'];
const SECTIONS = ['cost', ...DEPLOYED, 'partitions', 'hot-key', 'cold-start', 'break-even'];
const unknown = [...(only ?? [])].filter((id) => !SECTIONS.includes(id));
if (process.argv.includes('--only') && (!only || unknown.length > 0)) {
  console.error(`bench: --only takes a comma-separated list of ${SECTIONS.join(', ')}${unknown.length > 0 ? `; not a section: ${unknown.join(', ')}` : ''}`);
  process.exit(2);
}

const startedAt = new Date();
const emulator = await ensureEmulator({ projectDir: ROOT });
useAwsEnvironment(emulator.endpoint);
const sections: BenchSection[] = [];
const record = (section: BenchSection) => {
  sections.push(section);
  printSection(section);
};
try {
  const costSections = wanted('cost') ? await cost.run({ quick }) : [];
  costSections.forEach(record);
  const tracking = costSections.find((s) => s.id === 'cost-tracking');
  const levelRow = (level: string) => tracking?.rows.find((r) => String(r.scenario).startsWith(`tracking "${level}", enqueueMany`));

  if (DEPLOYED.some(wanted)) {
    const started = Date.now();
    const stack: DeployedStack = await deployStack('JoblineBench', emulator.endpoint);
    console.error(`bench: JoblineBench deployed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (wanted('latency')) record(await latency.run({ quick, stack }));
    if (wanted('throughput')) {
      const workerRequestsPerJob = Object.fromEntries((['full', 'from-claim', 'outcome'] as const).flatMap((level) => {
        const row = levelRow(level);
        return row ? [[level, Number(row['DDB req/job (worker)'])]] : [];
      }));
      record(await throughput.run({ quick, stack, workerRequestsPerJob, concurrency: BENCH_CONCURRENCY }));
    }
    if (wanted('import')) record(await importBench.run({ quick, stack }));
  }
  if (wanted('partitions')) record(await partitions.run({ quick }));
  if (wanted('hot-key')) {
    record(await hotKey.run({ quick }));
    record(await hotKey.runKeylessRate({ quick }));
  }
  if (wanted('cold-start')) record(await coldStart.run({ quick }));
  if (wanted('break-even')) {
    const perJob = Object.fromEntries((['full', 'from-claim', 'outcome'] as const).flatMap((level) => {
      const row = levelRow(level);
      return row ? [[level, { dollarsPerMillion: Number(row['$ per million']) }]] : [];
    }));
    record(await breakEven.run({ quick, perJob: Object.keys(perJob).length === 3 ? perJob as Parameters<typeof breakEven.run>[0]['perJob'] : undefined }));
  }
} finally {
  await emulator.stop();
}

printSummary(sections);
const base = quick || only ? join(ROOT, '.jobline', quick ? 'bench-quick' : 'bench-partial') : join(ROOT, 'bench', 'results', 'bench');
writeResults(sections, {
  file: `${base}.json`, startedAt, finishedAt: new Date(), quick,
  environment: { node: process.version, platform: `${process.platform} ${process.arch}`, cpus: cpus().length, emulator: `ministack ${MINISTACK_VERSION} at ${emulator.endpoint}`, commit: commitMeasured(ROOT) },
});
await writeChart(sections, base.endsWith('bench') ? join(ROOT, 'bench', 'results', 'chart.svg') : `${base}.svg`);
console.log(`\nbench: figures in ${base}.json, chart beside them`);
