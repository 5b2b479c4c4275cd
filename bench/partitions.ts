/**
 * Hot keys at AWS scale, simulated: 10,000 jobs/s for 60 simulated seconds through the real
 * key-building code — JobClient.enqueueMany, the worker's per-record path (processMessage),
 * the DynamoDB job, flow-control and unique-key stores (awsBackends) and one sweep — on a
 * DynamoDB client answered from memory. Every write is counted against the partition key it
 * lands on: the table's, and each global index's (the partition an item leaves and the one it
 * enters). DynamoDB takes at most 1,000 writes/s (WCU) on one partition key.
 *
 * Run: npm run bench:partitions [-- --quick]   (no emulator, nothing leaves the process)
 *      PARTITIONS_SAMPLE=1 npm run bench:partitions   runs every job of the default case (slow)
 */
import { pathToFileURL } from 'node:url';
import { DEFAULT_SHARD_COUNT } from '../lib/job-id.js';
import { SLOT_RETRY_SECONDS } from '../lib/flow-control/admission.js';
import { round, type BenchOptions, type BenchSection, type Target } from './lib/result.js';
import { printSection } from './lib/report.js';
import {
  FAIL_SHARE, HANDLER_MS, HOT_TENANT_SHARE, KIND_RATE_PER_SECOND, KINDS, MIX, RETRY_BASE_SECONDS, RETRY_SHARE, TENANT_CONCURRENCY, TENANT_RATE_PER_SECOND,
  simulate, type KeyLoad, type SimulationOptions, type SimulationResult,
} from './partitions/simulation.js';

const JOBS_PER_SECOND = 10_000;
const TENANTS = 1000;
const LIMIT = 1000;
const OTHER_SHARD_COUNTS = [16, 32, 128];

/**
 * Share of jobs run through the code per case (their writes count 1/share times). Every job of
 * the default case would take about 3 minutes of CPU on its own (some 300 µs per job), so the
 * default case runs a large sample, the other shard counts a small one (their busiest key is a
 * shard's, which scales with the sample), and the two hot cases run every hot job and a small
 * sample of the rest.
 */
const SIZES = {
  full: { seconds: 60, sample: 0.3, otherSample: 0.05, restSample: 0.05 },
  quick: { seconds: 10, sample: 0.25, otherSample: 0.05, restSample: 0.05 },
} as const;

/** A run, and its row's name. A hot case's row shows the busiest key that contains its `focus` (the hot tenant, the limited kind). */
interface Case {
  readonly name: string;
  readonly options: SimulationOptions;
}

function cases(quick: boolean): Case[] {
  const size = quick ? SIZES.quick : SIZES.full;
  const sample = Number(process.env.PARTITIONS_SAMPLE ?? size.sample);
  if (!(sample > 0 && sample <= 1)) throw new RangeError(`PARTITIONS_SAMPLE must be in (0, 1], got ${process.env.PARTITIONS_SAMPLE}`);
  const base = { jobsPerSecond: JOBS_PER_SECOND, seconds: size.seconds, tenants: TENANTS };
  return [
    { name: `even tenants, shardCount ${DEFAULT_SHARD_COUNT} (default)`, options: { ...base, variant: 'uniform', shardCount: DEFAULT_SHARD_COUNT, sample } },
    ...OTHER_SHARD_COUNTS.map((shardCount): Case => ({ name: `even tenants, shardCount ${shardCount}`, options: { ...base, variant: 'uniform', shardCount, sample: size.otherSample } })),
    {
      name: `one tenant sends ${HOT_TENANT_SHARE * 100} % of all jobs: its flow-control items`,
      options: { ...base, variant: 'hot-tenant', shardCount: DEFAULT_SHARD_COUNT, sample: size.restSample, focus: 'tenant-0' },
    },
    {
      name: `rate limit of ${KIND_RATE_PER_SECOND}/s per kind (no key) on the ${MIX.rate * 100} % share: its item`,
      options: { ...base, variant: 'kind-wide-rate', shardCount: DEFAULT_SHARD_COUNT, sample: size.restSample, focus: KINDS.kindRate.kind },
    },
  ];
}

const percent = (share: number) => `${round(share * 100)} %`;
const keyName = (load: { target: string; key: string }) => `${load.target} ${load.key}`;

function row(c: Case, result: SimulationResult): Record<string, string | number> {
  const key = result.focused[0] ?? result.busiest;
  const { sample, variant } = c.options;
  return {
    case: c.name,
    shardCount: c.options.shardCount,
    'run through the code': variant === 'uniform' ? percent(sample) : `hot jobs all, rest ${percent(sample)}`,
    'writes/s (all keys)': Math.round(result.writesPerSecond),
    'WCU/s (all keys)': Math.round(result.unitsPerSecond),
    'keys written/s': Math.round(result.keysPerSecond),
    'busiest key': keyName(key),
    'its writes/s (busiest second)': Math.round(key.peakWrites),
    'its writes/s (mean)': Math.round(key.meanWrites),
    'its WCU/s (busiest second)': Math.round(key.peakUnits),
    verdict: key.peakWrites <= LIMIT ? 'ok' : `over (${percent(key.peakWrites / LIMIT)} of the limit)`,
  };
}

