import type { NewJobTags } from '../tags/job-tags.js';

/** A job about to be written at enqueue. */
export interface NewJob {
  readonly id: string;
  readonly kind: string;
  readonly lane: string;
  readonly status: 'queued' | 'scheduled';
  readonly maxAttempts: number;
  readonly payloadBytes: number;
  readonly createdAt: Date;
  readonly runAt?: Date | undefined;
  readonly createdBy?: string | undefined;
  /** The one-time schedule that will send its message, when a Scheduler holds it. */
  readonly scheduleName?: string | undefined;
  /** The kind's unique key for this payload, when the kind has one. */
  readonly uniqueKey?: string | undefined;
  /** The job whose success enqueued this one (a continuation). */
  readonly predecessorId?: string | undefined;
  /** The parent that spawned this job. */
  readonly parentId?: string | undefined;
  /** Its message group (the kind's `group` key of the payload): every send of its message — a retry, a redrive, a sweep — keeps it. */
  readonly groupId?: string | undefined;
  /** Its tags, each written as an item of its own beside the record (a job without tags writes none). */
  readonly tags?: NewJobTags | undefined;
  /** Its creation context (a W3C `traceparent`), while tracing is on: every later send of its message carries it. */
  readonly trace?: string | undefined;
}
