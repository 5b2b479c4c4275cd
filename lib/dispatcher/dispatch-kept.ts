import type { Logger } from '@aws-lambda-powertools/logger';
import { encodeJobMessage } from '../job-message.js';
import type { JobRecord } from '../job-record.js';
import type { JobStatus } from '../job-status.js';
import { scheduleNameFor, type JobScheduler } from '../scheduler/job-scheduler.js';
import { jobMessage, type JobTransport, type OutgoingMessage } from '../transport/job-transport.js';

/** A job written with its payload but no message yet: a failed send, a follow-up, an operator's retry, a transactional enqueue. */
export interface KeptJob {
  readonly record: JobRecord;
  readonly payloadJson: string;
}

/** What dispatching kept jobs needs. */
export interface DispatchDependencies {
  readonly transport: JobTransport;
  readonly scheduler: JobScheduler;
  /**
   * Marks a job's message as sent (it leaves the undispatched index, drops its payload; a
   * scheduled job stays listed as scheduled). Absent for jobs in no index (the dispatcher's:
   * their claim drops the payload, and saves the write).
   */
  readonly markDispatched?: ((id: string, status: JobStatus) => Promise<void>) | undefined;
  /** Delays up to this many seconds SQS holds; longer ones a one-time schedule. */
  readonly thresholdSeconds: number;
  readonly logger: Logger;
}

/** Which kept jobs were sent (or scheduled), and which were not (the caller tries them again). */
export interface DispatchReport {
  readonly dispatched: readonly string[];
  readonly failed: readonly string[];
}

/**
 * Sends the messages of kept jobs, with what remains of each one's delay: due ones and short
 * delays to their lanes in batches (SendMessageBatch), longer ones through a one-time schedule
 * (an existing schedule of the same name means it was scheduled already). Each job sent is
 * marked dispatched. Sending a job twice is harmless: the claim runs it once.
 */
export async function dispatchKept(jobs: readonly KeptJob[], now: Date, deps: DispatchDependencies): Promise<DispatchReport> {
  const dispatched: string[] = [];
  const failed: string[] = [];
  const toQueue = new Map<string, OutgoingMessage[]>();
  const statusOf = new Map(jobs.map((job) => [job.record.id, job.record.status]));
  const toSchedule: Array<{ job: KeptJob; due: Date; body: string }> = [];
  for (const job of jobs) {
    const { record } = job;
    const body = encodeJobMessage(record.id, record.kind, job.payloadJson, { recorded: true, trace: record.trace });
    const due = record.runAt ? Date.parse(record.runAt) : now.getTime();
    const delaySeconds = Math.max(0, Math.ceil((due - now.getTime()) / 1000));
    if (delaySeconds > deps.thresholdSeconds) toSchedule.push({ job, due: new Date(due), body });
    else toQueue.set(record.lane, [...(toQueue.get(record.lane) ?? []), jobMessage(record, body, delaySeconds)]);
  }
  for (const [lane, messages] of toQueue) {
    try {
      const { failedIds, failures } = await deps.transport.send(lane, messages);
      if (failedIds.length > 0) deps.logger.error('SQS refused kept jobs\' messages; they are tried again', { lane, failures: failures ?? failedIds });
      failed.push(...failedIds);
      for (const message of messages.filter((m) => !failedIds.includes(m.id))) {
        await deps.markDispatched?.(message.id, statusOf.get(message.id)!);
        dispatched.push(message.id);
      }
    } catch (error) {
      deps.logger.error('could not send kept jobs\' messages; they are tried again', { lane, error: error as Error });
      failed.push(...messages.map((m) => m.id));
    }
  }
  for (const { job, due, body } of toSchedule) {
    const { record } = job;
    try {
      await deps.scheduler.scheduleOnce(record.scheduleName ?? scheduleNameFor(record.id, record.attempt + 1), due, record.lane, body, record.groupId);
    } catch (error) {
      if ((error as Error).name !== 'ConflictException') {
        deps.logger.error('could not schedule a kept job; it is tried again', { jobId: record.id, error: error as Error });
        failed.push(record.id);
        continue;
      }
    }
    await deps.markDispatched?.(record.id, record.status);
    dispatched.push(record.id);
  }
  return { dispatched, failed };
}
