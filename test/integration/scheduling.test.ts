import { GetScheduleCommand, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import { api, client, handlerRuns, stack, unique, waitForStatus, workerLogLines } from './support/deployed.js';
import { waitFor } from './support/wait.js';

const scheduler = new SchedulerClient({});

async function scheduleExists(name: string): Promise<boolean> {
  try {
    await scheduler.send(new GetScheduleCommand({ Name: name, GroupName: stack.config.scheduler.groupName }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

describe('delays and cancellation on the deployed stack', () => {
  it('runs a job delayed past the threshold from a one-time schedule: after its time, and the schedule is gone after', async () => {
    // The test stack hands delays over 5 s to the Scheduler.
    const job = await client.enqueue('test.echo', { value: unique('scheduled') }, { delaySeconds: 8 });
    const record = await client.get(job.id);
    expect(record).toMatchObject({ status: 'scheduled', scheduleName: `j-${job.id}-1`, runAt: job.runAt });
    expect(await scheduleExists(record!.scheduleName!)).toBe(true);

    const done = await waitForStatus(job.id, 'succeeded', 90_000);
    expect(Date.parse(done.startedAt!)).toBeGreaterThanOrEqual(Date.parse(job.runAt!));
    expect(done.scheduleName).toBeUndefined();
    expect(await waitFor('the one-time schedule to delete itself', async () => !(await scheduleExists(record!.scheduleName!)))).toBe(true);
    expect(await handlerRuns(job.id)).toBe(1);
  });

  it('cancels a scheduled job: its schedule is deleted and it never runs', async () => {
    const job = await client.enqueue('test.echo', { value: unique('cancel-scheduled') }, { runAt: new Date(Date.now() + 8000) });
    const { scheduleName } = (await client.get(job.id))!;
    expect(await scheduleExists(scheduleName!)).toBe(true);

    const reply = await api.cancel(job.id);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ status: 'cancelled', cancelReason: expect.stringContaining('cancelled through the API') });
    expect(await scheduleExists(scheduleName!)).toBe(false);

    // Past the time it would have fired (the emulator's scheduler sweeps every 10 s), it has still not run.
    await waitFor('the cancelled job\'s run time and a scheduler sweep to pass', async () => Date.now() > Date.parse(job.runAt!) + 12_000, { timeoutMs: 30_000 });
    expect(await handlerRuns(job.id)).toBe(0);
    expect(await client.get(job.id)).toMatchObject({ status: 'cancelled', attempt: 0 });
    expect((await api.cancel(job.id)).status).toBe(409);
  });

  it('drops the message of a cancelled job that SQS was holding, without running it, keeping its payload', async () => {
    const value = unique('cancel-queued');
    const job = await client.enqueue('test.echo', { value }, { delaySeconds: 3 });
    expect((await client.cancel(job.id)).status).toBe('cancelled');
    await waitFor(`the worker to drop the message of ${job.id}`, async () => (await workerLogLines('dropping the message of a cancelled job')).some((line) => line.includes(job.id)), { timeoutMs: 60_000, intervalMs: 1000 });
    expect(await handlerRuns(job.id)).toBe(0);
    expect(await client.get(job.id)).toMatchObject({ status: 'cancelled', attempt: 0, payload: { value } });
  });
});
