import { createWorker } from '../../lib/worker/create-worker.js';
import { defineHandler } from '../../lib/worker/job-handler.js';
import { generateReport } from '../jobs/definitions.js';
import { sendEmailJob } from '../jobs/email-send.js';
import { makeReportHandler } from '../jobs/report-generate.js';
import { emailThenFail } from './definitions.js';
import { testHandlers } from './handlers.js';

/**
 * The test stack's worker: the reference kinds plus the test-only kinds. Its reports notify
 * through test.email-then-fail (a real send whose first attempt then fails), so the tests can
 * see that retrying the email never reruns the report.
 */
export const handler = createWorker({ jobs: [sendEmailJob, defineHandler(generateReport, makeReportHandler(emailThenFail)), ...testHandlers] });
