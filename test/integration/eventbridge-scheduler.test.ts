import { CreateScheduleGroupCommand, DeleteScheduleGroupCommand, GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { CreateQueueCommand, DeleteMessageCommand, DeleteQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { JoblineConfig } from '../../lib/config.js';
import { newJobId } from '../../lib/job-id.js';
import { encodeJobMessage } from '../../lib/job-message.js';
import { EventBridgeScheduler } from '../../lib/scheduler/eventbridge-scheduler.js';
import { atExpression, scheduleNameFor } from '../../lib/scheduler/job-scheduler.js';
import { sqs, unique } from './support/deployed.js';
import { waitFor } from './support/wait.js';

// EventBridgeScheduler on a schedule group and a queue of its own, made through the APIs in
// the emulator (no stack). The emulator does not check IAM: the role is a placeholder ARN.
const scheduler = new SchedulerClient({});
const ROLE_ARN = 'arn:aws:iam::000000000000:role/jobline-test-scheduler';

/** A schedule group and a lane's queue for one test, deleted after it. */
async function createTarget(): Promise<Pick<JoblineConfig, 'lanes' | 'scheduler'>> {
  const name = unique('scheduler');
  await scheduler.send(new CreateScheduleGroupCommand({ Name: name }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  onTestFinished(async () => {
    await Promise.all([scheduler.send(new DeleteScheduleGroupCommand({ Name: name })), sqs.send(new DeleteQueueCommand({ QueueUrl }))]);
  });
  return {
    lanes: { work: { queueUrl: QueueUrl!, queueArn, deadLetterQueueUrl: `${QueueUrl!}-dlq` } },
    scheduler: { groupName: name, roleArn: ROLE_ARN, thresholdSeconds: 900 },
  };
}

const jobBody = (n: number) => {
  const id = newJobId(4);
  return { id, body: encodeJobMessage(id, 'scheduler.test', JSON.stringify({ n })) };
};

describe('EventBridgeScheduler on a schedule group in the emulator', () => {
  it('creates a one-time at() schedule to the lane\'s queue carrying the body, that deletes itself; refuses a second of the same name; reads and cancels it', async () => {
    const config = await createTarget();
    const jobs = new EventBridgeScheduler(scheduler, config);
    const { id, body } = jobBody(1);
    const name = scheduleNameFor(id, 1);
    const at = new Date(Date.now() + 3_600_000 + 250);

    await jobs.scheduleOnce(name, at, 'work', body);
    const schedule = await scheduler.send(new GetScheduleCommand({ Name: name, GroupName: config.scheduler.groupName }));
    expect(schedule).toMatchObject({
      Name: name,
      GroupName: config.scheduler.groupName,
      ScheduleExpression: atExpression(at),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Target: { Arn: config.lanes.work!.queueArn, RoleArn: ROLE_ARN, Input: body },
    });
    // Never before the job is due: the expression is the time rounded up to the second.
    const fires = Date.parse(`${schedule.ScheduleExpression!.slice(3, -1)}Z`);
    expect(fires).toBeGreaterThanOrEqual(at.getTime());
    expect(fires - at.getTime()).toBeLessThan(1000);

    // The sweeper and the client rely on the name: a schedule already made is a ConflictException.
    const other = jobBody(2);
    await expect(jobs.scheduleOnce(name, new Date(Date.now() + 60_000), 'work', other.body)).rejects.toMatchObject({ name: 'ConflictException' });
    expect(await jobs.messageOf(name)).toBe(body);
    expect(await jobs.messageOf(scheduleNameFor(other.id, 1))).toBeUndefined();

    await expect(jobs.scheduleOnce(scheduleNameFor(other.id, 1), at, 'nope', other.body)).rejects.toMatchObject({ name: 'UnknownLaneError', lane: 'nope', lanes: ['work'] });
    expect(await jobs.messageOf(scheduleNameFor(other.id, 1))).toBeUndefined();

    expect(await jobs.cancel(name)).toBe(true);
    expect(await jobs.cancel(name)).toBe(false);
    expect(await jobs.messageOf(name)).toBeUndefined();
  });

  it('surfaces a misconfigured group instead of hiding it', async () => {
    const config = await createTarget();
    const jobs = new EventBridgeScheduler(scheduler, { ...config, scheduler: { ...config.scheduler, groupName: `${config.scheduler.groupName}-missing` } });
    const { id, body } = jobBody(3);
    await expect(jobs.scheduleOnce(scheduleNameFor(id, 1), new Date(Date.now() + 60_000), 'work', body)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('fires at its time: the body arrives on the lane\'s queue, and the schedule is gone', async () => {
    const config = await createTarget();
    const jobs = new EventBridgeScheduler(scheduler, config);
    const { id, body } = jobBody(4);
    const name = scheduleNameFor(id, 2);
    const at = new Date(Date.now() + 3000);
    await jobs.scheduleOnce(name, at, 'work', body);
    expect(await jobs.messageOf(name)).toBe(body);

    const queueUrl = config.lanes.work!.queueUrl;
    const arrived = await waitFor('the scheduled message on the queue', async () => {
      const output = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      return output.Messages?.find((m) => m.Body === body);
    }, { timeoutMs: 30_000, intervalMs: 0 });
    const arrivedAt = Date.now();
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: arrived.ReceiptHandle }));
    expect(arrivedAt).toBeGreaterThanOrEqual(at.getTime());

    await waitFor('the schedule to delete itself', async () => (await jobs.messageOf(name)) === undefined, { timeoutMs: 10_000 });
    expect(await jobs.cancel(name)).toBe(false);
  });
});
