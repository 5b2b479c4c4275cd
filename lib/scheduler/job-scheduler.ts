/**
 * One-time schedules that put a job's message on its lane's queue later: the path for
 * delays past the SQS threshold, absolute run times, and retries past SQS's 12 h.
 */
export interface JobScheduler {
  /**
   * Creates schedule `name` that sends `body` to `lane`'s queue at `at`, then deletes itself.
   * `groupId`, the job's message group, travels in the body (Scheduler's SQS target cannot set
   * a standard queue's group), so the worker and every later send keep it.
   */
  scheduleOnce(name: string, at: Date, lane: string, body: string, groupId?: string): Promise<void>;
  /** Deletes schedule `name`; true when it existed. */
  cancel(name: string): Promise<boolean>;
  /** The message body schedule `name` would send, or undefined when it no longer exists (it fired, or was deleted). */
  messageOf(name: string): Promise<string | undefined>;
}

/** Schedule names are at most 64 characters: `j-<job id>-<attempt>`. */
export function scheduleNameFor(jobId: string, attempt: number): string {
  return `j-${jobId}-${attempt}`;
}

/** The `at()` expression of a time, in UTC, rounded up to the second: a schedule never fires before its job is due. */
export function atExpression(at: Date): string {
  return `at(${new Date(Math.ceil(at.getTime() / 1000) * 1000).toISOString().slice(0, 19)})`;
}
