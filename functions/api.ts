import { createEnqueueApi } from 'jobline/api';
import { generateReport, referenceJobs, sendEmail, startImport } from './jobs/definitions.js';
import { authorizeReference } from './api-access.js';

/**
 * The reference app's enqueue API: validates against the kinds' schemas, then enqueues. Callers
 * may send emails, imports and reports — never `import.chunk`, which only `import.start` spawns —
 * and a report goes only to the caller's own address (see api-access.ts).
 */
export const handler = createEnqueueApi({ jobs: referenceJobs }, { kinds: [sendEmail, startImport, generateReport], authorize: authorizeReference });
