// The stepped worker is jobline's own fault-injection seam, deliberately not in jobline/worker.
// eslint-disable-next-line no-restricted-imports -- the one test-only import of lib/ from functions/
import { createSteppedWorker } from '../../lib/worker/create-worker.js';
import { defineHandler } from 'jobline/worker';
import { generateReport, importChunk, sendEmail } from '../jobs/definitions.js';
import { sendTemplatedEmail } from '../jobs/email-send.js';
import { importRows } from '../jobs/import-chunk.js';
import { startImportJob } from '../jobs/import-start.js';
import { makeReportHandler } from '../jobs/report-generate.js';
import { emailThenFail } from './definitions.js';
import { die, testHandlers } from './handlers.js';
import { traceToTestReceiver } from './tracing.js';

traceToTestReceiver('jobline-test-worker');

/**
 * `import.chunk` as in the reference app, except that in files whose name contains
 * `flaky-chunk` the chunk starting at line 2002 fails its first attempt (transiently).
 */
const flakyImportChunk = defineHandler(importChunk, async (chunk, ctx) => {
  if (chunk.key.includes('flaky-chunk') && chunk.firstLine === 2002 && ctx.attempt === 1) throw new Error('simulated read timeout on the first attempt');
  return importRows(chunk, ctx);
});

/**
 * Where this process's email.send jobs stand around their effect right now: the SES call made
 * ('sending': SES may or may not have accepted it yet), answered ('sent', with the message id SES
 * gave) and once's marker not yet stored, or the marker stored (or found) and the job's outcome
 * not yet recorded ('stored', with the message id once returned). A random kill names them (below): the kills test tells each duplicate
 * email by the kill that landed inside once's window ('sending' or 'sent'), and checks that a
 * kill after it ('stored') sent nothing twice.
 */
type EffectMark = { attempt: number } & ({ state: 'sending' } | { state: 'sent' | 'stored'; messageId: string | undefined });
const effectMarks = new Map<string, EffectMark>();
/** The attempt each job this invocation claimed is on (a random kill spares a batch holding a late attempt). */
const claimedAttempts = new Map<string, number>();

/** `email.send` as in the reference app, with both sides of its effect marked for the kills test. */
const markedSendEmail = defineHandler(sendEmail, (payload, ctx) => sendTemplatedEmail(payload, {
  ...ctx,
  once: async (key, fn, options) => {
    try {
      const result = await ctx.once(key, async () => {
        effectMarks.set(ctx.id, { attempt: ctx.attempt, state: 'sending' });
        armKillAtFirstSend?.();
        const sent = await fn();
        effectMarks.set(ctx.id, { attempt: ctx.attempt, state: 'sent', messageId: (sent as { messageId?: string }).messageId });
        return sent;
      }, options);
      // Also when once returned the stored result without sending: the message id it holds.
      effectMarks.set(ctx.id, { attempt: ctx.attempt, state: 'stored', messageId: (result as { messageId?: string }).messageId });
      return result;
    } catch (error) {
      effectMarks.delete(ctx.id);
      throw error;
    }
  },
}));

/**
 * The test stack's worker: the reference kinds plus the test-only kinds. Its reports notify
 * through test.email-then-fail (a real send whose first attempt then fails), so the tests can
 * see that retrying the email never reruns the report; its import chunks can fail once on cue.
 */
const worker = createSteppedWorker({
  jobs: [markedSendEmail, defineHandler(generateReport, makeReportHandler(emailThenFail)), startImportJob, flakyImportChunk, ...testHandlers],
  // test.crash-at dies at the attempt step its payload names, on its first attempt.
  // (A follow-up is written with its predecessor's success: "while enqueuing a follow-up" is after that write.)
  onStep: (step, job) => {
    if (step === 'recorded') effectMarks.delete(job.id);
    if (step === 'claimed') claimedAttempts.set(job.id, job.attempt);
    const asked = (job.payload as { step?: string }).step;
    const at = asked === 'follow-up' ? 'recorded' : asked === 'spawning' ? 'children-written' : asked;
    // Before the claim, the first delivery is the first attempt.
    const first = step === 'received' ? job.receiveCount === 1 : job.attempt === 1;
    if (job.kind === 'test.crash-at' && first && at === step) die(`at the attempt step "${step}"`, job.id);
  },
});

/**
 * Random kills for the reliability suite: with `TEST_KILLS` set, e.g.
 * {"chance":0.3,"withinMs":100,"from":"first-send"}, each invocation is killed (process.exit)
 * with that chance at a random moment within `withinMs` of its start, or (`from: "first-send"`)
 * of the moment its first email.send calls SES — wherever its jobs happen to be then: some
 * sending, some sent and storing once's marker, some recording their outcome, some not begun.
 * (Kills before any effect are crash-steps.test.ts's.) A batch is spared when a job it claimed is
 * past attempt `maxAttempt` (default 3), so that no job is killed on every one of its attempts — a
 * count of the message's receives would not do: a job waiting for a rate-limit turn is sent again
 * as a fresh message. The kill's log line names where email.send's jobs stood around their effect.
 */
const kills = process.env.TEST_KILLS ? (JSON.parse(process.env.TEST_KILLS) as { chance: number; withinMs: number; maxAttempt?: number; from?: 'start' | 'first-send' }) : undefined;
/** Set while an invocation that is to be killed from its first send has not sent yet. */
let armKillAtFirstSend: (() => void) | undefined;

export const handler: typeof worker = async (event, context) => {
  const afterMs = kills !== undefined && Math.random() < kills.chance ? Math.floor(Math.random() * kills.withinMs) : undefined;
  const from = kills?.from === 'first-send' ? 'the batch\'s first send' : 'its start';
  let kill: NodeJS.Timeout | undefined;
  const arm = () => {
    armKillAtFirstSend = undefined;
    kill = setTimeout(() => {
      if (Math.max(0, ...claimedAttempts.values()) > (kills?.maxAttempt ?? 3)) return;
      const marks = [...effectMarks].map(([job, mark]) => ({ job, ...mark }));
      console.error(`test: killing the worker process at random, ${afterMs} ms after ${from}, in a batch of ${event.Records.length}; email.send jobs around their effect: ${JSON.stringify(marks)}`);
      process.exit(1);
    }, afterMs);
  };
  if (afterMs !== undefined) {
    if (kills?.from === 'first-send') armKillAtFirstSend = arm;
    else arm();
  }
  try {
    return await worker(event, context);
  } finally {
    // A batch that finished first was not killed.
    armKillAtFirstSend = undefined;
    clearTimeout(kill);
    effectMarks.clear();
    claimedAttempts.clear();
  }
};
