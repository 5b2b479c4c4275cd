import { createWorker } from '../../lib/worker/create-worker.js';
import { sendEmailJob } from '../jobs/email-send.js';
import { testHandlers } from './handlers.js';

/** The test stack's worker: the reference kinds plus the test-only kinds. */
export const handler = createWorker({ jobs: [sendEmailJob, ...testHandlers] });
