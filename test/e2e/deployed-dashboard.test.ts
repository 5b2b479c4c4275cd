import { statSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DYNAMODB_CALLS_HEADER } from '../../functions/web-dashboard.js';
import { newJobId } from '../../lib/job-id.js';
import { client, stack, unique, waitForStatus } from '../integration/support/deployed.js';
import { launchChromium, SCREENSHOTS } from './support/browser.js';
import { dashboardUser, signIn } from './support/sign-in.js';

const dashboardUrl = stack.dashboardUrl!;
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/** An operator in the dashboard's user pool, as an administrator adds one. */
const operator = () => dashboardUser(stack.dashboardUserPoolId!, 'operator');

/** Calls the dashboard's API with an ID token. */
const callApi = (token: string, method: string, path: string) => fetch(new URL(`api${path}`, dashboardUrl), { method, headers: { authorization: `Bearer ${token}` } });

describe('who may do what on the deployed dashboard (real Cognito tokens, groups in the ID token)', () => {
  const views = ['/me', '/lanes', '/stats', '/counts', '/kinds', '/jobs?status=failed', '/jobs'];
  const actions = (id: string) => [`/jobs/${id}/retry`, `/jobs/${id}/cancel`, `/jobs/${id}/discard`, '/lanes/default/pause', '/lanes/default/resume', '/lanes/default/redrive'];

  it('answers 403 to a signed-in user in neither group, on every view and every action, and changes nothing', async () => {
    const token = await signIn(dashboardUrl, await dashboardUser(stack.dashboardUserPoolId!, 'none'));
    const job = await client.enqueue('test.echo', { value: unique('no-group') }, { delaySeconds: 3600 });
    for (const path of [...views, `/jobs/${job.id}`]) {
      const answer = await callApi(token, 'GET', path);
      expect([path, answer.status]).toEqual([path, 403]);
      expect((await answer.json() as { error: string }).error).toContain('in neither the "jobline-operators" group');
    }
    for (const path of actions(job.id)) expect([path, (await callApi(token, 'POST', path)).status]).toEqual([path, 403]);
    expect(await client.get(job.id)).toMatchObject({ status: 'scheduled' });
  });

  it('lets a viewer read every view but act on nothing (403), and an operator act', async () => {
    const viewer = await signIn(dashboardUrl, await dashboardUser(stack.dashboardUserPoolId!, 'viewer'));
    const job = await client.enqueue('test.echo', { value: unique('viewer') }, { delaySeconds: 3600 });
    for (const path of [...views, `/jobs/${job.id}`]) expect([path, (await callApi(viewer, 'GET', path)).status]).toEqual([path, 200]);
    expect(await (await callApi(viewer, 'GET', '/me')).json()).toMatchObject({ role: 'viewer' });
    for (const path of actions(job.id)) {
      const answer = await callApi(viewer, 'POST', path);
      expect([path, answer.status]).toEqual([path, 403]);
      expect(await answer.json()).toEqual({ error: `only an operator may POST /api${path}; you may view` });
    }
    expect(await client.get(job.id)).toMatchObject({ status: 'scheduled' });

    const operatorToken = await signIn(dashboardUrl, await operator());
    expect(await (await callApi(operatorToken, 'GET', '/me')).json()).toMatchObject({ role: 'operator' });
    const cancelled = await callApi(operatorToken, 'POST', `/jobs/${job.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(await client.get(job.id)).toMatchObject({ status: 'cancelled' });
  });

  it('prices each kind (GET /kinds) with the cost profiles of the queue\'s config output, which its 4 KB of environment cannot hold', async () => {
    const viewer = await signIn(dashboardUrl, await dashboardUser(stack.dashboardUserPoolId!, 'viewer'));
    const answer = await callApi(viewer, 'GET', '/kinds');
    expect(answer.status).toBe(200);
    const report = await answer.json() as { unavailable?: string; source: string; kinds: Array<{ kind: string; tracking: string; dollarsPerMillion: number }> };
    expect(report.unavailable).toBeUndefined();
    expect(report.kinds.map((k) => k.kind)).toEqual(stack.config.kinds);
    expect(report.kinds.find((k) => k.kind === 'test.outcome')).toMatchObject({ tracking: 'outcome' });
    expect(report.kinds.find((k) => k.kind === 'test.priced-tags')!.dollarsPerMillion).toBeGreaterThan(report.kinds.find((k) => k.kind === 'test.echo')!.dollarsPerMillion);
  });

  it('answers bad input with 4xx and a plain reason, never 500 (real tokens, deployed function)', async () => {
    const token = await signIn(dashboardUrl, await operator());
    for (const [method, path, status] of [
      ['GET', '/jobs?before=000', 400], ['GET', '/jobs?parent=x%27%22', 400], ['GET', '/jobs/%E0%A4%A', 400], ['GET', `/jobs/${newJobId(4)}`, 404],
      ['POST', '/lanes/constructor/pause', 404], ['POST', '/lanes/__proto__/resume', 404], ['GET', '/nope', 404],
    ] as const) {
      const answer = await callApi(token, method, path);
      expect([path, answer.status]).toEqual([path, status]);
      expect(JSON.stringify(await answer.json())).not.toMatch(/ValidationException|URI malformed|at .*\.js|arn:aws/);
    }
  });

  it('reads counts and stats once per half minute however many tabs ask: a second call takes no DynamoDB call', async () => {
    const token = await signIn(dashboardUrl, await operator());
    for (const path of ['/counts', '/stats']) {
      const calls = async () => {
        const header = (await callApi(token, 'GET', path)).headers.get(DYNAMODB_CALLS_HEADER);
        expect(header).toMatch(/^\d+$/);
        return Number(header);
      };
      const first = await calls();
      const second = await calls();
      console.log(`dashboard ${path}: ${first} DynamoDB calls, then ${second} within 30 s`);
      // 0 when the first call's answer is fresh (this test's own or an earlier one within 30 s); a count reads 5 × shards otherwise.
      expect(second).toBe(0);
    }
  });

  it('sends CSP, X-Frame-Options, nosniff and no referrer with the page and the API', async () => {
    const token = await signIn(dashboardUrl, await operator());
    for (const answer of [await fetch(dashboardUrl), await fetch(new URL('app.js', dashboardUrl)), await callApi(token, 'GET', '/lanes')]) {
      expect(answer.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'; style-src 'self';.*frame-ancestors 'none'/);
      expect(answer.headers.get('x-frame-options')).toBe('DENY');
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });
});

describe('the deployed web dashboard (API Gateway, Cognito sign-in) in Chromium', () => {
  it('serves the page to anyone, but its API only to signed-in operators', async () => {
    expect(dashboardUrl).toBeDefined();
    const page = await fetch(dashboardUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>jobline</title>');
    expect((await fetch(new URL('api/lanes', dashboardUrl))).status).toBe(401);
    const forged = await fetch(new URL('api/lanes', dashboardUrl), { headers: { authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl' } });
    expect(forged.status).toBe(401);
  });

  it('shows a viewer the lanes and jobs but no action button', async () => {
    const { username, password } = await dashboardUser(stack.dashboardUserPoolId!, 'viewer');
    const page = await browser.newPage();
    await page.goto(dashboardUrl);
    await page.fill('#login [name="username"]', username);
    await page.fill('#login [name="password"]', password);
    await page.click('#login button[type="submit"]');
    await page.locator('#lanes tbody tr').first().waitFor({ timeout: 20_000 });
    await page.locator('#role', { hasText: 'view only' }).waitFor();
    expect(await page.locator('#lanes button[data-action]').count()).toBeGreaterThan(0);
    for (const button of await page.locator('[data-action]').all()) expect(await button.isVisible()).toBe(false);
    await page.close();
  });

  it('signs an operator in; they see the lanes and a failed job, retry it to success, and pause and resume the lane', async () => {
    const { username, password } = await operator();
    const job = await client.enqueue('test.fail-first', { note: `deployed-dashboard-${Date.now()}` });
    await waitForStatus(job.id, 'failed');

    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on('dialog', (dialog) => void dialog.accept());
    // Every request body the page sends: the password must be in none of them.
    const bodies: string[] = [];
    page.on('request', (request) => { const body = request.postData(); if (body) bodies.push(body); });
    // The DynamoDB calls each API answer took (the function says so in a header), in order.
    const calls: Array<{ path: string; calls: number; at: number }> = [];
    page.on('response', (response) => {
      const count = response.headers()[DYNAMODB_CALLS_HEADER];
      if (count !== undefined) calls.push({ path: new URL(response.url()).pathname.replace(/^.*\/api/, ''), calls: Number(count), at: Date.now() });
    });
    const violations: string[] = [];
    page.on('console', (message) => { if (/Content[- ]Security[- ]Policy/i.test(message.text())) violations.push(message.text()); });
    await page.goto(dashboardUrl);
    await page.locator('#login').waitFor();
    expect(await page.locator('main').isHidden()).toBe(true);

    await page.fill('#login [name="username"]', username);
    await page.fill('#login [name="password"]', 'not-the-password');
    await page.click('#login button[type="submit"]');
    await page.locator('#login-error', { hasText: /./ }).waitFor();

    await page.fill('#login [name="password"]', password);
    await page.click('#login button[type="submit"]');
    await page.locator('#lanes tbody tr').first().waitFor({ timeout: 20_000 });
    expect(await page.locator('#lanes tbody tr').first().locator('td').first().textContent()).toBe('default');
    // SRP: Cognito got a proof of each password tried, never the password.
    expect(bodies.some((body) => body.includes('"AuthFlow":"USER_SRP_AUTH"'))).toBe(true);
    expect(bodies.some((body) => body.includes('PASSWORD_CLAIM_SIGNATURE'))).toBe(true);
    expect(bodies.filter((body) => body.includes(password) || body.includes('not-the-password'))).toEqual([]);
    const row = page.locator(`#jobs tr[data-id="${job.id}"]`);
    await row.waitFor({ timeout: 20_000 });
    // What a page load costs, and what each 3-second refresh after it costs (stats and counts are reused for 30 s).
    const loadCalls = calls.filter((c) => ['/me', '/counts', '/lanes', '/stats', '/jobs'].includes(c.path)).slice(0, 5);
    expect(loadCalls.map((c) => c.path).sort()).toEqual(['/counts', '/jobs', '/lanes', '/me', '/stats']);
    const seen = calls.length;
    await expect.poll(() => calls.slice(seen).filter((c) => c.path === '/jobs').length, { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(() => calls.slice(seen).filter((c) => c.path === '/lanes').length, { timeout: 15_000 }).toBeGreaterThan(0);
    const refreshCalls = calls.slice(seen).filter((c) => c.path === '/jobs' || c.path === '/lanes').slice(0, 2);
    const sum = (list: typeof calls) => list.reduce((total, c) => total + c.calls, 0);
    const shards = stack.config.shardCount;
    console.log(`dashboard DynamoDB calls with ${shards} shards: page load ${sum(loadCalls)} (${loadCalls.map((c) => `${c.path} ${c.calls}`).join(', ')}); refresh ${sum(refreshCalls)} (${refreshCalls.map((c) => `${c.path} ${c.calls}`).join(', ')})`);
    // Bounds a dashboard without the 30 s reuse would cross: a count alone reads 5 statuses × the shards, the chart 2 × the shards.
    expect(sum(loadCalls)).toBeLessThanOrEqual(10 * shards + 5);
    expect(sum(refreshCalls)).toBeLessThanOrEqual(2 * shards + 2);
    expect(violations).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}deployed-overview.png`, fullPage: true });
    expect(statSync(`${SCREENSHOTS}deployed-overview.png`).size).toBeGreaterThan(20_000);

    await row.click();
    await page.locator('#detail-errors li').first().waitFor();
    await page.locator('#detail [data-action="retry"]').click();
    await page.locator('#detail-status', { hasText: 'succeeded' }).waitFor({ timeout: 30_000 });
    expect(await client.get(job.id)).toMatchObject({ status: 'succeeded', attempt: 1 });

    // Pause the lane from the page, then resume it.
    const lane = page.locator('#lanes tbody tr').first();
    await lane.locator('button[data-action="pause"]').click();
    await lane.locator('td', { hasText: /^yes$/ }).waitFor({ timeout: 20_000 });
    await lane.locator('button[data-action="resume"]').click();
    await lane.locator('td', { hasText: /^no$/ }).waitFor({ timeout: 20_000 });

    // An expired ID token is refreshed with the refresh token, and the page carries on signed in.
    const expired = `${btoa('{"alg":"none"}')}.${btoa(JSON.stringify({ sub: 'x', exp: 1, iat: 0 }))}.x`;
    await page.evaluate(`for (const key of Object.keys(sessionStorage)) if (/\\.(idToken|accessToken)$/.test(key)) sessionStorage.setItem(key, ${JSON.stringify(expired)})`);
    await expect.poll(() => bodies.filter((body) => body.includes('REFRESH_TOKEN_AUTH')).length, { timeout: 15_000 }).toBeGreaterThan(0);
    const refreshedAt = await page.locator('#refreshed').textContent();
    await page.locator('#refreshed', { hasNotText: refreshedAt ?? '' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('#refreshed').textContent()).toMatch(/^updated/);
    expect(await page.locator('main').isHidden()).toBe(false);

    await page.click('#sign-out');
    await page.locator('#login').waitFor();
  });
});
