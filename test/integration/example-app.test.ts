import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobInspector } from 'jobline/inspector';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ENDPOINT } from '../../lib/local/emulator.js';
import { connectLocalApp, type LocalApp } from '../../lib/testing/local-app.js';
import { packJobline } from '../../scripts/lib/pack.js';
import { sentMail } from '../../lib/local/sent-mail.js';
import { stack as testStack, unique } from './support/deployed.js';
import { bareEnvironment } from './support/bare-environment.js';
import { waitFor } from './support/wait.js';

// The example app as a team would have it: a copy of examples/signup outside this repository,
// with jobline installed from the packed tarball (npm pack of the built package). Its own
// `npm test` deploys it to the emulator (jobline/testing's startLocalApp) and tests it there.
const EXAMPLE = new URL('../../examples/signup/', import.meta.url).pathname;
const endpoint = process.env.AWS_ENDPOINT_URL!;
let app: string;
let local: LocalApp;
let inspector: JobInspector;
let ownTests: string;

const run = (command: string, args: string[], options: { env?: NodeJS.ProcessEnv } = {}) =>
  execFileSync(command, args, { cwd: app, encoding: 'utf8', stdio: 'pipe', env: options.env ?? process.env });

/** The example stack's output whose key starts with `prefix`. */
const output = (prefix: string) => {
  const found = Object.entries(local.outputs()).find(([key]) => key.startsWith(prefix))?.[1];
  if (!found) throw new Error(`no ${prefix} output; outputs: ${Object.keys(local.outputs()).join(', ')}`);
  return found;
};

beforeAll(async () => {
  expect(testStack.stackName).toBe('JoblineTest'); // the shared setup ran: the emulator is up
  const tarball = packJobline();
  app = mkdtempSync(join(tmpdir(), 'jobline-example-'));
  cpSync(EXAMPLE, app, { recursive: true, filter: (source) => !/\/(node_modules|cdk\.out|\.jobline)(\/|$)/.test(source) });
  run('npm', ['pkg', 'set', `dependencies.jobline=file:${tarball}`]);
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error']);
  // As a developer runs it: no AWS settings at all (the harness finds the emulator on its default port).
  ownTests = run('npm', ['test'], { env: { ...bareEnvironment(), ...(endpoint === DEFAULT_ENDPOINT ? {} : { AWS_ENDPOINT_URL: endpoint }) } });
  local = connectLocalApp({ projectDir: app });
  inspector = local.inspector();
}, 900_000);

describe('the example app, which has only the packed package', () => {
  it('installed jobline from the tarball, not from this repository', () => {
    const resolved = run('node', ['--input-type=module', '-e', 'console.log(import.meta.resolve("jobline/cdk"))']).trim();
    expect(resolved).toBe(`file://${app}/node_modules/jobline/dist/infra/index.js`);
  });

  it('passes its own npm test: unit tests, and its integration test on the emulator written only with jobline/testing; and type-checks', () => {
    // node:test's summary: `# pass 8` from the TAP reporter, `ℹ pass 8` from the spec reporter (Node 23 on, everywhere).
    expect(Number(/[#ℹ] pass (\d+)/.exec(ownTests)?.[1])).toBeGreaterThanOrEqual(8);
    expect(ownTests).toMatch(/[#ℹ] fail 0\b/);
    expect(ownTests).toContain('signs a user up through the API, and the deployed worker sends one welcome email');
    expect(local.stacks).toEqual(['JoblineSignupExample']);
    run('npx', ['tsc', '--noEmit']);
  });

  it('signs a user up through its API (user and job in one transaction): one welcome email, sent by its own worker; a second sign-up is a 409 and writes and sends nothing', async () => {
    const email = `${unique('ada')}@example.com`.toLowerCase();
    const url = `${local.httpApiUrl(output('SignupApiId'))}/signup`;
    const signUp = () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, name: 'Ada' }) });

    const first = await signUp();
    expect(first.status).toBe(201);
    const { welcomeJobId } = (await first.json()) as { welcomeJobId: string };
    const job = await waitFor('the welcome job to succeed', async () => {
      const record = await inspector.get(welcomeJobId);
      return record?.status === 'succeeded' && record;
    });
    expect(job).toMatchObject({ kind: 'signup.welcome', attempt: 1, result: { sentTo: email } });

    const second = await signUp();
    expect(second.status).toBe(409);
    expect(await second.json()).toEqual({ error: `${email} has signed up already` });
    const mail = (await sentMail(endpoint)).filter((m) => m.To?.includes(email));
    expect(mail.map((m) => m.Subject)).toEqual(['Welcome, Ada']);
  });

  it('serves the web dashboard from the prebuilt function in the installed package, page and Chart.js included', async () => {
    const base = local.dashboards[0]!.url.replace(/\/$/, '');
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>jobline</title>');
    const chart = await fetch(`${base}/chart.js`);
    expect(chart.status).toBe(200);
    expect(await chart.text()).toContain('Chart');
    // The API behind it takes no anonymous calls.
    expect((await fetch(`${base}/api/lanes`)).status).toBe(401);
  });
});
