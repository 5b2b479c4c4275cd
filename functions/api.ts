import { createEnqueueApi } from '../lib/api/enqueue-api.js';
import { JobClient } from '../lib/client/job-client.js';
import { referenceJobs } from './jobs/definitions.js';

/** The reference app's enqueue API: validates against the kinds' schemas, then enqueues. */
export const handler = createEnqueueApi(() => new JobClient({ jobs: referenceJobs }));
