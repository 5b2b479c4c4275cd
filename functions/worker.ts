import { createWorker } from 'jobline/worker';
import { sendEmailJob } from './jobs/email-send.js';
import { importChunkJob } from './jobs/import-chunk.js';
import { startImportJob } from './jobs/import-start.js';
import { generateReportJob } from './jobs/report-generate.js';

/** The reference app's worker: every kind bound to its handler. */
export const handler = createWorker({ jobs: [sendEmailJob, generateReportJob, startImportJob, importChunkJob] });
