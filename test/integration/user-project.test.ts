import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ENDPOINT } from '../../lib/local/emulator.js';
import { packJobline } from '../../scripts/lib/pack.js';
import { bareEnvironment } from './support/bare-environment.js';
import { stack as testStack } from './support/deployed.js';
import { waitFor } from './support/wait.js';

// A team's own app, which has only the packed package: an empty folder, `npm install` of the
// tarball and the CDK, a stack with a kind this repository does not define, then the
// package's own commands — `jobline deploy --local`, the CLI, and a test file of the app's
// written with jobline/testing — run as a developer runs them: with no AWS settings at all.
const ROOT = new URL('../../', import.meta.url).pathname;
const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const pinned = (name: string) => `${name}@${own.devDependencies[name]}`;
const endpoint = process.env.AWS_ENDPOINT_URL!;
let app: string;
let deployOutput: string;

/** No AWS variables; the emulator is found on its default port (told only when this run's emulator is elsewhere). */
const developerEnvironment = () => ({ ...bareEnvironment(), ...(endpoint === DEFAULT_ENDPOINT ? {} : { AWS_ENDPOINT_URL: endpoint }) });
const inApp = (command: string, args: string[]) => spawnSync(command, args, { cwd: app, encoding: 'utf8', env: developerEnvironment() });

const FILES: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'greeter', private: true, type: 'module', scripts: { test: 'node --test test/*.test.mjs', 'test:vitest': 'vitest run' } }, null, 2),
  'cdk.json': JSON.stringify({ app: 'node src/app.mjs' }),
  'src/jobs.mjs': `
import * as z from 'zod';
import { defineJob } from 'jobline';
export const compose = defineJob({ kind: 'greeting.compose', schema: z.object({ name: z.string().min(1) }), retry: { maxAttempts: 2, backoffBaseSeconds: 1 }, timeoutSeconds: 10 });
export const refuse = defineJob({ kind: 'greeting.refuse', schema: z.object({ name: z.string() }), timeoutSeconds: 10 });
`,
  'src/worker.mjs': `
import { PermanentError } from 'jobline';
import { createWorker, defineHandler } from 'jobline/worker';
import { compose, refuse } from './jobs.mjs';
export const handler = createWorker({ jobs: [
  defineHandler(compose, async ({ name }, ctx) => ({ greeting: 'Hello, ' + name, attempt: ctx.attempt })),
  defineHandler(refuse, async ({ name }) => { throw new PermanentError('no greeting for ' + name); }),
] });
`,
  'src/app.mjs': `
import { fileURLToPath } from 'node:url';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { JobQueue } from 'jobline/cdk';
import { compose, refuse } from './jobs.mjs';
const app = new App();
const stack = new Stack(app, 'GreeterApp');
new JobQueue(stack, 'Jobs', { jobs: [compose, refuse], worker: { entry: fileURLToPath(new URL('./worker.mjs', import.meta.url)) }, removalPolicy: RemovalPolicy.DESTROY });
app.synth();
`,
  // The same harness under vitest: a global setup deploys once, the test file connects.
  'vitest.config.mjs': `
import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { include: ['vitest/**/*.test.mjs'], globalSetup: ['vitest/local-app.mjs'], testTimeout: 60000, hookTimeout: 600000 } });
`,
  'vitest/local-app.mjs': `
import { startLocalApp } from 'jobline/testing';
export default async function setup() {
  const app = await startLocalApp();
  return () => app.stop();
}
`,
  'vitest/greeting.test.mjs': `
import { expect, test } from 'vitest';
import { connectLocalApp } from 'jobline/testing';
import { compose } from '../src/jobs.mjs';
const app = connectLocalApp();
test('a greeting runs on the deployed worker (vitest)', async () => {
  const { id } = await app.client({ jobs: [compose] }).enqueue(compose, { name: 'Grace' });
  expect((await app.waitForJob(id, 'succeeded')).result).toEqual({ greeting: 'Hello, Grace', attempt: 1 });
});
`,
  'test/greeting.test.mjs': `
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startLocalApp } from 'jobline/testing';
import { compose, refuse } from '../src/jobs.mjs';

let app;
before(async () => { app = await startLocalApp(); }, { timeout: 600000 });
after(async () => { await app?.stop(); });

test('a greeting runs on the deployed worker', async () => {
  const client = app.client({ jobs: [compose, refuse] });
  const { id } = await client.enqueue(compose, { name: 'Ada' });
  const record = await app.waitForJob(id, 'succeeded');
  assert.deepEqual(record.result, { greeting: 'Hello, Ada', attempt: 1 });
  console.log('greeted ' + id);
});

test('a refused greeting fails and its message waits in the DLQ', async () => {
  const client = app.client({ jobs: [compose, refuse] });
  const { id } = await client.enqueue(refuse, { name: 'Eve' });
  const record = await app.waitForJob(id, 'failed');
  assert.equal(record.lastError.message, 'no greeting for Eve');
  const dead = await app.deadLetters();
  const copy = dead.find((m) => m.attributes['jobline.id'] === id);
  assert.ok(copy, 'the DLQ holds the failed job');
  // The app never imports jobline/tracing: no creation context is kept, on the record or the message.
  assert.equal(record.trace, undefined);
  assert.ok(!copy.body.includes('"trace"'), copy.body);
});
`,
};

