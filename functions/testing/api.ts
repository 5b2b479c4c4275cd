import { createEnqueueApi } from '../../lib/api/enqueue-api.js';
import { JobClient } from '../../lib/client/job-client.js';
import { referenceJobs } from '../jobs/definitions.js';
import { testJobs } from './definitions.js';

/** The test stack's enqueue API: the reference kinds plus the test-only kinds. */
export const handler = createEnqueueApi(() => new JobClient({ jobs: [...referenceJobs, ...testJobs] }));
