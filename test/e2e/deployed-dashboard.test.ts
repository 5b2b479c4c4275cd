import { statSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureOperator } from '../../lib/local/local-operator.js';
import { client, stack, unique, waitForStatus } from '../integration/support/deployed.js';
import { launchChromium, SCREENSHOTS } from './support/browser.js';

const dashboardUrl = stack.dashboardUrl!;
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/** An operator in the dashboard's user pool, as an administrator adds one. */
async function operator(): Promise<{ username: string; password: string }> {
  const username = unique('operator');
  const password = `Pw-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  await ensureOperator(stack.dashboardUserPoolId!, { username, password });
  return { username, password };
}

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

  it('signs an operator in; they see the lanes and a failed job, retry it to success, and pause and resume the lane', async () => {
    const { username, password } = await operator();
    const job = await client.enqueue('test.fail-first', { note: `deployed-dashboard-${Date.now()}` });
    await waitForStatus(job.id, 'failed');

    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on('dialog', (dialog) => void dialog.accept());
    // Every request body the page sends: the password must be in none of them.
    const bodies: string[] = [];
    page.on('request', (request) => { const body = request.postData(); if (body) bodies.push(body); });
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
