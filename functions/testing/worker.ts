import { createWorker } from 'jobline/worker';
import { defineHandler } from 'jobline/worker';
import { generateReport, importChunk } from '../jobs/definitions.js';
import { sendEmailJob } from '../jobs/email-send.js';
import { importRows } from '../jobs/import-chunk.js';
import { startImportJob } from '../jobs/import-start.js';
import { makeReportHandler } from '../jobs/report-generate.js';
import { emailThenFail } from './definitions.js';
import { die, testHandlers } from './handlers.js';

/**
 * `import.chunk` as in the reference app, except that in files whose name contains
 * `flaky-chunk` the chunk starting at line 2002 fails its first attempt (transiently).
 */
const flakyImportChunk = defineHandler(importChunk, async (chunk, ctx) => {
  if (chunk.key.includes('flaky-chunk') && chunk.firstLine === 2002 && ctx.attempt === 1) throw new Error('simulated read timeout on the first attempt');
  return importRows(chunk, ctx);
});

/**
 * The test stack's worker: the reference kinds plus the test-only kinds. Its reports notify
 * through test.email-then-fail (a real send whose first attempt then fails), so the tests can
 * see that retrying the email never reruns the report; its import chunks can fail once on cue.
 */
const worker = createWorker({
  jobs: [sendEmailJob, defineHandler(generateReport, makeReportHandler(emailThenFail)), startImportJob, flakyImportChunk, ...testHandlers],
  // test.crash-at dies at the attempt step its payload names, on its first attempt.
  // (A follow-up is written with its predecessor's success: "while enqueuing a follow-up" is after that write.)
  onStep: (step, job) => {
    const asked = (job.payload as { step?: string }).step;
    const at = asked === 'follow-up' ? 'recorded' : asked === 'spawning' ? 'children-written' : asked;
    // Before the claim, the first delivery is the first attempt.
    const first = step === 'received' ? job.receiveCount === 1 : job.attempt === 1;
    if (job.kind === 'test.crash-at' && first && at === step) die(`at the attempt step "${step}"`, job.id);
  },
});

/**
 * Random kills for the reliability suite: with `TEST_KILLS` set ({"chance":0.3,"withinMs":400}),
 * each invocation is killed (process.exit) with that chance at a random moment within that
 * many milliseconds of its start — wherever its jobs happen to be. Only batches whose messages
 * have all been received at most `maxReceives` times (default 3) are killed, so that no job is
 * killed on every one of its attempts.
 */
const kills = process.env.TEST_KILLS ? (JSON.parse(process.env.TEST_KILLS) as { chance: number; withinMs: number; maxReceives?: number }) : undefined;

export const handler: typeof worker = async (event, context) => {
  const receives = Math.max(...event.Records.map((r) => Number(r.attributes?.ApproximateReceiveCount ?? 1)));
  const killable = kills !== undefined && receives <= (kills.maxReceives ?? 3);
  const afterMs = killable && Math.random() < kills.chance ? Math.floor(Math.random() * kills.withinMs) : undefined;
  const kill = afterMs === undefined ? undefined : setTimeout(() => {
    console.error(`test: killing the worker process at random, ${afterMs} ms into a batch of ${event.Records.length}`);
    process.exit(1);
  }, afterMs);
  try {
    return await worker(event, context);
  } finally {
    // A batch that finished first was not killed.
    clearTimeout(kill);
  }
};
