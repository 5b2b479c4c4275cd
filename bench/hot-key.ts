/**
 * One hot concurrency key: a backlog of 10,000 and of 100,000 jobs of one key at limit 10,
 * through the real admission code and the DynamoDB flow-control stores on the in-memory DynamoDB
 * (bench/partitions/hot-key.ts). Held to: the busiest item stays within DynamoDB's 1,000
 * writes/s, and the writes per job (waits included) stay flat from one size to the other.
 *
 * Run: npm run bench:hot-key [-- --quick]   (no emulator, nothing leaves the process)
 */
import { pathToFileURL } from 'node:url';
import { MAX_LOOK_SECONDS, NEAR_SECONDS, SLOT_RETRY_SECONDS } from '../lib/flow-control/slot-line.js';
import { simulateHotKey, simulateKeylessRate, type HotKeyOptions, type HotKeyResult } from './partitions/hot-key.js';
import { RATE_ITEM_STARTS_PER_SECOND } from '../lib/flow-control/rate-store.js';
import { printSection } from './lib/report.js';
import { round, type BenchOptions, type BenchSection, type Target } from './lib/result.js';

const LIMIT = 10;
const ARRIVALS_PER_SECOND = 200;
const HOLD_MS = 500;
const ITEM_LIMIT = 1000;
const FLAT_LIMIT = 1.2;
const SIZES = { full: [10_000, 100_000], quick: [1_000, 10_000] } as const;

function row(result: HotKeyResult): Record<string, string | number> {
  const ideal = result.options.jobs / (LIMIT / (HOLD_MS / 1000));
  return {
    jobs: result.options.jobs,
    'writes/job': round(result.writesPerJob),
    'slot writes/job': round(result.slotWritesPerJob),
    'line writes/job': round(result.lineWritesPerJob),
    'items read/job': round(result.readsPerJob),
    'deliveries/job': round(result.deliveriesPerJob),
    'busiest item': result.busiest.key,
    'its writes/s (busiest second)': result.busiest.writes,
    'most reads of one item/s': result.busiestReads,
    'most at once': result.mostAtOnce,
    'simulated s to drain': result.seconds,
    'ideal s (limit ÷ hold)': round(ideal),
    'mean wait s': round(result.meanWaitSeconds),
  };
}

export async function run(options: BenchOptions): Promise<BenchSection> {
  const sizes = options.quick ? SIZES.quick : SIZES.full;
  const results: HotKeyResult[] = [];
  for (const jobs of sizes) {
    const simulation: HotKeyOptions = { jobs, limit: LIMIT, arrivalsPerSecond: ARRIVALS_PER_SECOND, holdMs: HOLD_MS };
    const result = await simulateHotKey(simulation);
    if (result.mostAtOnce > LIMIT) throw new Error(`hot key: ${result.mostAtOnce} jobs held the key at once, over its limit of ${LIMIT}`);
    results.push(result);
    console.error(`hot-key: ${jobs} jobs in ${(result.elapsedMs / 1000).toFixed(1)} s`);
  }
  const [small, large] = results as [HotKeyResult, HotKeyResult];
  const targets: Target[] = [
    ...results.map((r): Target => ({ name: `busiest item, writes/s (${r.options.jobs.toLocaleString('en-US')} waiting)`, value: r.busiest.writes, comparison: '<=', limit: ITEM_LIMIT, unit: 'writes/s' })),
    { name: `writes per job, ${large.options.jobs.toLocaleString('en-US')} ÷ ${small.options.jobs.toLocaleString('en-US')} waiting`, value: large.writesPerJob / small.writesPerJob, comparison: '<=', limit: FLAT_LIMIT, unit: '×' },
  ];
  return {
    id: 'hot-key',
    title: `One hot concurrency key: ${sizes.map((n) => n.toLocaleString('en-US')).join(' and ')} jobs of one key at limit ${LIMIT}, real admission code on the in-memory DynamoDB`,
    rows: results.map(row),
    targets,
    notes: [
      `Each job arrives at ${ARRIVALS_PER_SECOND}/s (the event source handing the backlog over) and holds its slot ${HOLD_MS} ms, so the key drains at most ${LIMIT / (HOLD_MS / 1000)} jobs/s. Every delivery runs lib/flow-control/admission.ts admit with DynamoSlotStore, DynamoRateStore and DynamoDebounceStore on bench/partitions' in-memory DynamoDB; a job told to wait comes back \`seconds\` later carrying its flow state, as the worker's resend does (bench/partitions/hot-key.ts).`,
      `The line (lib/flow-control/slot-line.ts): a job that finds the slots held takes a ticket (a write on line#<kind>#<key>); within the limit plus ${NEAR_SECONDS} s of the line's pace of the front it reads the slots and writes only to a free one, every ${SLOT_RETRY_SECONDS}–${SLOT_RETRY_SECONDS + 1} s; further back it reads the front only, and comes back half way to its expected turn (at most ${MAX_LOOK_SECONDS} s). Writes per job: the ticket, the slot, moving the front, the release; failed conditional writes count. Items read per job: the front and the slots' batched reads. Deliveries per job: the first and one per wait (each is an SQS send, receive and delete).`,
      'Before the line (every waiting job tried every slot every 2–3 s): a slot item took about backlog ÷ 2.5 writes/s, and a job about limit writes per 2.5 s of its wait (see the partitions section\'s note as it was at 5f0b56b).',
    ],
  };
}

