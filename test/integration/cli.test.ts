import { execFile, spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CloudFormationClient, CreateStackCommand, DeleteStackCommand, waitUntilStackCreateComplete } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createJobTables } from '../../scripts/lib/job-tables.js';
import { client, stack, unique, waitForStatus } from './support/deployed.js';
import { bareEnvironment } from './support/bare-environment.js';
import { waitFor } from './support/wait.js';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;

/** Runs the compiled CLI (as `node_modules/.bin/jobline` would) in `cwd` with `env`; returns its exit code and output. */
async function cli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [`${ROOT}dist/cli/jobline.js`, ...args], { env: options.env ?? process.env, cwd: options.cwd ?? ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Runs the CLI against the test stack. */
const jobline = (...args: string[]) => cli(['--stack', 'JoblineTest', ...args]);


/** A project folder (a package.json) holding what `jobline deploy --local` leaves for the CLI. */
function projectWithLocalEnvironment(environment: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'jobline-cli-'));
  writeFileSync(join(dir, 'package.json'), '{}');
  mkdirSync(join(dir, '.jobline'));
  writeFileSync(join(dir, '.jobline', 'environment.json'), JSON.stringify(environment));
  mkdirSync(join(dir, 'src'));
  return dir;
}

describe('the jobline CLI against the deployed stack', () => {
  it('shows what a job held back by flow control waits for', async () => {
    const tenant = unique('cli-rate');
    // 5 per 10 s: the 4th and later jobs' turns are more than 2 s off, so they wait with a note on their record.
    const jobs = await client.enqueueMany(Array.from({ length: 6 }, () => ({ job: 'test.rate-limited', payload: { tenant } })));
    const last = jobs.at(-1)!;
    await waitFor('the last job to note its wait', async () => (await client.get(last.id))?.waitingFor, { timeoutMs: 30_000, intervalMs: 250 });
    const shown = await jobline('jobs', 'show', last.id);
    expect(shown.stdout).toMatch(new RegExp(`waiting +waits for its turn under its rate limit \\(key "${tenant}"\\) until \\d{4}-`));
    await waitForStatus(last.id, 'succeeded');
    expect((await jobline('jobs', 'show', last.id)).stdout).not.toContain('waiting ');
  });

  it('lists, shows and retries jobs, reports lanes, and explains bad input', async () => {
    const job = await client.enqueue('test.fail-first', { note: `cli-${Date.now()}` });
    await waitForStatus(job.id, 'failed');

    const listed = await jobline('--json', 'jobs', 'ls', '--status', 'failed', '--kind', 'test.fail-first', '--limit', '1000');
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { jobs: Array<{ id: string }> }).jobs.map((j) => j.id)).toContain(job.id);

    // An id in any case is the same id (a pasted lower-case one too).
    const shown = await jobline('jobs', 'show', job.id.toLowerCase());
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`${job.id}  test.fail-first  failed  attempt 1/1`);
    expect(shown.stdout).toContain('PermanentError: fails on its first run');

    const retried = await jobline('--json', 'jobs', 'retry', job.id);
    expect(JSON.parse(retried.stdout)).toEqual([{ id: job.id, ok: true }]);
    await waitForStatus(job.id, 'succeeded');

    const recent = await jobline('--json', 'jobs', 'ls', '--status', 'succeeded', '--since', '10m', '--limit', '1000');
    expect((JSON.parse(recent.stdout) as { jobs: Array<{ id: string }> }).jobs.map((j) => j.id)).toContain(job.id);
    // Without --status: the most recent jobs of every status, as an aligned table without quotes or an index column.
    const latest = await jobline('jobs', 'ls', '--kind', 'test.fail-first', '--since', '10m', '--limit', '1000');
    expect(latest.stdout).toMatch(/^id +kind +status +attempt +age/);
    expect(latest.stdout).toMatch(new RegExp(`^${job.id}  test\\.fail-first +succeeded +\\d+/\\d+`, 'm'));
    expect(latest.stdout).not.toMatch(/['"│┌]|\(index\)/);
    expect(latest.stderr).toBe(`jobline: AWS at ${process.env.AWS_ENDPOINT_URL} in ${process.env.AWS_REGION}, stack JoblineTest (queue Jobs)\n`);
    const counts = JSON.parse((await jobline('--json', 'jobs', 'count', '--since', '1h')).stdout) as { lanes: Record<string, Record<string, number>> };
    expect(counts.lanes.default).toMatchObject({ failed: expect.any(Number), cancelled: expect.any(Number) });
    const badSince = await jobline('jobs', 'count', '--since', 'yesterday');
    expect(badSince).toMatchObject({ code: 2, stderr: expect.stringContaining("option '--since <age>' argument 'yesterday' is invalid. must be a number followed by m, h or d") });

    const lanes = JSON.parse((await jobline('--json', 'lanes')).stdout) as Array<{ lane: string; paused: boolean }>;
    expect(lanes).toEqual([expect.objectContaining({ lane: 'default', paused: false })]);
    expect((await jobline('lanes')).stdout).toMatch(/lane.*waiting.*in flight.*delayed.*oldest job.*dead letters.*paused/);

    const missing = await jobline('jobs', 'show', '01M80VT4N002GN3JWN515DN8JQ');
    // Exit codes a script can act on: 3 not found, 2 bad input (see cli/exit-codes.ts).
    expect(missing).toMatchObject({ code: 3, stderr: expect.stringContaining('jobline: no job 01M80VT4N002GN3JWN515DN8JQ') });
    const badId = await jobline('jobs', 'retry', 'not-an-id');
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain('"not-an-id" is not a job id');
    const badFilter = await jobline('jobs', 'ls', '--status', 'done');
    expect(badFilter).toMatchObject({ code: 2, stderr: expect.stringContaining("argument 'done' is invalid. Allowed choices are scheduled, queued, running") });
    // A kind the queue does not run is named, with the kinds it does (from the stack output's config).
    const typo = await jobline('jobs', 'ls', '--kind', 'test.fail-frist');
    expect(typo).toMatchObject({ code: 3, stdout: '' });
    expect(typo.stderr).toMatch(/jobline: "test\.fail-frist" is not a kind of this queue; its kinds: .*test\.fail-first/);
    const help = await jobline('--help');
    expect(help).toMatchObject({ code: 0, stdout: expect.stringMatching(/Exit codes:\n {2}0 {2}done\n/) });
  });

  it('cancels, discards, peeks at and redrives the DLQ by kind, and pauses and resumes a lane', async () => {
    const stamp = Date.now();
    const later = await client.enqueue('test.echo', { value: `cli-cancel-${stamp}` }, { delaySeconds: 60 });
    expect(JSON.parse((await jobline('--json', 'jobs', 'cancel', later.id)).stdout)).toEqual([{ id: later.id, ok: true }]);
    expect(await client.get(later.id)).toMatchObject({ status: 'cancelled' });

    const [redrive, stay, discard] = await client.enqueueMany([
      { job: 'test.fail-first', payload: { note: `cli-redrive-${stamp}` } },
      { job: 'test.permanent', payload: { reason: `cli-stay-${stamp}` } },
      { job: 'test.permanent', payload: { reason: `cli-discard-${stamp}` } },
    ]);
    await Promise.all([redrive, stay, discard].map((j) => waitForStatus(j!.id, 'failed')));
    expect((await jobline('jobs', 'discard', discard!.id)).stdout).toContain(`discard: ${discard!.id} ok`);
    expect(await client.get(discard!.id)).toBeUndefined();

    // The stack has one lane: dlq ls takes it without being told.
    const peeked = JSON.parse((await jobline('--json', 'dlq', 'ls', '--limit', '100')).stdout) as Array<{ attributes: Record<string, string> }>;
    expect(peeked.map((m) => m.attributes['jobline.id'])).toEqual(expect.arrayContaining([redrive!.id, stay!.id]));
    const report = JSON.parse((await jobline('--json', 'dlq', 'redrive', 'default', '--kind', 'test.fail-first')).stdout) as { moved: number };
    expect(report.moved).toBeGreaterThanOrEqual(1);
    await waitForStatus(redrive!.id, 'succeeded');
    expect(await client.get(stay!.id)).toMatchObject({ status: 'failed' });

    expect((await jobline('pause', 'default')).stdout).toContain('lane default paused');
    try {
      const lanes = JSON.parse((await jobline('--json', 'lanes')).stdout) as Array<{ paused: boolean }>;
      expect(lanes[0]!.paused).toBe(true);
    } finally {
      expect((await jobline('resume', 'default')).stdout).toContain('lane default resumed');
    }
    expect(await jobline('pause', 'nope')).toMatchObject({ code: 3, stderr: expect.stringContaining('jobline: no lane "nope"; lanes: default') });
  });

  it('serves the dashboard with `ui` and, with --json, says where as one JSON line', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const child = spawn('node', [`${ROOT}dist/cli/jobline.js`, '--stack', 'JoblineTest', '--json', 'ui', '--port', String(port)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString('utf8');
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        child.once('exit', (code) => reject(new Error(`jobline ui exited with ${code}`)));
      });
      const { url } = JSON.parse(line) as { url: string };
      expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/\\?token=`));
      expect((await fetch(url)).status).toBe(200);
    } finally {
      child.kill();
    }
  });

  it('says what to set when the endpoint is unreachable or the stack unknown', async () => {
    const unreachable = await cli(['--stack', 'JoblineTest', 'lanes'], { env: { ...process.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' } });
    expect(unreachable.code).toBe(4);
    expect(unreachable.stderr).toBe('jobline: cannot reach AWS at http://127.0.0.1:9 (ECONNREFUSED): is AWS_ENDPOINT_URL right, and is the emulator running?\n');
    const unknown = await cli(['--stack', 'NoSuchStack', 'lanes']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toBe(`jobline: no stack "NoSuchStack" with a jobline queue in ${process.env.AWS_REGION} at ${process.env.AWS_ENDPOINT_URL}: choose one with --stack <name> (or JOBLINE_STACK)\n`);
  });

  it('finds the one queue of a region by itself; lists two and says how to choose; says how to deploy when there is none', async () => {
    // A region of its own, with stacks that hold only a JoblineConfig output (and a real jobs table for the listing).
    const region = 'eu-west-2';
    const env = { ...process.env, AWS_REGION: region, AWS_DEFAULT_REGION: region };
    const where = `in ${region} at ${process.env.AWS_ENDPOINT_URL}`;
    const cwd = mkdtempSync(join(tmpdir(), 'jobline-cli-'));
    const none = await cli(['jobs', 'ls'], { cwd, env });
    expect(none).toMatchObject({ code: 3, stdout: '' });
    expect(none.stderr).toBe(`jobline: no stack ${where} has a jobline queue (an output named JoblineConfig…): deploy one (\`npx jobline deploy --local\` for the local emulator, \`npx cdk deploy\` for AWS), or set JOBLINE_CONFIG to a queue's config\n`);

    const tables = await createJobTables(new DynamoDBClient({ region }), 'cli-discovery');
    try {
      await createConfigStack(region, 'DiscoveryOne', { ...stack.config, tableName: tables.tableName });
      const one = await cli(['jobs', 'ls'], { cwd, env });
      expect(one).toMatchObject({ code: 0, stdout: '(no jobs)\n', stderr: `jobline: AWS at ${process.env.AWS_ENDPOINT_URL} in ${region}, stack DiscoveryOne (queue Jobs)\n` });
      // A queue without an enqueue API: the error names the construct's option that adds one.
      const enqueue = await cli(['enqueue', 'test.echo', '{}'], { cwd, env });
      expect(enqueue.stderr).toContain("stack DiscoveryOne has no enqueue API: give its JobQueue `api: { entry: 'src/api.ts' }`");

      await createConfigStack(region, 'DiscoveryTwo', { ...stack.config, tableName: tables.tableName });
      const two = await cli(['jobs', 'ls'], { cwd, env });
      expect(two.code).toBe(3);
      expect(two.stderr).toBe(`jobline: 2 jobline queues ${where}: DiscoveryOne (queue Jobs), DiscoveryTwo (queue Jobs); choose one with --stack <name> (or JOBLINE_STACK)\n`);
      const chosen = await cli(['--stack', 'DiscoveryTwo', 'jobs', 'ls'], { cwd, env });
      expect(chosen).toMatchObject({ code: 0, stderr: `jobline: AWS at ${process.env.AWS_ENDPOINT_URL} in ${region}, stack DiscoveryTwo (queue Jobs)\n` });
    } finally {
      const cloudformation = new CloudFormationClient({ region });
      await Promise.all(['DiscoveryOne', 'DiscoveryTwo'].map((name) => cloudformation.send(new DeleteStackCommand({ StackName: name }))));
      await tables.drop();
    }
  });

  it('finds the local emulator and its stack from .jobline/environment.json (what jobline deploy --local leaves), from the project or below it', async () => {
    const project = projectWithLocalEnvironment(localEnvironment(process.env.AWS_ENDPOINT_URL!, 'JoblineTest'));
    const lanes = await cli(['--json', 'lanes'], { cwd: join(project, 'src'), env: bareEnvironment() });
    expect(lanes.stderr).toBe(`jobline: the local emulator at ${process.env.AWS_ENDPOINT_URL} (${process.env.AWS_REGION}, from ${join(project, '.jobline', 'environment.json')}), stack JoblineTest (queue Jobs)\n`);
    expect(JSON.parse(lanes.stdout)).toEqual([expect.objectContaining({ lane: 'default' })]);
    // An emulator that restarted has forgotten the stacks the file names: the CLI says to deploy again.
    const stale = projectWithLocalEnvironment(localEnvironment(process.env.AWS_ENDPOINT_URL!, 'GoneSinceRestart'));
    const forgotten = await cli(['lanes'], { cwd: stale, env: bareEnvironment() });
    expect(forgotten.code).toBe(3);
    expect(forgotten.stderr).toBe(`jobline: none of the stacks ${join(stale, '.jobline', 'environment.json')} names (GoneSinceRestart) is deployed at ${process.env.AWS_ENDPOINT_URL} (an emulator forgets its stacks when it stops): run \`npx jobline deploy --local\` again\n`);
  });

  it('never lets the environment file send requests off this machine, nor use it when the caller chose a target', async () => {
    const planted = projectWithLocalEnvironment(localEnvironment('https://collector.example', 'JoblineTest'));
    const refused = await cli(['lanes'], { cwd: planted, env: { ...bareEnvironment(), HOME: planted } });
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toContain('names the endpoint "https://collector.example", which is not on this machine');
    // An endpoint set by the caller chooses the target: the file is ignored, and the first line says so.
    const ignored = await cli(['--stack', 'JoblineTest', 'lanes'], { cwd: planted, env: process.env });
    expect(ignored.code).toBe(0);
    expect(ignored.stderr).toContain(`.jobline/environment.json is ignored: AWS_ENDPOINT_URL is set`);
  });

  it('says what to set, not what the SDK threw, with no credentials, no region, or a stopped emulator', async () => {
    const nowhere = mkdtempSync(join(tmpdir(), 'jobline-cli-'));
    const noRegion = await cli(['lanes'], { cwd: nowhere, env: { ...bareEnvironment(), HOME: nowhere } });
    expect(noRegion).toMatchObject({ code: 4, stdout: '' });
    expect(noRegion.stderr).toMatch(/^jobline: no AWS region: set AWS_REGION .*run `npx jobline deploy --local` in your project first/);
    const noCredentials = await cli(['lanes'], { cwd: nowhere, env: { ...bareEnvironment(), HOME: nowhere, AWS_REGION: 'us-east-1' } });
    expect(noCredentials.code).toBe(4);
    expect(noCredentials.stderr).toMatch(/^jobline: no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; for the local emulator/);
    const stopped = projectWithLocalEnvironment(localEnvironment('http://127.0.0.1:9', 'Jobline'));
    const unreachable = await cli(['lanes'], { cwd: stopped, env: bareEnvironment() });
    expect(unreachable.code).toBe(4);
    expect(unreachable.stderr).toBe(`jobline: cannot reach the local emulator at http://127.0.0.1:9 (ECONNREFUSED), named in ${join(stopped, '.jobline', 'environment.json')}: start it with \`npx jobline emulator start\` and deploy again with \`npx jobline deploy --local\`, or set AWS_ENDPOINT_URL or AWS_PROFILE to use another target\n`);
    const broken = projectWithLocalEnvironment({ endpoint: 'http://127.0.0.1:9' });
    expect((await cli(['lanes'], { cwd: broken, env: bareEnvironment() })).stderr).toContain('is not what `jobline deploy --local` writes');
  });
});

/** What `jobline deploy --local` writes for one stack (the CLI reads only the endpoint, region and stack names). */
function localEnvironment(endpoint: string, stackName: string): object {
  return { endpoint, region: process.env.AWS_REGION, stacks: { [stackName]: { outputs: {}, queues: {} } } };
}

/** A stack in `region` whose only content is a queue's config output, as a JobQueue names it. */
async function createConfigStack(region: string, stackName: string, config: object): Promise<void> {
  const cloudformation = new CloudFormationClient({ region });
  const template = { Resources: { Placeholder: { Type: 'AWS::SQS::Queue' } }, Outputs: { JoblineConfigJobs: { Value: JSON.stringify(config) } } };
  await cloudformation.send(new CreateStackCommand({ StackName: stackName, TemplateBody: JSON.stringify(template) }));
  await waitUntilStackCreateComplete({ client: cloudformation, maxWaitTime: 60 }, { StackName: stackName });
}
