import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUi, type UiServer } from '../../web/local-server.js';
import { JobInspector } from '../../lib/inspector/job-inspector.js';
import type { KindCostReport } from '../../lib/cost/kind-costs.js';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { api, client, sqs, stack, stackOutput, unique, waitForStatus } from '../integration/support/deployed.js';
import { waitFor } from '../integration/support/wait.js';
import { launchChromium, SCREENSHOTS } from './support/browser.js';

const s3 = new S3Client({ forcePathStyle: true });


let browser: Browser;
let ui: UiServer;

beforeAll(async () => {
  browser = await launchChromium();
  ui = await startUi(new JobInspector({ config: stack.config, sqs }));
});

afterAll(async () => {
  await browser?.close();
  await ui?.close();
});

/** The action buttons the job detail shows. */
const visibleActions = (page: Page) => page.locator('#detail [data-action]:visible').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-action')));

/** A page showing job `id`'s detail, once it shows `status`. */
async function detailOf(id: string, status: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${ui.url}#job=${id}`);
  await page.locator('#detail-status', { hasText: status }).waitFor({ timeout: 20_000 });
  return page;
}

describe('the web dashboard in Chromium, against the deployed stack', () => {
  it('shows a failed job with its error history; its retry button turns it into a succeeded job', async () => {
    const job = await client.enqueue('test.fail-first', { note: `dashboard-${Date.now()}` });
    await waitForStatus(job.id, 'failed');
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on('dialog', (dialog) => void dialog.accept());

    await page.goto(ui.url);
    const row = page.locator(`#jobs tr[data-id="${job.id}"]`);
    await row.waitFor({ timeout: 20_000 });
    // The token left the address bar (history, bookmarks, shared screens) once the page had it.
    expect(page.url()).not.toContain('token');
    await expect(row.locator('td').nth(2).textContent()).resolves.toBe('failed');
    await page.locator('#lanes tbody tr').first().waitFor();
    // The state buttons carry their counts (at least this failed job).
    expect(await page.locator('#statuses button[data-status="failed"]').textContent()).toMatch(/^failed [1-9]\d*$/);
    await page.screenshot({ path: `${SCREENSHOTS}overview.png`, fullPage: true });
    expect(statSync(`${SCREENSHOTS}overview.png`).size).toBeGreaterThan(20_000);

    await row.click();
    await page.locator('#detail-errors li').first().waitFor();
    expect(await page.locator('#detail-errors').textContent()).toContain('PermanentError: fails on its first run');
    expect(await page.locator('#detail-payload').textContent()).toContain('dashboard-');

    await page.locator('#detail [data-action="retry"]').click();
    await page.locator('#detail-status', { hasText: 'succeeded' }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: `${SCREENSHOTS}job-retried.png`, fullPage: true });
    expect(await client.get(job.id)).toMatchObject({ status: 'succeeded', attempt: 1 });
  });

  it('offers only the actions a job\'s state allows, says why a failed job has no result, finds jobs by tag, and retries them all after a confirmation that states the count', async () => {
    const tag = `ui:${unique('t')}`;
    const failing = await client.enqueueMany(Array.from({ length: 3 }, (_, i) => ({ job: 'test.fail-first', payload: { note: `bulk-ui-${i}` }, options: { tags: [tag] } })));
    const fine = await client.enqueue('test.result', { bytes: 30 }, { tags: [tag] });
    await Promise.all([...failing.map((j) => waitForStatus(j.id, 'failed')), waitForStatus(fine.id, 'succeeded')]);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => { dialogs.push(dialog.message()); void dialog.accept(); });
    await page.goto(ui.url);
    await page.locator('#jobs tbody tr').first().waitFor({ timeout: 20_000 });

    // Tag search: the failed jobs of the tag, newest first; times as "… ago" with the exact time on hover.
    await page.locator('#tag').fill(tag);
    await page.locator('#tag').dispatchEvent('change');
    await waitFor('the tag\'s three failed jobs listed', async () => (await page.locator('#jobs tbody tr[data-id]').count()) === 3 || undefined, { timeoutMs: 20_000 });
    expect(new Set(await page.locator('#jobs tbody tr[data-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id'))))).toEqual(new Set(failing.map((j) => j.id)));
    const created = page.locator(`#jobs tr[data-id="${failing[0]!.id}"] td`).nth(4).locator('span');
    expect(await created.textContent()).toMatch(/ago$/);
    expect(await created.getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\dT/);

    // A failed job: Retry and Discard, no Cancel; its result section says why there is none (not {}).
    await page.locator(`#jobs tr[data-id="${failing[0]!.id}"]`).click();
    await page.locator('#detail-result-note', { hasText: 'failed on attempt 1: fails on its first run' }).waitFor({ timeout: 20_000 });
    expect(await page.locator('#detail [data-action]:visible').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-action')))).toEqual(['retry', 'discard']);
    expect(await page.locator('#detail-result').isHidden()).toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}failed-detail.png`, fullPage: true });
    // A succeeded job: no action at all, and its result.
    await page.goto(`${ui.url}#job=${fine.id}`);
    await page.locator('#detail-status', { hasText: 'succeeded' }).waitFor({ timeout: 20_000 });
    await page.locator('#detail-result', { hasText: '"blob"' }).waitFor();
    expect(await page.locator('#detail [data-action]:visible').count()).toBe(0);

    // Retry all: a confirmation that states the count, then every one of the three reruns and succeeds.
    await page.goto(ui.url);
    await page.locator('#tag').fill(tag);
    await page.locator('#tag').dispatchEvent('change');
    await page.locator('[data-bulk="retry"]').click();
    await waitFor('the bulk retry\'s report', async () => dialogs.find((d) => d.startsWith('retry: ')), { timeoutMs: 30_000 });
    expect(dialogs[0]).toMatch(/^retry 3 failed jobs \(tag ui:/);
    expect(dialogs[1]).toBe('retry: 3 of 3 done');
    await Promise.all(failing.map((j) => waitForStatus(j.id, 'succeeded')));
    await page.screenshot({ path: `${SCREENSHOTS}bulk-retried.png`, fullPage: true });
  });

  it('names the trace a job was enqueued in (tracing on), and shows no trace line for one enqueued without tracing', async () => {
    const traceId = randomBytes(16).toString('hex');
    const reply = await api.enqueue({ kind: 'test.echo', payload: { value: unique('ui-traced') } }, { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
    expect(reply, JSON.stringify(reply.body)).toMatchObject({ status: 202 });
    const tracedId = (reply.body as { id: string }).id;
    await waitForStatus(tracedId, 'succeeded');
    const traced = await detailOf(tracedId, 'succeeded');
    expect(await traced.locator('#detail-trace').textContent()).toBe(`trace: ${traceId}`);
    const { id } = await client.enqueue('test.echo', { value: unique('ui-untraced') });
    await waitForStatus(id, 'succeeded');
    const untraced = await detailOf(id, 'succeeded');
    expect(await untraced.locator('#detail-trace').isHidden()).toBe(true);
  });

  it('says in the job detail what a job held back by a rate limit waits for', async () => {
    const tenant = unique('ui-rate');
    const jobs = await client.enqueueMany(Array.from({ length: 6 }, () => ({ job: 'test.rate-limited', payload: { tenant } })));
    const last = jobs.at(-1)!;
    await waitFor('the last job to note its wait', async () => (await client.get(last.id))?.waitingFor, { timeoutMs: 30_000, intervalMs: 250 });
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${ui.url}#job=${last.id}`);
    const waiting = page.locator('#detail-waiting');
    await waiting.waitFor({ timeout: 20_000 });
    expect(await waiting.textContent()).toContain(`Flow control: waits for its turn under its rate limit (key "${tenant}") until`);
    // Queued, held back: it can be cancelled, nothing else.
    expect(await page.locator('#detail-status').textContent()).toBe('queued');
    expect(await visibleActions(page)).toEqual(['cancel']);
    await page.screenshot({ path: `${SCREENSHOTS}job-waiting.png`, fullPage: true });
  });

  it('shows each kind\'s jobs and estimated AWS cost per day, as the API serves them', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // The page shows what GET /api/kinds answered (the server shares one answer for 30 s: earlier tests' pages may have read it).
    const served = page.waitForResponse((response) => new URL(response.url()).pathname.endsWith('/api/kinds'));
    await page.goto(ui.url);
    const report = await (await served).json() as KindCostReport;
    const priced = report.kinds.find((k) => k.kind === 'test.priced-tags')!;
    const row = page.locator('#kinds tr[data-kind="test.priced-tags"]');
    await row.waitFor({ timeout: 20_000 });
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(0, 3)).toEqual(['test.priced-tags', 'default', 'full']);
    expect(cells[3]).toBe(Math.round(priced.jobsPerDay).toLocaleString('en-US'));
    // The kind's path price: two tags, as the inspector prices it on its own.
    expect(cells[6]).toBe(`$${priced.dollarsPerMillion.toFixed(2)}`);
    const own = (await new JobInspector({ config: stack.config, sqs }).kindCosts()).kinds.find((k) => k.kind === 'test.priced-tags')!;
    expect(priced.dollarsPerMillion).toBeCloseTo(own.dollarsPerMillion, 6);
    expect(await page.locator('#kinds tbody tr').count()).toBe(Object.keys(stack.config.cost!.kinds).length);
    expect(await page.locator('#kinds-basis').textContent()).toContain('EMF log lines');
    expect(await page.locator('#kinds-notes li').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('per-path units as jobline\'s cost benchmark measured them')]));
    await page.locator('#kinds-section').screenshot({ path: `${SCREENSHOTS}kind-costs.png` });
  });

  it('offers each state\'s actions and no others: scheduled, running, waiting, retrying and cancelled jobs', async () => {
    const run = unique('ui-states');
    const child = { tenant: run, lock: `${run}-a`, holdMs: 7000 };
    const [scheduled, running, parent, retrying] = await Promise.all([
      client.enqueue('test.echo', { value: run }, { delaySeconds: 3600 }),
      client.enqueue('test.child', { ...child, lock: `${run}-b` }),
      client.enqueue('test.parent', { children: [child] }),
      client.enqueue('test.slow-retry', { run }),
    ]);
    // Running and waiting last the children's 7 s: looked at first.
    await Promise.all([waitForStatus(running.id, 'running'), waitForStatus(parent.id, 'waiting')]);
    for (const [id, status] of [[running.id, 'running'], [parent.id, 'waiting']] as const) {
      const page = await detailOf(id, status);
      expect(await visibleActions(page), status).toEqual([]);
      await page.close();
    }
    await waitForStatus(retrying.id, 'retrying');
    const retryingPage = await detailOf(retrying.id, 'retrying');
    expect(await visibleActions(retryingPage)).toEqual(['cancel']);
    await retryingPage.screenshot({ path: `${SCREENSHOTS}retrying-detail.png`, fullPage: true });
    const scheduledPage = await detailOf(scheduled.id, 'scheduled');
    expect(await visibleActions(scheduledPage)).toEqual(['cancel']);
    // Its Cancel button, confirmed: the job is cancelled, and then offers Retry and Discard.
    scheduledPage.on('dialog', (dialog) => void dialog.accept());
    await scheduledPage.locator('#detail [data-action="cancel"]').click();
    await scheduledPage.locator('#detail-status', { hasText: 'cancelled' }).waitFor({ timeout: 20_000 });
    expect(await visibleActions(scheduledPage)).toEqual(['retry', 'discard']);
    expect(await client.get(scheduled.id)).toMatchObject({ status: 'cancelled' });
    await scheduledPage.screenshot({ path: `${SCREENSHOTS}cancelled-detail.png`, fullPage: true });
    await client.cancel(retrying.id);
  });

  it('pages long lists: 60 jobs of one tag, and a parent\'s 55 children', async () => {
    const customer = unique('ui-pages');
    const run = unique('ui-kids');
    const [parent, ...tagged] = await client.enqueueMany([
      { job: 'test.parent', payload: { children: Array.from({ length: 55 }, (_, i) => ({ tenant: run, lock: `${run}-${i}` })) } },
      ...Array.from({ length: 60 }, () => ({ job: 'test.result', payload: { bytes: 20, customer } })),
    ]);
    await Promise.all([parent!, ...tagged].map((job) => waitForStatus(job.id, 'succeeded', 120_000)));
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(ui.url);
    await page.locator('#statuses button[data-status="succeeded"]').click();
    await page.locator('#tag').fill(`customer:${customer}`);
    await page.locator('#tag').dispatchEvent('change');
    const rows = page.locator('#jobs tbody tr[data-id]');
    const label = page.locator('#jobs-pager [data-page="label"]');
    const ids = new Set(tagged.map((job) => job.id));
    const shown = () => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')!));
    // The tag's first page: 50 of its jobs (the succeeded listing before the tag was typed had 50 rows too).
    await waitFor('the tag\'s first page', async () => {
      const now = await shown();
      return now.length === 50 && now.every((id) => ids.has(id)) || undefined;
    }, { timeoutMs: 20_000, intervalMs: 200 });
    await label.filter({ hasText: 'page 1 (50 jobs)' }).waitFor({ timeout: 20_000 });
    // No bulk action applies to succeeded jobs (the API's transition table, from GET /api/me).
    expect(await page.locator('[data-bulk]:visible').count()).toBe(0);
    const first = new Set(await shown());
    expect(first.size).toBe(50);
    expect(await page.locator('#jobs-pager [data-page="newer"]').isHidden()).toBe(true);
    await page.locator('#jobs-pager [data-page="older"]').click();
    await label.filter({ hasText: 'page 2 (10 jobs)' }).waitFor({ timeout: 20_000 });
    const second = await shown();
    // The two pages together are the 60 jobs, each once.
    expect(second).toHaveLength(10);
    expect(new Set([...first, ...second])).toEqual(ids);
    expect(await page.locator('#jobs-pager [data-page="older"]').isHidden()).toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}jobs-page-2.png`, fullPage: true });
    await page.locator('#jobs-pager [data-page="newer"]').click();
    await label.filter({ hasText: 'page 1 (50 jobs)' }).waitFor({ timeout: 20_000 });

    await page.goto(`${ui.url}#job=${parent!.id}`);
    const childLabel = page.locator('#children-pager [data-page="label"]');
    await childLabel.filter({ hasText: 'page 1 (50 of 55 children)' }).waitFor({ timeout: 20_000 });
    expect(await page.locator('#detail-children-list tbody tr').count()).toBe(50);
    await page.locator('#children-pager [data-page="older"]').click();
    await childLabel.filter({ hasText: 'page 2 (5 of 55 children)' }).waitFor({ timeout: 20_000 });
    expect(await page.locator('#detail-children-list tbody tr').count()).toBe(5);
    await page.screenshot({ path: `${SCREENSHOTS}children-page-2.png`, fullPage: true });
  });

  it('refuses API calls without the token', async () => {
    const response = await fetch(new URL('/api/lanes', ui.url));
    expect(response.status).toBe(401);
  });

  it('shows an import\'s progress and its children in the job detail', async () => {
    const tag = `ui${Date.now()}`;
    const rows = Array.from({ length: 600 }, (_, i) => `${tag}-${i}@example.com,Person ${i},GB,2999-01-0${1 + (i % 5)}`);
    const key = `imports/${tag}.csv`;
    await s3.send(new PutObjectCommand({ Bucket: stackOutput('FilesBucket'), Key: key, Body: `email,name,country,signed_up_on\n${rows.join('\n')}\n` }));
    const parent = await client.enqueue('import.start', { fileId: tag, key, uploadedBy: 'ada@example.com' });
    await waitForStatus(parent.id, 'succeeded');

    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${ui.url}#job=${parent.id}`);
    await page.locator('#detail-children-list tbody tr').nth(1).waitFor({ timeout: 20_000 });
    expect(await page.locator('#detail-children').textContent()).toContain('Children: 2 of 2 done, 0 failed');
    expect([await page.locator('#detail-progress').getAttribute('value'), await page.locator('#detail-progress').getAttribute('max')]).toEqual(['2', '2']);
    expect(await page.locator('#detail-children-list tbody tr').count()).toBe(2);
    expect(await page.locator('#detail-children-list tbody').textContent()).toContain('"imported":500');
    await page.screenshot({ path: `${SCREENSHOTS}import-detail.png`, fullPage: true });
  });
});
