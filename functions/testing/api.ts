import { createEnqueueApi, type ApiCall, type ApiDecision } from 'jobline/api';
import { referenceJobs } from '../jobs/definitions.js';
import { authorizeReference } from '../api-access.js';
import { child, echo, testJobs } from './definitions.js';
import { traceToTestReceiver } from './tracing.js';

traceToTestReceiver('jobline-test-api');

/** The tests' hook: the reference app's rule, and a refusal of any `test.echo` whose value starts with "refuse:". */
function authorize(call: ApiCall): ApiDecision {
  if (call.kind === echo.kind && call.action === 'enqueue' && String((call.payload as { value: string }).value).startsWith('refuse:')) return 'the test hook refuses values starting with "refuse:"';
  return authorizeReference(call);
}

/** The test stack's enqueue API: the reference kinds plus the test-only kinds, but not the child kinds (`test.child`, `import.chunk`). */
export const handler = createEnqueueApi({ jobs: [...referenceJobs, ...testJobs] }, {
  kinds: [...referenceJobs, ...testJobs].filter((job) => job !== child && job.kind !== 'import.chunk'),
  authorize,
});