beforeAll(() => {
  expect(testStack.stackName).toBe('JoblineTest'); // the shared setup ran: the emulator is up
  const tarball = packJobline();
  app = mkdtempSync(join(tmpdir(), 'jobline-user-app-'));
  for (const [file, content] of Object.entries(FILES)) {
    mkdirSync(join(app, file, '..'), { recursive: true });
    writeFileSync(join(app, file), content);
  }
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball, pinned('aws-cdk-lib'), pinned('constructs'), pinned('zod'), pinned('aws-cdk'), pinned('esbuild'), pinned('vitest')], { cwd: app, stdio: 'pipe' });
  const deployed = inApp(join(app, 'node_modules', '.bin', 'jobline'), ['deploy', '--local']);
  deployOutput = deployed.stdout + deployed.stderr;
  expect(deployed.status, deployOutput).toBe(0);
}, 900_000);

describe('a user\'s own app, with only the packed package', () => {
  it('deploys with `jobline deploy --local`: the app\'s stack, the emulator\'s fix-ups (the table\'s TTL on), and the environment file', async () => {
    expect(deployOutput).toContain(`GreeterApp on the local emulator at ${endpoint}`);
    expect(deployOutput).toContain('queue Jobs: lanes default');
    const environment = JSON.parse(readFileSync(join(app, '.jobline', 'environment.json'), 'utf8')) as { endpoint: string; stacks: Record<string, { queues: Record<string, { config: { tableName: string } }> }> };
    expect(environment.endpoint).toBe(endpoint);
    expect(Object.keys(environment.stacks)).toEqual(['GreeterApp']);
    const { tableName } = environment.stacks.GreeterApp!.queues.Jobs!.config;
    // ministack's CloudFormation drops a table's TimeToLiveSpecification: the local deploy turns it on.
    const ttl = await new DynamoDBClient({}).send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
  });

  it('runs the app\'s own test file, written with jobline/testing: a job succeeds on the deployed worker, a refused one lands in the DLQ', () => {
    const tested = inApp('npm', ['test']);
    const output = tested.stdout + tested.stderr;
    expect(tested.status, output).toBe(0);
    // node:test's summary: `# pass 2` from the TAP reporter, `ℹ pass 2` from the spec reporter (Node 23 on, everywhere).
    expect(output).toMatch(/[#ℹ] pass 2\b/);
    expect(output).toMatch(/[#ℹ] fail 0\b/);
  });

  it('lists the app\'s jobs with its CLI, no AWS settings: the stack found from the environment file, and who enqueued named', () => {
    const listed = inApp(join(app, 'node_modules', '.bin', 'jobline'), ['jobs', 'ls', '--kind', 'greeting.compose']);
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stderr).toBe(`jobline: the local emulator at ${endpoint} (us-east-1, from ${join(app, '.jobline', 'environment.json')}), stack GreeterApp (queue Jobs)\n`);
    const id = /^(\w{26})\s+greeting\.compose\s+succeeded/m.exec(listed.stdout)?.[1];
    expect(id, listed.stdout).toBeDefined();
    const shown = inApp(join(app, 'node_modules', '.bin', 'jobline'), ['jobs', 'show', id!]);
    expect(shown.stdout).toMatch(/ {2}by {8}\S+ pid \d+/);
    expect(shown.stdout).not.toContain('unknown');
    const dead = inApp(join(app, 'node_modules', '.bin', 'jobline'), ['dlq', 'ls']);
    expect(dead.stdout).toMatch(/greeting\.refuse\s+1\s+.*no greeting for Eve/);
  });

  it('prices the app\'s kinds from its worker\'s metrics (`jobline kinds`), and answers deploy as JSON for scripts', async () => {
    type Report = { source: string; kinds: Array<{ kind: string; tracking: string; traffic: { succeeded: number; failed: number }; dollarsPerMillion: number }> };
    // The worker's metric lines reach its log group after the jobs' records say they finished.
    const report = await waitFor('the app\'s kinds priced with their traffic', async () => {
      const kinds = inApp(join(app, 'node_modules', '.bin', 'jobline'), ['--json', 'kinds']);
      expect(kinds.status, kinds.stderr).toBe(0);
      const now = JSON.parse(kinds.stdout) as Report;
      return now.kinds.some((k) => k.kind === 'greeting.refuse' && k.traffic.failed >= 1) && now.kinds.some((k) => k.kind === 'greeting.compose' && k.traffic.succeeded >= 1) ? now : undefined;
    }, { timeoutMs: 30_000, intervalMs: 1000 });
    expect(report.source).toContain('EMF log lines');
    const compose = report.kinds.find((k) => k.kind === 'greeting.compose')!;
    // The app's own test ran one greeting to success (and one refused to the DLQ).
    expect(compose.traffic.succeeded).toBeGreaterThanOrEqual(1);
    expect(compose.dollarsPerMillion).toBeGreaterThan(0);
    expect(report.kinds.find((k) => k.kind === 'greeting.refuse')!.traffic.failed).toBeGreaterThanOrEqual(1);

    const again = inApp(join(app, 'node_modules', '.bin', 'jobline'), ['--json', 'deploy', '--local']);
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      endpoint,
      region: 'us-east-1',
      environmentFile: join(app, '.jobline', 'environment.json'),
      emulatorStarted: false,
      stacks: [{ stackName: 'GreeterApp', queues: [{ queueId: 'Jobs', lanes: ['default'], tableName: expect.any(String) }], dashboards: [] }],
    });
  }, 300_000);
});
