import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { defineJob } from '../../lib/job-definition.js';
import { meter } from '../../bench/cost/meter.js';
import { scenario } from '../../bench/cost/scenario.js';
import './support/deployed.js';

// The cost claims of BENCHMARKS.md and docs/cost.md, held on every run: the benchmark's own
// harness (bench/cost/scenario.ts: real store, transport and worker on tables and queues of
// their own, write units as the emulator's DynamoDB reports them), at a small size.
const schema = z.object({ data: z.string() });
const payload = () => ({ data: 'x'.repeat(1024 - '{"data":""}'.length) });
const JOBS = 20;
/** A scenario's row, once every write it made was seen to report its units (else W would read low, and pass). */
async function run(definition: ReturnType<typeof defineJob<typeof schema>>) {
  const row = await scenario({ label: definition.kind, enqueue: 'batched', definition, jobs: JOBS, payload });
  expect(meter.unreportedWrites).toBe(0);
  return row;
}

// The published figures (BENCHMARKS.md, docs/tracking.md): full 3 W, from-claim 2 W, outcome 1 W a job. A job's
// writes are whole units, so the run's mean may sit below a figure only by what a unit shared in a batch saves.
const TOLERANCE_W = 0.1;

describe('what a 1 KB job costs on the happy path', () => {
  it('full tracking: at most 3 write units and 0.35 SQS requests per job, and no log line of its own (only its batch\'s metrics)', async () => {
    const row = await run(defineJob({ kind: 'cost.full', schema }));
    expect(row['W total']).toBeLessThanOrEqual(3);
    expect(row['W total']).toBeGreaterThanOrEqual(3 - TOLERANCE_W);
    expect(row['SQS req/job']).toBeLessThanOrEqual(0.35);
    // A success line at INFO would be ~400 bytes a job; the batch's EMF lines are ~64.
    expect(row['log bytes/job']).toBeLessThan(150);
  });

  it('from-claim: at most 2 write units per job; outcome: at most 1.2', async () => {
    const fromClaim = (await run(defineJob({ kind: 'cost.from-claim', schema, tracking: 'from-claim' })))['W total'];
    expect(fromClaim).toBeLessThanOrEqual(2);
    expect(fromClaim).toBeGreaterThanOrEqual(2 - TOLERANCE_W);
    const outcome = (await run(defineJob({ kind: 'cost.outcome', schema, tracking: 'outcome' })))['W total'];
    expect(outcome).toBeLessThanOrEqual(1.2);
    expect(outcome).toBeGreaterThanOrEqual(1 - TOLERANCE_W);
  });
});
