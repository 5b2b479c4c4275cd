import { inject } from 'vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { sentMail } from '../../lib/local/sent-mail.js';
import { client, unique, workerLogLines } from './support/deployed.js';
import { histogram, setWorkerEnvironment, waitUntilFinal } from './support/reliability.js';

/**
 * The duplicate rate of a provider without idempotency keys (SES) under worker kills: the test
 * worker's processes are killed at random moments of their batches (`TEST_KILLS`), while
 * email.send jobs — each guarded by ctx.once — send through the emulator's SES. A kill between
 * SES accepting a send and once storing it sends that email again; any other kill does not.
 */
/** `npm test` sends 100; `npm run reliability` 500 (JOBLINE_KILL_EMAILS). */
const EMAILS = Number(process.env.JOBLINE_KILL_EMAILS ?? 100);

describe('worker processes killed at random', () => {
  afterAll(async () => {
    await setWorkerEnvironment({ TEST_KILLS: undefined });
  });

  it(`${EMAILS} emails: every job succeeds, every address gets its email, and the duplicates are counted`, async () => {
    const since = new Date();
    // 30 % of batches, but only of messages received at most 3 times: a job is not killed on all 6
    // of email.send's attempts (then failed, "worker stopped responding"); one run without that
    // bound saw a job reach attempt 5.
    await setWorkerEnvironment({ TEST_KILLS: JSON.stringify({ chance: 0.3, withinMs: 400, maxReceives: 3 }) });
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
    console.log([
      `kills: ${EMAILS} emails, ${kills.length} worker processes killed at random`,
      `emails sent: ${mail.length}; duplicates: ${duplicates} (${((duplicates / EMAILS) * 100).toFixed(1)} % of jobs); emails per address: ${JSON.stringify(histogram(perAddress))}`,
      `attempts: ${JSON.stringify(histogram([...records.values()].map((r) => r.attempt)))}`,
    ].join('\n'));
    expect(kills.length).toBeGreaterThan(0);
    expect([...records.values()].filter((r) => r.status !== 'succeeded').map((r) => `${r.id} ${r.status}`)).toEqual([]);
    // Nothing lost: each address got its email. Duplicates only come from a kill inside once's window.
    expect(perAddress.filter((n) => n === 0)).toEqual([]);
    expect(duplicates).toBeLessThanOrEqual(kills.length * 10);
  }, 480_000);
});
