/**
 * Throughput efficiency on the emulator: end-to-end jobs/s of no-op jobs through the deployed
 * worker, at each tracking level, divided by the emulator's own ceiling measured in the same
 * run — the lower of (a) the raw SQS → Lambda no-op pipeline deployed beside it (same batch
 * size, memory and concurrency) and (b) the emulator's DynamoDB request rate divided by the
 * DynamoDB requests the worker makes per job (counted by the cost section).
 *
 * Each pipeline is timed alike: its event source is paused, its queue filled, and the clock
 * runs from resuming the event source until the queue has nothing visible or in flight.
 */
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, PutItemCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { JobClient, type AnyJobDefinition, type TrackingLevel } from 'jobline';
import { benchFromClaim, benchFull, benchJobs, benchOutcome } from '../functions/bench/definitions.js';
import { requireOutput, type DeployedStack } from '../scripts/lib/deploy.js';
import { mappingsOf, queueDepth, setMappings, waitFor } from './lib/deployed.js';
import { cpuSeconds, emulatorProcesses, functionProcesses } from './lib/processes.js';
import { round, type BenchOptions, type BenchSection } from './lib/result.js';

const PAYLOAD = { data: 'x'.repeat(1024 - '{"data":""}'.length) };
/** Jobs (and raw messages) run through each pipeline before measuring, so every process has started. */
const WARM_UP = 200;
const LEVELS: readonly [TrackingLevel, AnyJobDefinition][] = [['full', benchFull], ['from-claim', benchFromClaim], ['outcome', benchOutcome]];

export interface ThroughputOptions extends BenchOptions {
  readonly stack: DeployedStack;
  /** DynamoDB requests the worker makes per job, by tracking level (the cost section's "DDB req/job (worker)"). @default 2 each */
  readonly workerRequestsPerJob?: Partial<Record<TrackingLevel, number>>;
  /** The worker's and the raw pipeline's concurrency, as deployed (for the notes). */
  readonly concurrency: number;
}

