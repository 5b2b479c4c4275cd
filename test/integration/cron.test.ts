import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { listAll } from '../support/list-all.js';
import { describe, expect, it } from 'vitest';
import { awsBackends } from '../../lib/aws/aws-backends.js';
import { cronJobId, encodeCronMessage, SCHEDULED_TIME_PLACEHOLDER } from '../../lib/cron-firing.js';
import { timeOf } from '../../lib/job-id.js';
import type { JobRecord } from '../../lib/job-record.js';
import { dynamodb, handlerRuns, lane, sqs, stack, workerLogLines } from './support/deployed.js';
import { waitFor } from './support/wait.js';

const { store } = awsBackends(stack.config, { dynamodb, sqs });
const SCHEDULE = 'test.cron/every-minute';

async function cronJobs(): Promise<JobRecord[]> {
  const lists = await Promise.all((['running', 'succeeded'] as const).map((status) => listAll(store, { status, limit: 1000, since: new Date(Date.now() - 3_600_000) })));
  return lists.flat().filter((r) => r.kind === 'test.cron');
}

describe('recurring schedules on the deployed stack', () => {
  it('turns each rate(1 minute) firing into one job whose id derives from the schedule and the minute', async () => {
    const [job] = await waitFor('the schedule to fire (rate(1 minute); the emulator sweeps every 10 s)', async () => {
      const jobs = (await cronJobs()).filter((r) => r.status === 'succeeded');
      return jobs.length > 0 ? jobs : undefined;
    }, { timeoutMs: 150_000, intervalMs: 2000 });
    expect(job).toMatchObject({ kind: 'test.cron', createdBy: `schedule:${SCHEDULE}`, result: { note: 'tick' }, attempt: 1 });
    const minute = timeOf(job!.id);
    expect(minute % 60_000).toBe(0);
    expect(job!.id).toBe(cronJobId({ schedule: SCHEDULE, scheduledTime: '' }, minute, stack.config.shardCount));

    // The same firing again (as AWS would send it, with the scheduled time filled in) makes no second job.
    const body = encodeCronMessage('test.cron', SCHEDULE, '{"note":"tick"}').replace(SCHEDULED_TIME_PLACEHOLDER, new Date(minute).toISOString());
    await sqs.send(new SendMessageCommand({ QueueUrl: lane.queueUrl, MessageBody: body }));
    await waitFor('the repeated firing to be dropped', async () => (await workerLogLines('dropping a delivery')).some((line) => line.includes(job!.id)), { timeoutMs: 60_000, intervalMs: 1000 });
    expect(await handlerRuns(job!.id)).toBe(1);

    // Every firing so far made exactly one job, each in its own minute.
    const minutes = (await cronJobs()).map((r) => timeOf(r.id));
    expect(new Set(minutes).size).toBe(minutes.length);
  });
});
