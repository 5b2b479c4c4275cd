import { PermanentError } from '../../lib/errors.js';
import { defineHandler } from '../../lib/worker/job-handler.js';
import { alwaysFails, crash, echo, flaky, permanent } from './definitions.js';
import { recordRun, runsOf } from './probe.js';

export const echoJob = defineHandler(echo, async ({ value, holdMs }, ctx) => {
  await Promise.all([recordRun(ctx.id, ctx.attempt), recordRun(`value:${value}`, ctx.attempt)]);
  if (holdMs > 0) await new Promise((resolve) => setTimeout(resolve, holdMs));
  return { echo: value };
});

export const flakyJob = defineHandler(flaky, async ({ failTimes }, ctx) => {
  await recordRun(ctx.id, ctx.attempt);
  if (ctx.attempt <= failTimes) throw new Error(`flaky failure on attempt ${ctx.attempt} of ${failTimes} planned`);
  return { attempts: ctx.attempt };
});

export const permanentJob = defineHandler(permanent, async ({ reason }, ctx) => {
  await recordRun(ctx.id, ctx.attempt);
  throw new PermanentError(reason);
});

export const alwaysFailsJob = defineHandler(alwaysFails, async (_payload, ctx) => {
  await recordRun(ctx.id, ctx.attempt);
  throw new Error(`transient failure on attempt ${ctx.attempt}`);
});

export const crashJob = defineHandler(crash, async ({ waitForValues }, ctx) => {
  const runs = await recordRun(ctx.id, ctx.attempt);
  if (runs > 1) return { recoveredOnAttempt: ctx.attempt };
  // Let the other jobs of this batch finish first, so their redelivery shows they are not run again.
  while (!ctx.signal.aborted) {
    const counts = await Promise.all(waitForValues.map((value) => runsOf(`value:${value}`)));
    if (counts.every((count) => count > 0)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  ctx.logger.warn('test.crash: exiting the worker process mid-batch');
  process.exit(1);
});

/** Every test-only kind, bound to its handler. */
export const testHandlers = [echoJob, flakyJob, permanentJob, alwaysFailsJob, crashJob];
