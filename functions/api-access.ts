import type { ApiCall, ApiDecision } from 'jobline/api';
import { generateReport } from './jobs/definitions.js';

/**
 * The reference app's rule on top of the kinds it lists: a report's link is mailed to
 * `requestedBy`, so a caller may only request reports for the address its identity carries
 * (a JWT's verified `email` claim). A caller without one — an IAM signer — cannot have a report
 * mailed anywhere through the API: the app's own code enqueues those with `JobClient`.
 */
export function authorizeReference(call: ApiCall): ApiDecision {
  if (call.action !== 'enqueue' || call.kind !== generateReport.kind) return true;
  const email = call.principal?.claims?.email;
  const verified = call.principal?.claims?.email_verified;
  if (typeof email !== 'string' || !(verified === true || verified === 'true')) return 'a report is mailed to requestedBy, which must be the caller\'s own verified email address: this caller has none';
  const { requestedBy } = call.payload as { requestedBy: string };
  return requestedBy.toLowerCase() === email.toLowerCase() || `requestedBy must be your own address (${email})`;
}
