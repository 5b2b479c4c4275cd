/**
 * Cost benchmark: write and read units, SQS requests, Lambda and Scheduler invocations per job
 * on every path a job can take, measured on the emulator with the real store, transport and
 * worker code. The emulator's DynamoDB reports
 * ConsumedCapacity by AWS's rules (item size before/after, index writes); SQS requests are
 * counted at the client. Lambda's event source is played by this script (ReceiveMessage of
 * up to 10, then DeleteMessageBatch of what the worker did not return), which is the traffic
 * AWS bills for it.
 *
 * Run: npm run bench:cost   (starts ministack when nothing answers at AWS_ENDPOINT_URL); it is
 * also a section of `npm run bench`.
 */
import { pathToFileURL } from 'node:url';
import { useAwsEnvironment } from '../lib/local/aws-environment.js';
import { ensureEmulator } from '../lib/local/emulator.js';
import type { BenchOptions, BenchSection } from './lib/result.js';
import { printSection } from './lib/report.js';
import { meter, PRICES } from './cost/meter.js';
import { defaults, PAYLOAD_BYTES, scenario, type Scenario } from './cost/scenario.js';
import { costTables, type CostScenario, type CostTable } from './cost/scenarios.js';

const ROOT = new URL('../', import.meta.url).pathname;

const TRACKING_TARGETS = { full: 3, 'from-claim': 2, outcome: 1.2 } as const;

/**
 * Measured rows of every cost table, each scenario run once however many tables show it, and how
 * many writes in all came back without their consumed capacity (any would make W read low).
 */
export async function measureCostTables(tables: readonly CostTable[]): Promise<{ rows: Map<CostTable['id'], Record<string, string | number>[]>; unreportedWrites: number }> {
  const measured = new Map<CostScenario, Record<string, string | number>>();
  let unreportedWrites = 0;
  const rows = new Map<CostTable['id'], Record<string, string | number>[]>();
  for (const table of tables) {
    const out: Record<string, string | number>[] = [];
    for (const row of table.rows) {
      if (!measured.has(row.scenario)) {
        const spec: Scenario = 'make' in row.scenario ? await row.scenario.make() : row.scenario;
        measured.set(row.scenario, await scenario(spec));
        unreportedWrites += meter.unreportedWrites;
      }
      out.push({ ...measured.get(row.scenario)!, scenario: row.label });
    }
    rows.set(table.id, out);
  }
  return { rows, unreportedWrites };
}

/**
 * Every cost table: enqueue styles, tracking levels, every path, flow control. Rows carry W
 * (write units, indexes included), R (read units), SQS requests, Lambda and Scheduler
 * invocations, S3 GETs and the DynamoDB requests the worker makes, per job (or per row).
 */
export async function run(options: BenchOptions): Promise<BenchSection[]> {
  defaults.jobs = Number(process.env.BENCH_JOBS ?? (options.quick ? 50 : 200));
  const { rows: measured, unreportedWrites } = await measureCostTables(costTables({ jobs: defaults.jobs, importRows: options.quick ? 1000 : 5000 }));
  if (unreportedWrites > 0) throw new Error(`bench:cost: ${unreportedWrites} DynamoDB writes reported no consumed capacity, so W would read low: is the emulator reporting it?`);
  const pathRows = measured.get('cost')!;
  const trackingRows = measured.get('cost-tracking')!;
  const rows = measured.get('cost-enqueue')!;
  const flowRows = measured.get('cost-flow-control')!;
  const full = rows[0]!;
  const trackingTarget = (row: Record<string, string | number>, level: keyof typeof TRACKING_TARGETS) => ({ name: `tracking "${level}": write units per job`, value: Number(row['W total']), comparison: '<=' as const, limit: TRACKING_TARGETS[level], unit: 'W' });
  return [
    {
      id: 'cost',
      title: `Cost of every path, per job (${PAYLOAD_BYTES}-byte payload; the import per row), measured on the emulator`,
      rows: pathRows,
      targets: [
        trackingTarget(full, 'full'),
        { name: 'happy path: SQS requests per job', value: Number(full['SQS req/job']), comparison: '<=', limit: 0.35, unit: 'requests' },
      ],
      notes: [
        `$ = ${PRICES.writeUnit}·W + ${PRICES.readUnit}·R + ${PRICES.sqsRequest}·SQS + ${PRICES.lambdaRequest}·Lambda invocations + ${PRICES.schedulerInvocation}·Scheduler invocations + ${PRICES.s3Get}·S3 GETs + ${PRICES.logGigabyte}·GB logged, per million (us-east-1 list prices, lib/cost/aws-prices.ts; the formula is lib/cost/path-units.ts, which jobline kinds prices each kind with); Lambda compute (GB-s) is not in it (see break-even).`,
        'Log bytes: what the worker writes to stdout at its default level (INFO) — its log lines and its EMF metric lines, which CloudWatch Logs ingests and bills by the GB. A job that succeeds logs nothing of its own (its success line is DEBUG); retries and failures log a line each.',
        'W counts table and index write units as DynamoDB reports them (ReturnConsumedCapacity INDEXES); a failed conditional write counts 1 W; a read the emulator does not report counts 1 R.',
        'Lambda\'s SQS event source is played by the harness (receive ≤ 10, invoke, delete what succeeded); its empty polls are per queue, not per job, and are not counted.',
        'A delayed job\'s one-time schedule and a cron firing are billed as one Scheduler invocation each, and the delayed job\'s message is sent by Scheduler (one SQS request added; a cron firing\'s message is sent here, one request per firing, as Scheduler does). Scheduler API calls (create, delete) are not billed.',
        'The import row includes the app\'s own writes (its contacts, 1 W per row) and S3 range GETs: jobline\'s share is its jobs (1 start + 1 per 500 rows), about a parent with children per 500 rows.',
        'Tags: an item per tag, written with the record (one write unit each); a kind without tags writes none.',
      ],
    },
    {
      id: 'cost-tracking',
      title: 'Tracking levels (the plain kind, 1 KB payload, per job)',
      rows: trackingRows,
      targets: [trackingTarget(trackingRows[0]!, 'full'), trackingTarget(trackingRows[1]!, 'from-claim'), trackingTarget(trackingRows[3]!, 'outcome')],
      notes: ['"outcome" reads the record once per delivery instead of claiming it (R).'],
    },
    { id: 'cost-enqueue', title: 'Enqueue styles, happy path, per job', rows, targets: [], notes: ['Transactional: the record carries the payload until dispatched and a transaction costs double; Lambda invocations include the dispatcher\'s (batches of 100 stream records; reading the stream is free for a Lambda trigger).'] },
    {
      id: 'cost-flow-control', title: 'Flow control, per job enqueued', rows: flowRows, targets: [],
      notes: ['Only kinds that declare flow control pay. A contended limit adds, per wait, a fresh message (send, receive, delete) and, once per job and limit, a note on its record of what it waits for. Debounced enqueues update the key\'s item (its size grows with the payload) and only the last payload runs.'],
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const emulator = await ensureEmulator({ projectDir: ROOT });
  useAwsEnvironment(emulator.endpoint);
  try {
    for (const section of await run({ quick: process.argv.includes('--quick') })) printSection(section);
  } finally {
    await emulator.stop();
  }
}

