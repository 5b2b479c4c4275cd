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
export const handler = createWorker({
  jobs: [sendEmailJob, defineHandler(generateReport, makeReportHandler(emailThenFail)), startImportJob, flakyImportChunk, ...testHandlers],
  // test.crash-at dies at the attempt step its payload names, on its first attempt.
  // (A follow-up is written with its predecessor's success: "while enqueuing a follow-up" is after that write.)
  onStep: (step, job) => {
    const at = (job.payload as { step?: string }).step === 'follow-up' ? 'recorded' : (job.payload as { step?: string }).step;
    if (job.kind === 'test.crash-at' && job.attempt === 1 && at === step) die(`at the attempt step "${step}"`, job.id);
  },
});
