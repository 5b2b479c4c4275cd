import { describe, expect, it } from 'vitest';
import { client, handlerRuns, unique, waitForStatus, workerLogLines } from './support/deployed.js';
import { waitFor } from './support/wait.js';

/**
 * The worker process dies (process.exit) at each step of an attempt, on the first attempt of a
 * test.crash-at job: the whole batch comes back after the lane's visibility timeout (60 s in the
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
    // Inside ctx.once before the side effect: the effect happens once.
    expect(await handlerRuns(`effect:${tag}-once-before-effect`)).toBe(1);
    // Inside ctx.once after the side effect, before once stored it: the effect happens again — the window the README states.
    expect(await handlerRuns(`effect:${tag}-once-after-effect`)).toBe(2);
    expect(records.heartbeat!.attempt).toBe(2);
    // Inside ctx.spawn, children written but not sent: the retried parent finds their records and sends them; each ran once.
    expect(records.spawning).toMatchObject({ attempt: 2, childrenTotal: 2, childrenDone: 2, childrenFailed: 0 });
    expect(await handlerRuns(`value:${tag}-spawning-a`)).toBe(1);
    expect(await handlerRuns(`value:${tag}-spawning-b`)).toBe(1);
    // After spawning children: the retried parent spawns the same children (ids derive from it); each ran once.
    expect(records.spawned).toMatchObject({ childrenTotal: 2, childrenDone: 2, childrenFailed: 0 });
    expect(await handlerRuns(`value:${tag}-spawned-a`)).toBe(1);
    expect(await handlerRuns(`value:${tag}-spawned-b`)).toBe(1);
    // After the success that wrote the follow-up: one follow-up, run once.
    expect([records['follow-up']!.attempt, runs['follow-up']]).toEqual([1, 1]);
    const followUpRan = async () => handlerRuns(`value:${tag}-follow-up-next`);
    await expect.poll(followUpRan, { timeout: 30_000 }).toBe(1);
  }, 240_000);
});
