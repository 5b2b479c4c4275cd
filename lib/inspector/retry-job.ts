import { encodeJobMessage } from '../job-message.js';
import { jobTracer } from '../tracing/job-tracer.js';
import type { JobRecord } from '../job-record.js';
import type { JobStore } from '../store/job-store.js';
import { jobMessage, type JobTransport } from '../transport/job-transport.js';

/**
 * An operator's retry: a failed or cancelled job goes back to `queued` with a fresh set of
 * attempts (a child leaves its parent's counts, and a parent its children had failed reopens),
 * and its message is sent from the payload kept on the record, in the job's message group; a
 * job cancelled before any worker saw its message is revived, and that message runs it. The
 * store's conditions make a second retry of the same job refuse (it is no longer failed or
 * cancelled). Throws JobNotRetryableError as `operator-rules.ts` says.
 */
export async function retryJob(deps: { store: JobStore; transport: JobTransport; now: () => Date }, id: string): Promise<JobRecord> {
  const record = await deps.store.requeue(id, deps.now());
  jobTracer().event('jobline.retry', { 'jobline.job.id': id });
  if (record.payload === undefined) return record;
  const body = encodeJobMessage(id, record.kind, JSON.stringify(record.payload), { recorded: true, trace: record.trace });
  const { failedIds } = await deps.transport.send(record.lane, [jobMessage(record, body)]);
  // If the send failed the job stays undispatched, with its payload, and the sweeper sends it.
  if (failedIds.length === 0) await deps.store.markDispatched(id);
  return (await deps.store.get(id)) ?? record;
}
