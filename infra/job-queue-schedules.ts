import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnSchedule, CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import { encodeCronMessage } from '../lib/cron-firing.js';
import { messageGroupOf } from '../lib/flow-control/flow-keys.js';
import type { JobDefinition } from '../lib/job-definition.js';
import { pascal } from './construct-ids.js';
import type { Lane } from './job-queue-props.js';

/** The Scheduler name of a kind's recurring schedule. */
export function cronScheduleName(kind: string, name: string): string {
  return `cron.${kind}.${name}`;
}

/** Where a job queue's schedules live, and who sends their messages. */
export interface Scheduling {
  /** The group of this queue's schedules, one-time and recurring. */
  readonly group: CfnScheduleGroup;
  /** The role Scheduler assumes to send to the lanes' queues. */
  readonly role: iam.Role;
}

/** The schedule group of `scope`'s job queue, and a Scheduler role that may send to every lane. */
export function createScheduling(scope: Construct, lanes: ReadonlyMap<string, Lane>): Scheduling {
  // Unique per stack and construct, and within Scheduler's 64-character limit.
  const group = new CfnScheduleGroup(scope, 'Schedules', { name: `${Stack.of(scope).stackName}-${scope.node.addr.slice(0, 8)}`.slice(0, 64) });
  const role = new iam.Role(scope, 'SchedulerRole', { assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com') });
  for (const lane of lanes.values()) lane.queue.grantSendMessages(role);
  return { group, role };
}

/** One recurring schedule per `schedules` entry of each kind, sending its firing to the kind's lane. */
export function createCronSchedules(scope: Construct, jobs: readonly JobDefinition[], lanes: ReadonlyMap<string, Lane>, scheduling: Scheduling): CfnSchedule[] {
  return jobs.flatMap((job) => job.schedules.map((schedule) => new CfnSchedule(scope, `Cron${pascal(job.kind)}${pascal(schedule.name)}`, {
    name: cronScheduleName(job.kind, schedule.name),
    groupName: scheduling.group.ref,
    scheduleExpression: schedule.expression,
    scheduleExpressionTimezone: schedule.timezone ?? 'UTC',
    flexibleTimeWindow: { mode: 'OFF' },
    description: `jobline: enqueues ${job.kind} (${schedule.name})`,
    target: {
      arn: lanes.get(job.lane)!.queue.queueArn,
      roleArn: scheduling.role.roleArn,
      // A grouped kind's firings carry their group in the body (Scheduler sets none on a standard queue).
      input: encodeCronMessage(job.kind, `${job.kind}/${schedule.name}`, JSON.stringify(schedule.payload), messageGroupOf(job, schedule.payload, `schedule "${schedule.name}"`)),
    },
  })));
}
