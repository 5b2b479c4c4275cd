import { describe, expect, it } from 'vitest';
import { client, handlerRuns, unique, waitForStatus, workerLogLines } from './support/deployed.js';
import { waitFor } from './support/wait.js';

/**
 * The worker process dies (process.exit) at each step of an attempt, on the first attempt of a
 * test.crash-at job: the whole batch comes back after the lane's visibility timeout (20 s in the
 * test stack) and the job is taken over. Each job is enqueued once the one before has died
 * (its worker logged so), so that no crash takes another step's job down with it; their
 * recoveries then run together, so the suite waits for the visibility timeout once.
 */
describe('a worker that dies at every step of an attempt', () => {
  it('loses no job, and creates no child or follow-up twice; what runs again is stated exactly', async () => {
    const steps = ['received', 'claimed', 'handled', 'recorded', 'once-before-effect', 'once-after-effect', 'heartbeat', 'spawning', 'spawned', 'follow-up'] as const;
    const tag = unique('crash');
    const byStep = {} as Record<(typeof steps)[number], string>;
    for (const step of steps) {
      const { id } = await client.enqueue('test.crash-at', { step, tag: `${tag}-${step}` });
      byStep[step] = id;
      await waitFor(`the worker to die at "${step}"`, async () => (await workerLogLines(`(job ${id})`)).length > 0, { timeoutMs: 30_000, intervalMs: 250 });
    }
    const records = Object.fromEntries(await Promise.all(steps.map(async (step) => [step, await waitForStatus(byStep[step], 'succeeded', 200_000)] as const)));
    const runs = Object.fromEntries(await Promise.all(steps.map(async (step) => [step, await handlerRuns(byStep[step])] as const)));
    console.log(`crash steps: ${steps.map((s) => `${s}: attempt ${records[s]!.attempt}, handler ran ${runs[s]}×`).join('; ')}`);

    // Died before the claim: nothing was written, so the redelivery is the first attempt.
    expect([records.received!.attempt, runs.received]).toEqual([1, 1]);
    // Died before the handler: it ran once, on the attempt that took the job over.
    expect([records.claimed!.attempt, runs.claimed]).toEqual([2, 1]);
    // Died after the handler, before its outcome was written: the handler runs again (at-least-once execution).
    expect([records.handled!.attempt, runs.handled]).toEqual([2, 2]);
    // Died after the outcome was written: the redelivery finds the job finished and drops it.
    expect([records.recorded!.attempt, runs.recorded]).toEqual([1, 1]);
    // Inside ctx.once before the side effect: the handler runs again, the effect happens once.
    expect([records['once-before-effect']!.attempt, runs['once-before-effect']]).toEqual([2, 2]);
    expect(await handlerRuns(`effect:${tag}-once-before-effect`)).toBe(1);
    // Inside ctx.once after the side effect, before once stored it: the effect happens again — the window the README states.
    expect([records['once-after-effect']!.attempt, runs['once-after-effect']]).toEqual([2, 2]);
    expect(await handlerRuns(`effect:${tag}-once-after-effect`)).toBe(2);
    // Right after a heartbeat: the lease it renewed runs out, and the job is taken over and run again.
    expect([records.heartbeat!.attempt, runs.heartbeat]).toEqual([2, 2]);
    // Inside ctx.spawn, children written but not sent: the retried parent finds their records and sends them; each ran once.
    expect(records.spawning).toMatchObject({ attempt: 2, childrenTotal: 2, childrenDone: 2, childrenFailed: 0 });
    expect(runs.spawning).toBe(2);
    expect(await handlerRuns(`value:${tag}-spawning-a`)).toBe(1);
    expect(await handlerRuns(`value:${tag}-spawning-b`)).toBe(1);
    // After spawning children: the retried parent spawns the same children (ids derive from it); each ran once.
    expect(records.spawned).toMatchObject({ attempt: 2, childrenTotal: 2, childrenDone: 2, childrenFailed: 0 });
    expect(runs.spawned).toBe(2);
    expect(await handlerRuns(`value:${tag}-spawned-a`)).toBe(1);
    expect(await handlerRuns(`value:${tag}-spawned-b`)).toBe(1);
    // After the success that wrote the follow-up: one follow-up, run once.
    expect([records['follow-up']!.attempt, runs['follow-up']]).toEqual([1, 1]);
    // The messages of the jobs that died after their outcome was written come back, and are dropped:
    // only then can a second run of either (or of the follow-up) no longer appear.
    for (const step of ['recorded', 'follow-up'] as const) {
      await waitFor(`the message of the job that died at "${step}" to come back and be dropped`, async () =>
        (await workerLogLines('dropping a delivery of a job that is not claimable')).some((line) => line.includes(byStep[step])), { timeoutMs: 60_000, intervalMs: 2000 });
    }
    await waitFor('the follow-up to run', async () => (await handlerRuns(`value:${tag}-follow-up-next`)) >= 1, { timeoutMs: 30_000, intervalMs: 500 });
    expect([await handlerRuns(byStep.recorded), await handlerRuns(byStep['follow-up']), await handlerRuns(`value:${tag}-follow-up-next`)]).toEqual([1, 1, 1]);
  }, 240_000);
});