export async function run(options: ThroughputOptions): Promise<BenchSection> {
  const jobs = options.quick ? 500 : 2000;
  const { stack } = options;
  const sqs = new SQSClient({});
  const client = new JobClient({ jobs: [...benchJobs], config: stack.config, createdBy: 'bench' });
  const lane = stack.config.lanes.default!;
  const workerMappings = await mappingsOf(stack.workerFunctionName);
  const rawQueueUrl = requireOutput(stack, 'RawQueueUrl');
  const rawFunction = requireOutput(stack, 'RawWorkerFunctionName');
  const rawMappings = await mappingsOf(rawFunction);

  const fillRaw = (count: number, calls = false) => async () => {
    const run = Date.now().toString(36);
    const batches = Array.from({ length: count / 10 }, (_, b) => Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: JSON.stringify({ calls, key: `${run}-${b * 10 + i}`, ...PAYLOAD }) })));
    await inParallel(batches, 10, (Entries) => sqs.send(new SendMessageBatchCommand({ QueueUrl: rawQueueUrl, Entries })));
  };
  let ids: string[] = [];
  const fillJobline = (kind: AnyJobDefinition, count: number) => async () => {
    const batches = Array.from({ length: count / 100 }, () => Array.from({ length: 100 }, () => ({ job: kind, payload: PAYLOAD })));
    ids = (await inParallel(batches, 2, (batch) => client.enqueueMany(batch))).flat().map((job) => job.id);
  };
  // Warm-up, not measured: every function's processes started (cold starts are the cold-start section's).
  await drainRate(sqs, rawQueueUrl, rawMappings, rawFunction, WARM_UP, fillRaw(WARM_UP));
  for (const [, kind] of LEVELS) await drainRate(sqs, lane.queueUrl, workerMappings, stack.workerFunctionName, WARM_UP, fillJobline(kind, WARM_UP));

  // Each round runs every pipeline once, in the same order; each figure is the median round's.
  const rounds = options.quick ? 1 : 3;
  const runs = new Map<string, Drained[]>();
  const record = (name: string, drained: Drained) => runs.set(name, [...(runs.get(name) ?? []), drained]);
  let succeeded = 0;
  for (let turn = 0; turn < rounds; turn++) {
    // (a) the raw pipeline: the same number of 1 KB messages, batches of 10.
    record('raw', await drainRate(sqs, rawQueueUrl, rawMappings, rawFunction, jobs, fillRaw(jobs)));
    // For comparison: the same pipeline making a job's two DynamoDB writes with the bare SDK.
    record('bare', await drainRate(sqs, rawQueueUrl, rawMappings, rawFunction, jobs, fillRaw(jobs, true)));
    for (const [level, kind] of LEVELS) {
      record(level, await drainRate(sqs, lane.queueUrl, workerMappings, stack.workerFunctionName, jobs, fillJobline(kind, jobs)));
      const done = await countSucceeded(client, ids);
      if (done !== jobs) throw new Error(`throughput: only ${done} of ${jobs} "${level}" jobs succeeded`);
      succeeded += done;
    }
  }
  const median = (name: string) => [...runs.get(name)!].sort((a, b) => a.rate - b.rate)[Math.floor(rounds / 2)]!;
  const spread = (name: string) => runs.get(name)!.map((r) => round(r.rate)).join(' / ');
  const raw = median('raw');
  const rawCalls = median('bare');
  // (b) the emulator's DynamoDB: PutItem of 1 KB items, at two depths; the better rate is its ceiling.
  const dynamoRate = await dynamoCeiling(options.quick ? 400 : 1500);

  const rows: Record<string, string | number>[] = [
    { pipeline: 'raw SQS → Lambda, no-op (ceiling a)', 'jobs/s': round(raw.rate), rounds: spread('raw'), 'DDB req/job': '-', 'ceiling jobs/s': '-', efficiency: '-', ...cpuColumns(raw) },
    {
      pipeline: 'raw SQS → Lambda + 2 DynamoDB writes per message, bare SDK (not a ceiling: the same AWS calls without jobline)', 'jobs/s': round(rawCalls.rate), rounds: spread('bare'),
      'DDB req/job': 2, 'ceiling jobs/s': '-', efficiency: '-', ...cpuColumns(rawCalls),
    },
    { pipeline: 'DynamoDB PutItem, requests/s (ceiling b = this ÷ DDB req/job)', 'jobs/s': round(dynamoRate), rounds: '-', 'DDB req/job': '-', 'ceiling jobs/s': '-', efficiency: '-', 'emulator CPU s/1k': '-', 'function CPU s/1k': '-' },
  ];
  const efficiencies: Record<string, number> = {};
  for (const [level] of LEVELS) {
    const measured = median(level);
    const perJob = options.workerRequestsPerJob?.[level] ?? 2;
    const ceiling = Math.min(raw.rate, dynamoRate / perJob);
    efficiencies[level] = measured.rate / ceiling;
    rows.push({
      pipeline: `jobline worker, tracking "${level}"`, 'jobs/s': round(measured.rate), rounds: spread(level), 'DDB req/job': perJob,
      'ceiling jobs/s': round(ceiling), efficiency: round(efficiencies[level]!), ...cpuColumns(measured),
      '÷ bare-SDK pipeline': round(measured.rate / rawCalls.rate),
    });
  }
  return {
    id: 'throughput',
    title: `Throughput on the emulator: ${jobs} no-op jobs (1 KB) per run, batch size 10, concurrency ${options.concurrency}, against the emulator's own ceiling (median of ${rounds} rounds; all ${succeeded} jobs succeeded)`,
    rows,
    targets: LEVELS.map(([level]) => ({ name: `throughput efficiency, tracking "${level}"`, value: efficiencies[level]!, comparison: '>=' as const, limit: 0.7, unit: '×' })),
    notes: [
      `Each pipeline first runs ${WARM_UP} messages unmeasured, so its processes have started (cold starts are the cold-start section's). Then: its event source paused, its queue filled, then timed from resuming the event source until nothing is visible or in flight. Every jobline job is then read back: all must have succeeded. Rounds run every pipeline in turn; "rounds" lists each round's rate, the row shows the median round (its CPU figures too).`,
      'Ceiling = min(raw pipeline jobs/s, DynamoDB requests/s ÷ the DynamoDB requests the worker makes per job). DynamoDB rate: PutItem of 1 KB items from this process, 8 and 50 in flight, the better of the two.',
      'CPU s/1k: CPU seconds per 1,000 messages spent by the emulator\'s own process and by the function\'s node processes while the pipeline drained (from /proc). On 2 cores both compete: a pipeline whose emulator and function CPU per job add up to c seconds cannot pass 2 / c jobs/s here.',
      'The bare-SDK row makes what a job\'s claim and outcome make — two conditional DynamoDB writes per message, the batch\'s records side by side — with nothing else: jobline\'s rate divided by it is what jobline\'s own code (payload and message checks, leases, logging, metrics) costs on top of the same AWS calls.',
      `The worker's and the raw function's event sources both have maximum concurrency ${options.concurrency} (the stack sets it; the construct's default is documented in BENCHMARKS.md).`,
    ],
  };
}

