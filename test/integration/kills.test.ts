import { inject } from 'vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { sentMail } from '../../lib/local/sent-mail.js';
import { client, unique, workerLogLines } from './support/deployed.js';
import { histogram, saveReliabilityFigures, setWorkerEnvironment, waitUntilFinal } from './support/reliability.js';

/**
 * Duplicate effects of a provider without idempotency keys (SES) under worker kills: the test
 * worker's processes are killed at random moments of their batches' sending (`TEST_KILLS`),
 * while email.send jobs — each guarded by ctx.once — send through the emulator's SES. Only a
 * kill inside once's window (the SES call made, once's marker not yet stored) may send an email
 * twice. The test worker marks both sides of the effect and each kill names where its batch's
 * jobs stood: "sending" (SES's answer not yet in), "sent" (SES answered with a message id; the
 * marker not yet stored) or "stored" (the marker stored, the outcome not yet recorded). Every
 * email is then told apart by its message id, and each duplicate must be a "sent" kill's email
 * or an email no attempt saw answered, at most one per "sending" kill; a "stored" kill must
 * never be followed by another send. How often a kill lands after the marker and before the
 * outcome (where a once that stored nothing would send again) is random and printed;
 * crash-steps.test.ts kills exactly there.
 */
/** `npm test` sends 100; `npm run reliability` 500 (JOBLINE_KILL_EMAILS). */
const EMAILS = Number(process.env.JOBLINE_KILL_EMAILS ?? 100);

