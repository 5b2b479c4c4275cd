import { PermanentError } from 'jobline';
import { defineHandler } from 'jobline/worker';
import type { JobContext } from 'jobline/worker';
import { sendTemplatedEmail } from '../jobs/email-send.js';
import { traced, tracedChild, tracedNext, slowRetry, pricedRetry, pricedTags, sizedResult, alwaysFails, crash, cron, dispatchFlaky, echo, emailThenFail, failFirst, flaky, hang, heartbeat, heartbeatOnce, permanent, limited, uniqueEcho, rateLimited, rateSharded, debounced, redacted, crashAt, chaos, fromClaim, outcomeOnly, child, parentOf, staleWriter } from './definitions.js';
import { recordRun, recordSpan, runsOf } from './probe.js';

const echoHandler = async ({ value, holdMs }: { value: string; holdMs: number }, ctx: JobContext) => {
  await Promise.all([recordRun(ctx.id, ctx.attempt), recordRun(`value:${value}`, ctx.attempt)]);
  if (holdMs > 0) await new Promise((resolve) => setTimeout(resolve, holdMs));
  // The Node that ran it: the suite checks it is the one the construct deploys.
  return { echo: value, node: process.version };
};

export const echoJob = defineHandler(echo, echoHandler);

export const pricedTagsJob = defineHandler(pricedTags, async () => {});
export const slowRetryJob = defineHandler(slowRetry, async (_payload, ctx) => {
  if (ctx.attempt === 1) throw new Error('fails its first attempt (transient); the retry comes 20 s later');
});
export const pricedRetryJob = defineHandler(pricedRetry, async (_payload, ctx) => {
  if (ctx.attempt === 1) throw new Error('fails its first attempt (transient), as bench:cost\'s "one retry" path does');
});

export const limitedJob = defineHandler(limited, async ({ holdMs, crashOnFirstAttempt }, ctx) => {
  const startedAt = Date.now();
  await recordRun(ctx.id, ctx.attempt);
  if (crashOnFirstAttempt && ctx.attempt === 1) {
    ctx.logger.warn('test.limited: exiting the worker process while holding a concurrency slot');
    process.exit(1);
  }
  await new Promise((resolve) => setTimeout(resolve, holdMs));
  await recordSpan(ctx.id, startedAt, Date.now());
  return { heldMs: holdMs };
});
export const rateLimitedJob = defineHandler(rateLimited, async (_, ctx) => {
  const startedAt = Date.now();
  await Promise.all([recordRun(ctx.id, ctx.attempt), recordSpan(ctx.id, startedAt, startedAt)]);
  return { startedAt };
});
export const rateShardedJob = defineHandler(rateSharded, async (_, ctx) => {
  const startedAt = Date.now();
  await recordSpan(ctx.id, startedAt, startedAt);
  return { startedAt };
});
export const debouncedJob = defineHandler(debounced, async ({ key, seq }, ctx) => {
  await recordRun(`debounced:${key}`, ctx.attempt);
  return { seq };
});
export const redactedJob = defineHandler(redacted, async ({ email, note }, ctx) => {
  await recordRun(`redacted:${email}`, ctx.attempt);
  // "deliver": reports progress and returns a result that both name the address.
  if (note === 'deliver') {
    await ctx.heartbeat({ sending: email, step: 1 });
    return { sentTo: email, email, summary: `delivered to ${email}` };
  }
  throw new PermanentError(`cannot reach ${email}: mailbox unavailable`);
});
/** Ends the worker process on a job's first attempt (what a crash, an OOM kill or a Lambda timeout does). */
export function die(reason: string, jobId: string): never {
  console.error(`test: exiting the worker process ${reason} (job ${jobId})`);
  process.exit(1);
}

export const crashAtJob = defineHandler(crashAt, async ({ step, tag }, ctx) => {
  await recordRun(ctx.id, ctx.attempt);
  const first = ctx.attempt === 1;
  if (step === 'once-before-effect' || step === 'once-after-effect') {
    // A once key is shared by every job that uses it: this job's own.
    await ctx.once(`effect:${tag}`, async () => {
      if (first && step === 'once-before-effect') die('inside ctx.once, before the side effect', ctx.id);
      await recordRun(`effect:${tag}`, ctx.attempt);
      if (first && step === 'once-after-effect') die('inside ctx.once, after the side effect', ctx.id);
    });
  }
  if (step === 'heartbeat') {
    await ctx.heartbeat({ beat: 1 });
    if (first) die('right after a heartbeat', ctx.id);
  }
  if (step === 'spawning') await ctx.spawn(echo, [{ value: `${tag}-a` }, { value: `${tag}-b` }]);
  if (step === 'spawned') {
    await ctx.spawn(echo, [{ value: `${tag}-a` }, { value: `${tag}-b` }]);
    if (first) die('after spawning children, before the parent\'s outcome', ctx.id);
  }
  if (step === 'follow-up') ctx.then(echo, { value: `${tag}-next` });
  return { tag };
});
export const chaosJob = defineHandler(chaos, async ({ tag, failFirst, children, followUp }, ctx) => {
  await recordRun(ctx.id, ctx.attempt);
  await ctx.once(`chaos:${ctx.id}`, () => recordRun(`effect:${ctx.id}`, ctx.attempt));
  if (failFirst && ctx.attempt === 1) throw new Error('test.chaos: planned transient failure of the first attempt');
  if (children > 0) await ctx.spawn(echo, Array.from({ length: children }, (_, i) => ({ value: `${tag}-child-${i}` })));
  if (followUp) ctx.then(echo, { value: `${tag}-next` });
  return { tag };
});

