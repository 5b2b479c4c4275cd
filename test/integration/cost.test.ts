import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { measureCostTables } from '../../bench/cost.js';
import { defaults } from '../../bench/cost/scenario.js';
import { costTables } from '../../bench/cost/scenarios.js';
import './support/deployed.js';

// The cost figures of BENCHMARKS.md and docs/cost.md, held on every run: the benchmark's own
// scenarios and harness (bench/cost: real store, transport and worker on tables and queues of
// their own, write units as the emulator's DynamoDB reports them), at a smaller size, against the
// figures `npm run bench` saved (bench/results/bench.json), which the docs' figures are checked
// against in turn (test/unit/doc-figures.test.ts). A code change that moves a path's write units
// fails here until the benchmark is run again and the docs follow.
const JOBS = 20;
const saved = JSON.parse(readFileSync(new URL('../../bench/results/bench.json', import.meta.url), 'utf8')) as { sections: Array<{ id: string; rows: Array<Record<string, string | number>> }> };
/**
 * How far a job's write units may sit from the saved figure. A path every job takes alike writes
 * whole units (a unit shared by a batch's items moves the mean by a few hundredths); where jobs
 * contend for a slot or a turn, or a burst races its debounced job, how many writes a job makes
 * depends on timing and on the run's size (runs of these rows have differed by up to 0.25 W).
 * A kind with a concurrency limit that is never full writes one more time for each of its jobs
 * that picked, at once with another of its batch, the same free slot: 5.25 W at 20 jobs in one CI
 * run against 5.035 saved at 200; half a write still catches a path that writes once more per job.
 */
const TOLERANCE_W = { exact: 0.1, collisions: 0.5, timing: 1.5 } as const;
/** The design's targets (README): W per job at each tracking level, SQS requests on the happy path. */
const TARGETS = { full: 3, fromClaim: 2, outcome: 1.2, happySqsRequests: 0.35 } as const;

const tables = costTables({ jobs: JOBS, importRows: 1000 });
let measured: Awaited<ReturnType<typeof measureCostTables>>['rows'];

describe('what every path costs, against the saved benchmark', () => {
  it(`measures every cost table's scenarios at ${JOBS} jobs, each write reporting its units`, async () => {
    defaults.jobs = JOBS;
    const run = await measureCostTables(tables);
    measured = run.rows;
    // Else W would read as free, and pass.
    expect(run.unreportedWrites).toBe(0);
  }, 600_000);

  for (const table of tables) {
    it(`${table.id}: every row's write units per job match bench/results/bench.json`, () => {
      const savedRows = saved.sections.find((s) => s.id === table.id)?.rows ?? [];
      expect(savedRows.map((r) => r.scenario)).toEqual(table.rows.map((r) => r.label));
      const off = table.rows.flatMap((row, i) => {
        const now = Number(measured.get(table.id)![i]!['W total']);
        const then = Number(savedRows[i]!['W total']);
        return Math.abs(now - then) <= TOLERANCE_W[row.timing ?? 'exact'] ? [] : [`${row.label}: ${now} W now, ${then} W saved`];
      });
      expect(off).toEqual([]);
    });
  }

  it('holds the design targets: full ≤ 3 W and ≤ 0.35 SQS requests per job with no log line of its own, from-claim ≤ 2 W, outcome ≤ 1.2 W', () => {
    const tracking = measured.get('cost-tracking')!;
    const full = tracking[0]!;
    expect(Number(full['W total'])).toBeLessThanOrEqual(TARGETS.full);
    expect(Number(full['SQS req/job'])).toBeLessThanOrEqual(TARGETS.happySqsRequests);
    // A success line at INFO would be ~400 bytes a job; the batch's EMF lines are ~64.
    expect(Number(full['log bytes/job'])).toBeLessThan(150);
    expect(Number(tracking[1]!['W total'])).toBeLessThanOrEqual(TARGETS.fromClaim);
    expect(Number(tracking[3]!['W total'])).toBeLessThanOrEqual(TARGETS.outcome);
  });
});
