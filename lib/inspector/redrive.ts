import { JobNotRetryableError } from '../errors.js';
import { decodeJobMessage, MESSAGE_ATTRIBUTES } from '../job-message.js';
import { jobTracer } from '../tracing/job-tracer.js';
import type { JobRecord } from '../job-record.js';
import { isFinished } from '../job-status.js';
import type { JobStore } from '../store/job-store.js';
import type { DeadLetter, DeadLetterQueue } from '../transport/lane-admin.js';
import { jobMessage, type JobTransport } from '../transport/job-transport.js';

/** What a DLQ redrive did. */
export interface RedriveReport {
  /** Messages sent back to the lane: failed jobs requeued with fresh attempts, or unfinished jobs (moved by SQS's own redrive) resumed. */
  readonly moved: number;
  /** Messages deleted: their job was discarded or has finished, was retried since the copy was made, or the copy is of an earlier failure. */
  readonly dropped: number;
  /** Messages left in the DLQ: other kinds, unreadable ones, copies made after the redrive began, further copies of a job it moved, and ones an error stopped (see `errors`). */
  readonly left: number;
  /** Of those left, copies the DLQ received after the redrive began — among them re-failures of jobs it moved: the next redrive's work, not this one's. */
  readonly newer: number;
  /** What went wrong with messages left in the DLQ for that reason, one line each. */
  readonly errors: readonly string[];
}

/** What a redrive does with one DLQ copy of a job, given the job's record now. */
export type RedriveDecision =
  | { readonly action: 'requeue' }
  | { readonly action: 'resume' }
  | { readonly action: 'drop'; readonly why: string }
  | { readonly action: 'leave'; readonly why: string };

/**
 * The rule, as a plain function: a copy is moved only while it is the job's current failure
 * and only once per redrive.
 * - no record: the job was discarded → drop;
 * - `failed`: a copy made by that very failure (its claim token matches the record's; a copy
 *   from SQS's own redrive carries none) → requeue the job with fresh attempts, unless this
 *   redrive moved the job already (→ leave); a copy of an older failure → drop;
 * - finished otherwise (`succeeded`, `cancelled`) → drop;
 * - unfinished: a copy the worker made was overtaken (an operator retried the job) → drop; a
 *   copy SQS moved after too many receives (no token) → resume it, once per redrive.
 */
export function redriveDecision(record: JobRecord | undefined, copyToken: string | undefined, movedAlready: boolean): RedriveDecision {
  if (!record) return { action: 'drop', why: 'discarded' };
  if (record.status === 'failed') {
    if (copyToken !== undefined && copyToken !== record.claimToken) return { action: 'drop', why: 'a copy of an earlier failure' };
    return movedAlready ? { action: 'leave', why: 'moved once by this redrive already' } : { action: 'requeue' };
  }
  if (isFinished(record.status)) return { action: 'drop', why: record.status };
  if (copyToken !== undefined) return { action: 'drop', why: `retried since (now ${record.status})` };
  return movedAlready ? { action: 'leave', why: 'moved once by this redrive already' } : { action: 'resume' };
}

/** What a redrive needs. */
export interface RedriveDependencies {
  readonly store: JobStore;
  readonly transport: JobTransport;
  readonly deadLetters: DeadLetterQueue;
  readonly shardCount: number;
  readonly now: () => Date;
}

/** How long a redrive keeps the messages it read hidden while it works, in seconds. */
const REDRIVE_VISIBILITY_SECONDS = 60;
/** Receive rounds a redrive makes at most (10 messages each). */
const MAX_ROUNDS = 1000;

/**
 * Moves a lane's DLQ messages back to its queue, optionally only some kinds, working on what
 * the DLQ held when it began: copies the DLQ receives later — re-failures of the jobs it moves
 * among them — are left for the next redrive, each job moves at most once, and a copy that is
 * no longer current is deleted ({@link redriveDecision}). So running it twice moves nothing
 * the second time that the first moved, and a job that fails on every run runs once more per
 * redrive, not until the command gives up. Each message is sent (with the job's message group)
 * before it is deleted; a crash in between leaves a copy the next redrive drops as overtaken.
 * One message's error leaves that message and goes on with the rest.
 */
export async function redrive(lane: string, deps: RedriveDependencies, options: { kinds?: readonly string[] } = {}): Promise<RedriveReport> {
  const began = deps.now().getTime();
  const seen = new Set<string>();
  const movedJobs = new Set<string>();
  const left: DeadLetter[] = [];
  const errors: string[] = [];
  let moved = 0;
  let dropped = 0;
  let newer = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const fresh = (await deps.deadLetters.receiveDeadLetters(lane, REDRIVE_VISIBILITY_SECONDS)).filter((m) => !seen.has(m.messageId));
    if (fresh.length === 0) break;
    for (const message of fresh) {
      seen.add(message.messageId);
      if (message.sentTimestamp !== undefined && message.sentTimestamp >= began) {
        newer++;
        left.push(message);
        continue;
      }
      const decoded = decodeJobMessage(message.body, { sentTimestamp: message.sentTimestamp ?? began, shardCount: deps.shardCount });
      if (!decoded.ok || (options.kinds && !options.kinds.includes(decoded.message.kind))) {
        left.push(message);
        continue;
      }
      const jobId = decoded.message.id;
      try {
        const record = await deps.store.get(jobId);
        const decision = redriveDecision(record, message.attributes[MESSAGE_ATTRIBUTES.claimToken], movedJobs.has(jobId));
        if (decision.action === 'leave') {
          left.push(message);
          continue;
        }
        if (decision.action === 'drop' || !(await move(lane, message, record!, decision.action, deps))) {
          dropped++;
        } else {
          moved++;
          movedJobs.add(jobId);
        }
        await deps.deadLetters.deleteDeadLetter(lane, message.receiptHandle);
      } catch (error) {
        errors.push(`job ${jobId} (message ${message.messageId}): ${(error as Error).message}`);
        left.push(message);
      }
    }
  }
  await Promise.all(left.map((m) => deps.deadLetters.releaseDeadLetter(lane, m.receiptHandle)));
  return { moved, dropped, left: left.length, newer, errors };
}

/**
 * Sends one copy back: a failed job is requeued first (its fresh attempts start from the
 * record), then its message is sent in its group. False when an operator's retry got there
 * first (the job is requeued already, with a message of its own: the copy is dropped).
 */
async function move(lane: string, message: DeadLetter, record: JobRecord, action: 'requeue' | 'resume', deps: RedriveDependencies): Promise<boolean> {
  if (action === 'requeue') {
    try {
      await deps.store.requeue(record.id, deps.now());
    } catch (error) {
      if (error instanceof JobNotRetryableError) return false;
      throw error;
    }
  }
  // The group the DLQ copy carries, else the record's.
  const groupId = message.attributes[MESSAGE_ATTRIBUTES.group] ?? record.groupId;
  // The copy keeps the job's creation context: its next attempt links back to the enqueue, and the operator's span says why it runs again.
  jobTracer().event('jobline.redrive', { 'jobline.job.id': record.id, 'jobline.redrive.action': action });
  const { failedIds, failures } = await deps.transport.send(lane, [jobMessage({ ...record, groupId }, message.body)]);
  if (failedIds.length === 0) {
    if (action === 'requeue') await deps.store.markDispatched(record.id);
    return true;
  }
  // A requeued job keeps its payload and stays undispatched: the sweeper sends it. A resumed one stays in the DLQ.
  if (action === 'requeue') return true;
  throw new Error(`could not send it back: ${failures?.[0]?.reason ?? 'SQS refused it'}`);
}