const KEYLESS = { limit: 5000, arrivalsPerSecond: 6000, seconds: 10 } as const;

/** One kind's rate limit without a key at 5,000 starts a second: its turns spread over items. */
export async function runKeylessRate(options: BenchOptions): Promise<BenchSection> {
  const simulation = options.quick ? { ...KEYLESS, seconds: 3 } : KEYLESS;
  const result = await simulateKeylessRate(simulation);
  console.error(`keyless-rate: ${result.jobs} jobs in ${(result.elapsedMs / 1000).toFixed(1)} s`);
  const spacingError = result.meanItemGapMs / result.itemIntervalMs - 1;
  return {
    id: 'keyless-rate',
    title: `One kind's rate limit without a key at ${simulation.limit.toLocaleString('en-US')} starts/s, ${simulation.arrivalsPerSecond.toLocaleString('en-US')} jobs/s arriving for ${simulation.seconds} s, real admission code on the in-memory DynamoDB`,
    rows: [{
      'limit (starts/s)': simulation.limit,
      jobs: result.jobs,
      items: result.shards,
      'writes/job': round(result.writesPerJob),
      'busiest item': result.busiest.key,
      'its writes/s (busiest second)': result.busiest.writes,
      'most starts in 1 s': result.mostInOneSecond,
      'starts/s, first to last': round(result.startsPerSecond),
      'item interval ms': round(result.itemIntervalMs),
      'mean gap per item ms': round(result.meanItemGapMs),
      'spacing error': `${round(spacingError * 100)} %`,
    }],
    targets: [
      { name: 'keyless rate limit: busiest item, writes/s', value: result.busiest.writes, comparison: '<=', limit: ITEM_LIMIT, unit: 'writes/s' },
      { name: 'keyless rate limit: most starts in any 1 s ÷ limit', value: result.mostInOneSecond / simulation.limit, comparison: '<=', limit: 1, unit: '×' },
    ],
    notes: [
      `Turns are spread over enough items to keep each under ${RATE_ITEM_STARTS_PER_SECOND} starts a second (lib/flow-control/rate-store.ts rateShards), each holding floor(limit ÷ items) starts per period; a job reserves its turn on one item at random (lib/flow-control/admission.ts). Starts: the admission time, or the reserved turn (waited for in the worker, or carried on the message). Writes: every write on a rate item, failed busy-or-idle guesses included.`,
      'Spacing error: the mean gap between consecutive starts of all items, times the items, against one item\'s interval; above zero where items stood idle while others had a backlog (turns are drawn at random) and while the backlog drained.',
    ],
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  printSection(await run({ quick }));
  printSection(await runKeylessRate({ quick }));
}