/** What one pipeline's run measured: its rate, and the CPU seconds per 1,000 messages the emulator and the function's processes spent. */
interface Drained {
  readonly rate: number;
  readonly seconds: number;
  readonly emulatorCpu: number;
  readonly functionCpu: number;
}

/** CPU seconds used by the processes `pids()` lists, from now until `done()` is called. */
function cpuMeter(pids: () => number[]): () => number {
  const before = new Map(pids().map((pid) => [pid, cpuSeconds([pid])]));
  return () => pids().reduce((sum, pid) => sum + cpuSeconds([pid]) - (before.get(pid) ?? 0), 0);
}

/**
 * Fills a paused pipeline, then times it from resuming its event source until its queue is
 * empty, metering the CPU the emulator and the function's processes spend meanwhile.
 */
async function drainRate(sqs: SQSClient, queueUrl: string, mappings: readonly string[], functionName: string, count: number, fill: () => Promise<void>): Promise<Drained> {
  await setMappings(mappings, false);
  const empty = async () => { const d = await queueDepth(sqs, queueUrl); return d.visible + d.inFlight === 0; };
  await waitFor('the queue to be empty before filling it', empty, 120_000, 250);
  await fill();
  await waitFor(`${count} messages visible`, async () => (await queueDepth(sqs, queueUrl)).visible >= count, 60_000);
  const emulatorCpu = cpuMeter(emulatorProcesses);
  const functionCpu = cpuMeter(() => functionProcesses(functionName));
  const started = performance.now();
  await setMappings(mappings, true);
  await waitFor('the queue to drain', empty, 600_000, 100);
  const seconds = (performance.now() - started) / 1000;
  return { rate: count / seconds, seconds, emulatorCpu: (emulatorCpu() * 1000) / count, functionCpu: (functionCpu() * 1000) / count };
}

function cpuColumns(drained: Drained): Record<string, number> {
  return { 'emulator CPU s/1k': round(drained.emulatorCpu), 'function CPU s/1k': round(drained.functionCpu) };
}

/** PutItem requests/s the emulator's DynamoDB sustains: the better of 8 and 50 in flight. */
async function dynamoCeiling(requests: number): Promise<number> {
  const dynamodb = new DynamoDBClient({});
  const TableName = `jobline-bench-ceiling-${Date.now()}`;
  await dynamodb.send(new CreateTableCommand({ TableName, BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] }));
  await waitUntilTableExists({ client: dynamodb, maxWaitTime: 60 }, { TableName });
  try {
    let best = 0;
    for (const depth of [8, 50]) {
      const started = performance.now();
      await inParallel(Array.from({ length: requests }, (_, i) => i), depth, (i) => dynamodb.send(new PutItemCommand({ TableName, Item: { pk: { S: `${depth}-${i}` }, data: { S: PAYLOAD.data } } })));
      best = Math.max(best, requests / ((performance.now() - started) / 1000));
    }
    return best;
  } finally {
    await dynamodb.send(new DeleteTableCommand({ TableName }));
  }
}

/** Jobs whose record says succeeded. */
async function countSucceeded(client: JobClient, ids: readonly string[]): Promise<number> {
  const records = await inParallel(ids, 16, (id) => client.get(id));
  return records.filter((r) => r?.status === 'succeeded').length;
}

/** Maps `items` through `fn` with at most `depth` calls in flight; results in order. */
export async function inParallel<T, R>(items: readonly T[], depth: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(depth, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  }));
  return results;
}
