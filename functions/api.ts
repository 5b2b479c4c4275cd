import { createEnqueueApi } from 'jobline/api';
import { referenceJobs } from './jobs/definitions.js';

/** The reference app's enqueue API: validates against the kinds' schemas, then enqueues. */
export const handler = createEnqueueApi({ jobs: referenceJobs });
