import { deterministicJobId } from './job-id.js';

/** The Scheduler context placeholder AWS replaces with a firing's scheduled time. */
export const SCHEDULED_TIME_PLACEHOLDER = '<aws.scheduler.scheduled-time>';

/** One firing of a kind's recurring schedule, as its message carries it. */
export interface CronFiring {
  /** `<kind>/<schedule name>`. */
  readonly schedule: string;
  /** The firing's scheduled time as Scheduler filled it in (ISO-8601), or the placeholder where it was not filled in. */
  readonly scheduledTime: string;
}

/**
 * When a firing was scheduled: the time Scheduler filled in, or — where the placeholder
 * arrived literally (an emulator) or garbled — the message's send time floored to the minute,
 * the granularity of cron and rate schedules. Both copies of one SQS message share a send
 * time, so the fallback still gives a duplicate the same id.
 */
export function firingTime(firing: CronFiring, sentTimestamp: number): { time: number; fallback: boolean } {
  const parsed = Date.parse(firing.scheduledTime);
  if (!Number.isNaN(parsed)) return { time: parsed, fallback: false };
  return { time: Math.floor(sentTimestamp / 60_000) * 60_000, fallback: true };
}

/** The id of the job a firing creates: the same schedule and time always give the same id. */
export function cronJobId(firing: CronFiring, time: number, shardCount: number): string {
  return deterministicJobId(time, `cron:${firing.schedule}`, shardCount);
}

/** The message body a recurring schedule sends: a job envelope without an id, with the firing's schedule and time, and a grouped kind's group. */
export function encodeCronMessage(kind: string, schedule: string, payloadJson: string, groupId?: string): string {
  const group = groupId === undefined ? '' : `,"group":${JSON.stringify(groupId)}`;
  return `{"v":1,"kind":${JSON.stringify(kind)},"cron":{"schedule":${JSON.stringify(schedule)},"scheduledTime":"${SCHEDULED_TIME_PLACEHOLDER}"}${group},"payload":${payloadJson}}`;
}
