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
import { simulateHotKey, type HotKeyOptions, type HotKeyResult } from './partitions/hot-key.js';
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

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printSection(await run({ quick: process.argv.includes('--quick') }));
}
