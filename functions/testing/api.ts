import { createEnqueueApi } from 'jobline/api';
import { referenceJobs } from '../jobs/definitions.js';
import { testJobs } from './definitions.js';

/** The test stack's enqueue API: the reference kinds plus the test-only kinds. */
export const handler = createEnqueueApi({ jobs: [...referenceJobs, ...testJobs] });