/** Per table and index of a run: writes/s and the busiest key. */
function breakdown(result: SimulationResult): string {
  return result.byTarget.map((t) => `${t.target} ${Math.round(t.writesPerSecond)} writes/s, busiest ${t.key} ${Math.round(t.peakWrites)}/s (mean ${Math.round(t.meanWrites)}/s)`).join('; ');
}

/** How a key's writes went over the window: its busiest second, and its mean over the first and the last fifth. */
function trend(load: KeyLoad): string {
  const part = Math.max(1, Math.round(load.series.length / 5));
  const mean = (values: readonly number[]) => Math.round(values.reduce((a, b) => a + b, 0) / Math.max(1, values.length));
  return `${Math.round(load.peakWrites)}/s in its busiest second, ${mean(load.series.slice(0, part))}/s on average over the first ${part} s and ${mean(load.series.slice(-part))}/s over the last ${part} s`;
}

/** Mean writes/s of the jobs table in a run. */
function jobsTableWrites(result: SimulationResult): number {
  return result.byTarget.find((t) => t.target === 'jobs')?.writesPerSecond ?? 0;
}

function shardNote(list: readonly Case[], results: readonly SimulationResult[]): string {
  const even = list.map((c, i) => ({ c, result: results[i]! })).filter(({ c }) => c.options.variant === 'uniform');
  const perJob = jobsTableWrites(results[0]!) / JOBS_PER_SECOND;
  const perKey = even.map(({ c, result }) => `${c.options.shardCount} shards ${Math.round(jobsTableWrites(result) / c.options.shardCount)}/s`).join(', ');
  return `Shard keys: the jobs table's writes spread over shardCount keys J#00…, taken from the id (lib/job-id.ts newJobId picks the shard at random; lib/store/dynamo/job-item.ts jobKey/shardKey). `
    + `${round(perJob)} writes per job (insert, claim, outcome; a retry adds its outcome and a second claim), so each shard key averages ${perKey}; `
    + `the mix needs at least ${Math.ceil(jobsTableWrites(results[0]!) / LIMIT)} shards on average, more for its busiest seconds. byState (lib/store/dynamo/job-item.ts stateKey: status#shard) takes only retries and failures.`;
}

function hotTenantNote(result: SimulationResult): string {
  const hot = result.focused[0] ?? result.busiest;
  const rate = result.focused.find((l) => l.key.startsWith('rate#'));
  return `One hot tenant (${percent(HOT_TENANT_SHARE)} of all jobs, ${JOBS_PER_SECOND * HOT_TENANT_SHARE} jobs/s): its per-tenant items are hot by design. `
    + `Rate item (lib/flow-control/dynamo-rate-store.ts DynamoRateStore.reserve, rate#<kind>#<tenant>): one write per job of the tenant's rate-limited kind (its turn then rides on the message), plus failed guesses of the busy/idle branch${rate ? ` (here ${rate.key}: ${trend(rate)})` : ''}. `
    + `Concurrency slots (lib/flow-control/dynamo-slot-store.ts DynamoSlotStore, slot#<kind>#<tenant>#<i>) and the key's line (line#<kind>#<tenant>): a job that finds all ${TENANT_CONCURRENCY} slots held takes a ticket in the line (lib/flow-control/slot-line.ts); near the front it reads the slots and writes only to a free one every ${SLOT_RETRY_SECONDS}–${SLOT_RETRY_SECONDS + 1} s, further back it only reads the front and comes back when its turn nears, so a slot item's writes follow its admissions and releases, and the line's item one write per job that lines up and one per admission, not the backlog `
    + `(here ${keyName(hot)}: ${trend(hot)}). The hot-key section drives one key's backlog of 10,000 and 100,000 jobs through the same code.`;
}

function kindWideNote(result: SimulationResult): string {
  const item = result.focused[0] ?? result.busiest;
  const jobs = JOBS_PER_SECOND * MIX.rate;
  const perJob = item.meanWrites / jobs;
  return `Rate limit per kind (no key function: lib/flow-control/flow-keys.ts flowKeyOf gives "*"): its one item, rate#<kind>#* (DynamoRateStore.reserve), takes a write for every job of the kind and a second, failed one when the guess of the busy/idle branch was wrong (deliveries running at once share one guess): `
    + `${round(perJob)} writes per job here, for ${jobs} jobs/s: ${trend(item)}. `
    + `One rate-limit key cannot start more than about ${Math.round(LIMIT / perJob)} jobs/s within DynamoDB's per-key limit, though rateLimit.limit accepts up to 10,000 per period; the same holds for one tenant of a per-tenant limit.`;
}