export const uniqueEchoJob = defineHandler(uniqueEcho, echoHandler);
export const fromClaimJob = defineHandler(fromClaim, echoHandler);
export const outcomeOnlyJob = defineHandler(outcomeOnly, echoHandler);
export const dispatchFlakyJob = defineHandler(dispatchFlaky, echoHandler);

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function beatAndStall({ beats, intervalMs, stallAfterBeats }: { beats: number; intervalMs: number; stallAfterBeats?: number | undefined }, ctx: JobContext) {
  await recordRun(ctx.id, ctx.attempt);
  for (let done = 0; done < beats; done++) {
    if (ctx.attempt === 1 && done === stallAfterBeats) {
      ctx.logger.warn('test.heartbeat: stalling without heartbeats');
      await sleep(60_000);
    }
    await ctx.heartbeat({ done, total: beats });
    await sleep(intervalMs);
  }
  await ctx.heartbeat({ done: beats, total: beats });
  return { beats, attempt: ctx.attempt };
}

export const heartbeatJob = defineHandler(heartbeat, beatAndStall);
export const heartbeatOnceJob = defineHandler(heartbeatOnce, beatAndStall);

export const hangJob = defineHandler(hang, async ({ hangOnAttempts }, ctx) => {
  await recordRun(ctx.id, ctx.attempt);
  if (ctx.attempt <= hangOnAttempts) await new Promise(() => {});
  return { attempt: ctx.attempt };
});

export const cronJob = defineHandler(cron, async ({ note }, ctx) => {
  await recordRun(ctx.id, ctx.attempt);
  return { note };
});

export const emailThenFailJob = defineHandler(emailThenFail, async (payload, ctx) => {
  const sent = await sendTemplatedEmail(payload, ctx);
  if (ctx.attempt === 1) throw new Error('the worker failed right after sending');
  return sent;
});

export const failFirstJob = defineHandler(failFirst, async ({ note }, ctx) => {
  if ((await recordRun(ctx.id, ctx.attempt)) === 1) throw new PermanentError(`fails on its first run (${note})`);
  return { note };
});

export const childJob = defineHandler(child, async ({ lock, fail, holdMs, after }, ctx) => {
  const runs = await recordRun(ctx.id, ctx.attempt);
  await recordRun(`started:${lock}`, ctx.attempt);
  for (const until = Date.now() + 5000; after !== undefined && Date.now() < until && (await runsOf(`started:${after}`)) === 0;) await sleep(100);
  if (fail === 'always' || (fail === 'first' && runs === 1)) throw new PermanentError(`test.child: fails on run ${runs} (${fail})`);
  if (holdMs > 0) await sleep(holdMs);
  return { held: holdMs };
});

export const parentOfJob = defineHandler(parentOf, async ({ children, failFast }, ctx) => {
  await recordRun(ctx.id, ctx.attempt);
  await ctx.spawn(child, children, { failFast });
  return { spawned: children.length };
});

export const staleWriterJob = defineHandler(staleWriter, async ({ holdMs }, ctx) => {
  const run = await recordRun(ctx.id, ctx.attempt);
  if (run === 1) {
    ctx.logger.warn('test.stale-writer: stalling without heartbeats, past the lease');
    const until = Date.now() + 8000;
    while (Date.now() < until && (await runsOf(ctx.id)) < 2) await sleep(200);
    // Marked, so the test knows this write met the second run's claim.
    if ((await runsOf(ctx.id)) >= 2) await recordRun(`woke:${ctx.id}`, ctx.attempt);
    throw new PermanentError('test.stale-writer: the first run woke after its lease and fails');
  }
  for (let held = 0; held < holdMs; held += 500) {
    await ctx.heartbeat({ held });
    await sleep(500);
  }
  return { run };
});

/** Every test-only kind, bound to its handler. */
export const sizedResultJob = defineHandler(sizedResult, async ({ bytes, holdMs, fail }) => {
  await new Promise((resolve) => setTimeout(resolve, holdMs));
  if (fail) throw new PermanentError(`asked to fail after ${holdMs} ms`);
  // {"blob":""} is 11 bytes of JSON: the blob makes up the rest.
  return { blob: 'x'.repeat(bytes - 11) };
});

/** A traced request: its first attempt fails, its second spawns two children; the first child has a follow-up. */
export const tracedJob = defineHandler(traced, async ({ run }, ctx) => {
  if (ctx.attempt === 1) throw new Error('test.traced fails its first attempt');
  await ctx.spawn(tracedChild, [{ run, index: 0 }, { run, index: 1 }]);
});
export const tracedChildJob = defineHandler(tracedChild, async ({ run, index }, ctx) => {
  if (index === 0) ctx.then(tracedNext, { run });
});
export const tracedNextJob = defineHandler(tracedNext, async () => undefined);

export const testHandlers = [tracedJob, tracedChildJob, tracedNextJob, slowRetryJob, pricedTagsJob, pricedRetryJob, sizedResultJob, failFirstJob, emailThenFailJob, echoJob, flakyJob, permanentJob, alwaysFailsJob, crashJob, heartbeatJob, heartbeatOnceJob, hangJob, cronJob, uniqueEchoJob, dispatchFlakyJob, limitedJob, rateLimitedJob, rateShardedJob, debouncedJob, redactedJob, crashAtJob, chaosJob, fromClaimJob, outcomeOnlyJob, childJob, parentOfJob, staleWriterJob];
