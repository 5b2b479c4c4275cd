import { createWorker, defineHandler } from 'jobline/worker';
import { importChunkJob } from '../jobs/import-chunk.js';
import { startImportJob } from '../jobs/import-start.js';
import { benchJobs } from './definitions.js';

/** The benchmark stack's worker: the no-op kinds (doing nothing) and the reference app's import. */
export const handler = createWorker({
  jobs: [...benchJobs.map((kind) => defineHandler(kind, async () => {})), startImportJob, importChunkJob],
});