export async function run(options: BenchOptions): Promise<BenchSection> {
  const list = cases(options.quick);
  const results: SimulationResult[] = [];
  for (const c of list) {
    const result = await simulate(c.options);
    results.push(result);
    console.error(`partitions: ${c.name}: ${result.jobsRun} jobs run in ${(result.elapsedMs / 1000).toFixed(1)} s`);
  }
  const [main] = results as [SimulationResult, ...SimulationResult[]];
  const hotTenant = results[list.findIndex((c) => c.options.variant === 'hot-tenant')];
  const kindWide = results[list.findIndex((c) => c.options.variant === 'kind-wide-rate')];
  const { seconds } = list[0]!.options;
  const targets: Target[] = [{
    name: 'busiest partition key, writes/s (default shardCount)', value: main.busiest.peakWrites, comparison: '<=', limit: LIMIT, unit: 'writes/s',
  }];
  const sampled = list[0]!.options.sample < 1;
  return {
    id: 'partitions',
    title: `Hot partition keys: ${JOBS_PER_SECOND.toLocaleString('en-US')} jobs/s for ${seconds} simulated s, real key-building code (DynamoDB allows ${LIMIT.toLocaleString('en-US')} writes/s per partition key)`,
    rows: list.map((c, i) => row(c, results[i]!)),
    targets,
    notes: [
      `Mix: ${percent(MIX.plain)} plain jobs, ${percent(MIX.concurrency)} with a per-tenant concurrency limit of ${TENANT_CONCURRENCY}, ${percent(MIX.rate)} with a per-tenant rate limit of ${TENANT_RATE_PER_SECOND}/s, ${percent(MIX.unique)} with a unique key (one per job); every kind tracked in full. Of every kind, ${percent(RETRY_SHARE)} fail once then succeed (retry base ${RETRY_BASE_SECONDS} s, 20 % jitter), ${percent(FAIL_SHARE)} fail permanently. ${TENANTS} tenants, evenly; handlers take ${HANDLER_MS} ms.`,
      'Code run: JobClient.enqueueMany (calls of 100 jobs) and the worker\'s per-record path, processMessage — admission (slots, rate turns), claim, handler, outcome, retry visibility, dead-letter — i.e. what createWorker runs for each SQS record, without the Lambda wrapper (Powertools batch processing, metrics), which writes nothing; the sweeper\'s sweep() once, half-way (it runs every minute). Stores from lib/aws/aws-backends.ts awsBackends: DynamoJobStore, DynamoSlotStore, DynamoRateStore, DynamoDebounceStore, DynamoIdempotencyStore, SqsTransport.',
      'DynamoDB: a real DynamoDBClient (and the stores\' own document clients on it) whose commands a middleware at the initialize step answers from an in-memory item map per table (bench/partitions/fake-dynamodb.ts, memory-table.ts): conditions and update expressions are parsed and evaluated (bench/partitions/expression-parser.ts, expression-evaluator.ts, expression-update.ts), so conditional writes fail or pass as on AWS and the code takes its normal branches; reads (GetItem, Query, ALL_NEW/ALL_OLD returns) come from the same map. SQS: a SQSClient answered the same way; the harness plays the event source (receive what is visible, delete what the worker acknowledged), honouring delays and visibility changes.',
      'Tables: created through scripts/lib/job-tables.ts createJobTables (the keys and indexes infra/job-queue.ts gives them, both from lib/store/dynamo/job-item.ts): jobs (pk, sk) with byState (stateKey, sk) and byWatch (watchKey, sk), all projected; idempotency (pk) without an index.',
      'Counted, per simulated second and (table or index, partition key): every item of PutItem, UpdateItem, DeleteItem, BatchWriteItem and TransactWriteItems on its table partition, conditional writes that failed and cancelled transactions included (they consume capacity); on each index, a write where the item leaves a partition (delete) and one where it enters one (put), or one rewrite when it stays. WCU: items sized roughly as DynamoDB does, 1 KB units, doubled in transactions. Reads are not counted.',
      `Time: a simulated clock in 100 ms steps (job ids, leases, delays, rate-limit turns and handler work all read it). The busiest second is the figure held to the target: DynamoDB's per-key limit is per second.${sampled ? ` Sampling: the default case runs ${percent(list[0]!.options.sample)} of each step's jobs through the code and counts each write ${round(1 / list[0]!.options.sample)} times; that adds noise that only raises the busiest second (the mean is unaffected): the exact figure lies lower. PARTITIONS_SAMPLE=1 runs every job (about 3.5 min).` : ''} Keys written/s is what the run saw: sampled runs see fewer of the one-per-job keys (unique claims).`,
      `Default case, per table and index: ${breakdown(main)}.`,
      shardNote(list, results),
      ...(hotTenant ? [hotTenantNote(hotTenant)] : []),
      ...(kindWide ? [kindWideNote(kindWide)] : []),
      'Not modelled: the byWatch index (the sweeper puts there only jobs queued or running 15 minutes after creation; none here), scheduled jobs (delays over 15 min), debounce, children and follow-ups; DynamoDB\'s adaptive capacity (it can move a hot key to its own partition, but one key never gets more than 1,000 WCU/s).',
    ],
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printSection(await run({ quick: process.argv.includes('--quick') }));
}