describe('worker processes killed at random', () => {
  afterAll(async () => {
    await setWorkerEnvironment({ TEST_KILLS: undefined });
  });

  it(`${EMAILS} emails: every job succeeds, every address gets its email, and the duplicates are counted`, async () => {
    const since = new Date();
    // Half the batches, each at a random moment of the 40 ms from its first SES call (a batch's
    // records run together, so its sends, markers and outcomes fall in those milliseconds); only
    // batches whose claimed jobs are all on attempt 3 or earlier, so a job is not killed on all 6
    // of email.send's attempts (then failed, "worker stopped responding").
    await setWorkerEnvironment({ TEST_KILLS: JSON.stringify({ chance: 0.5, withinMs: 40, from: 'first-send', maxAttempt: 3 }) });
    const run = unique('kills');
    const addresses = Array.from({ length: EMAILS }, (_, i) => `${run}-${i}@example.com`);
    const ids: string[] = [];
    for (let i = 0; i < addresses.length; i += 25) {
      const jobs = await client.enqueueMany(addresses.slice(i, i + 25).map((to) => ({ job: 'email.send', payload: { to, template: 'welcome', variables: { name: 'Ada' } } })));
      ids.push(...jobs.map((j) => j.id));
    }
    const records = await waitUntilFinal(ids, 420_000);
    const kills = await workerLogLines('killing the worker process at random', since);
    const mail = (await sentMail(inject('endpoint'))).filter((m) => m.To?.some((to) => to.startsWith(run)));
    const perAddress = addresses.map((to) => mail.filter((m) => m.To?.includes(to)).length);
    const duplicates = perAddress.reduce((sum, n) => sum + Math.max(0, n - 1), 0);
    const marks = kills.flatMap(marksOf);
    const finalMessageId = (id: string) => (records.get(id)?.result as { messageId?: string } | undefined)?.messageId;
    // Every email sent is told apart by its message id: the one the job's result holds; one a
    // kill saw SES answer (a "sent" or "stored" mark); or one no attempt saw answered — an SES
    // call a kill cut off after SES had accepted it ("sending").
    const perJob = ids.map((id, i) => {
      const mine = marks.filter((m) => m.job === id);
      const seen = new Set(mine.flatMap((m) => (m.messageId ? [m.messageId] : [])));
      const extra = mail.filter((m) => m.To?.includes(addresses[i]!) && m.MessageId !== finalMessageId(id));
      return {
        id,
        // A kill between SES's answer and the marker: the retry found no marker and sent again.
        certain: extra.filter((m) => mine.some((k) => k.state === 'sent' && k.messageId === m.MessageId)).length,
        unseen: extra.filter((m) => !seen.has(m.MessageId ?? '')).length,
        sending: mine.filter((m) => m.state === 'sending').length,
        // Kills after the marker was stored: the retry must have found it and returned its result.
        storedThenResent: mine.filter((m) => m.state === 'stored' && m.messageId !== finalMessageId(id)).length,
        extra: extra.length,
      };
    });
    const sum = (pick: (j: (typeof perJob)[number]) => number) => perJob.reduce((total, j) => total + pick(j), 0);
    const stored = marks.filter((m) => m.state === 'stored');
    console.log([
      `kills: ${EMAILS} emails, ${kills.length} worker processes killed at random`,
      `emails sent: ${mail.length}; duplicates: ${duplicates} (${((duplicates / EMAILS) * 100).toFixed(1)} % of jobs); emails per address: ${JSON.stringify(histogram(perAddress))}`,
      `jobs a kill met: ${sum((j) => j.sending)} calling SES; ${marks.filter((m) => m.state === 'sent').length} after SES answered, before once stored its marker; ${stored.length} after the marker, before the outcome (${stored.filter((m) => (records.get(m.job)?.attempt ?? 0) > m.attempt).length} of these ran again)`,
      `duplicates by cause: ${sum((j) => j.certain)} killed between SES's answer and the marker, ${sum((j) => j.unseen)} killed while SES was being called (after it accepted)`,
      `attempts: ${JSON.stringify(histogram([...records.values()].map((r) => r.attempt)))}`,
    ].join('\n'));
    expect(kills.length).toBeGreaterThan(0);
    // A job that did not succeed is shown with its attempts and every error it met.
    expect([...records.values()].filter((r) => r.status !== 'succeeded')
      .map((r) => `${r.id} ${r.status} on attempt ${r.attempt}: ${JSON.stringify(r.errors?.map((e) => `${e.attempt}: ${e.class} ${e.message}`))}; kills met: ${JSON.stringify(marks.filter((m) => m.job === r.id))}`)).toEqual([]);
    // Nothing lost: each address got its email.
    expect(perAddress.filter((n) => n === 0)).toEqual([]);
    // Each duplicate is a kill inside once's window: SES answered and the marker was not yet
    // stored, or the call was cut off after SES accepted it (then at most one per such kill).
    expect(perJob.filter((j) => j.extra !== j.certain + j.unseen || j.unseen > j.sending)).toEqual([]);
    // A kill after the marker was stored never sent again: the rerun got the stored result (a once
    // that stored nothing would send again and store another message id).
    expect(perJob.filter((j) => j.storedThenResent > 0)).toEqual([]);
    saveReliabilityFigures('kills', {
      emails: EMAILS,
      kills: kills.length,
      emailsSent: mail.length,
      duplicates,
      killedWhileCallingSes: sum((j) => j.sending),
      killedAfterSesAnswered: marks.filter((m) => m.state === 'sent').length,
      killedAfterMarkerStored: stored.length,
      killedAfterMarkerStoredAndRanAgain: stored.filter((m) => (records.get(m.job)?.attempt ?? 0) > m.attempt).length,
      duplicatesKilledBetweenAnswerAndMarker: sum((j) => j.certain),
      duplicatesKilledWhileCallingSes: sum((j) => j.unseen),
      attempts: histogram([...records.values()].map((r) => r.attempt)),
    });
  }, 480_000);
});

/** Where a kill's log line says its batch's email.send jobs stood around their effect (the test worker's marks). */
function marksOf(line: string): { job: string; attempt: number; state: 'sending' | 'sent' | 'stored'; messageId?: string }[] {
  const marks = /around their effect: (\[.*\])/.exec(line)?.[1];
  if (marks === undefined) throw new Error(`a kill's log line names no marks: ${line}`);
  return JSON.parse(marks) as { job: string; attempt: number; state: 'sending' | 'sent' | 'stored'; messageId?: string }[];
}
