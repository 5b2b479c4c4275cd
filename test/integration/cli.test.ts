import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { client, unique, waitForStatus } from './support/deployed.js';
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

/** The environment of a shell with no AWS settings at all. */
function bareEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('CDK_') && !name.startsWith('JOBLINE_')));
}

/** A project folder holding what `npm run dev` leaves for the CLI. */
function projectWithLocalEnvironment(environment: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'jobline-cli-'));
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

    const shown = await jobline('jobs', 'show', job.id);
    expect(shown.stdout).toContain(`${job.id}  test.fail-first  failed  attempt 1/1`);
    expect(shown.stdout).toContain('PermanentError: fails on its first run');

    const retried = await jobline('--json', 'jobs', 'retry', job.id);
    expect(JSON.parse(retried.stdout)).toEqual([{ id: job.id, ok: true }]);
    await waitForStatus(job.id, 'succeeded');

    const recent = await jobline('--json', 'jobs', 'ls', '--status', 'succeeded', '--since', '10m', '--limit', '1000');
    expect((JSON.parse(recent.stdout) as { jobs: Array<{ id: string }> }).jobs.map((j) => j.id)).toContain(job.id);
    const counts = JSON.parse((await jobline('--json', 'jobs', 'count', '--since', '1h')).stdout) as { lanes: Record<string, Record<string, number>> };
    expect(counts.lanes.default).toMatchObject({ failed: expect.any(Number), cancelled: expect.any(Number) });
    expect((await jobline('jobs', 'count', '--since', 'yesterday')).stderr).toContain("option '--since <age>' argument 'yesterday' is invalid. must be a number followed by m, h or d");

    const lanes = JSON.parse((await jobline('--json', 'lanes')).stdout) as Array<{ lane: string; paused: boolean }>;
    expect(lanes).toEqual([expect.objectContaining({ lane: 'default', paused: false })]);
    expect((await jobline('lanes')).stdout).toMatch(/lane.*waiting.*in flight.*delayed.*oldest job.*dead letters.*paused/);

    const missing = await jobline('jobs', 'show', '01M80VT4N002GN3JWN515DN8JQ');
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('jobline: no job 01M80VT4N002GN3JWN515DN8JQ') });
    const badId = await jobline('jobs', 'retry', 'not-an-id');
    expect(badId.code).toBe(1);
    expect(badId.stderr).toContain('"not-an-id" is not a job id');
    const badFilter = await jobline('jobs', 'ls', '--status', 'done');
    expect(badFilter.stderr).toContain("argument 'done' is invalid. Allowed choices are scheduled, queued, running");
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

    const peeked = JSON.parse((await jobline('--json', 'dlq', 'ls', 'default', '--limit', '100')).stdout) as Array<{ attributes: Record<string, string> }>;
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
    expect((await jobline('pause', 'nope')).stderr).toContain('jobline: no lane "nope"; lanes: default');
  });

  it('says what to set when the endpoint is unreachable or the stack unknown', async () => {
    const unreachable = await cli(['--stack', 'JoblineTest', 'lanes'], { env: { ...process.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' } });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toBe('jobline: cannot reach AWS at http://127.0.0.1:9 (ECONNREFUSED): is AWS_ENDPOINT_URL right, and is the emulator running?\n');
    const unknown = await cli(['--stack', 'NoSuchStack', 'lanes']);
    expect(unknown.stderr).toBe(`jobline: no stack "NoSuchStack" at ${process.env.AWS_ENDPOINT_URL}: pass --stack <name> (or set JOBLINE_STACK) with a deployed jobline stack's name, or set JOBLINE_CONFIG to its JobsConfig output\n`);
  });

  it('finds the local emulator and stack from .jobline/environment.json (what npm run dev leaves), from the project or below it', async () => {
    const project = projectWithLocalEnvironment({ endpoint: process.env.AWS_ENDPOINT_URL, region: process.env.AWS_REGION, stack: 'JoblineTest' });
    const lanes = await cli(['--json', 'lanes'], { cwd: join(project, 'src'), env: bareEnvironment() });
    expect(lanes.stderr).toBe('');
    expect(JSON.parse(lanes.stdout)).toEqual([expect.objectContaining({ lane: 'default' })]);
  });

  it('says what to set, not what the SDK threw, with no credentials, no region, or a stopped emulator', async () => {
    const nowhere = mkdtempSync(join(tmpdir(), 'jobline-cli-'));
    const noRegion = await cli(['lanes'], { cwd: nowhere, env: { ...bareEnvironment(), HOME: nowhere } });
    expect(noRegion).toMatchObject({ code: 1, stdout: '' });
    expect(noRegion.stderr).toMatch(/^jobline: no AWS region: set AWS_REGION .*run `npm run dev` in your project first/);
    const noCredentials = await cli(['lanes'], { cwd: nowhere, env: { ...bareEnvironment(), HOME: nowhere, AWS_REGION: 'us-east-1' } });
    expect(noCredentials.code).toBe(1);
    expect(noCredentials.stderr).toMatch(/^jobline: no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; for the local emulator/);
    const stopped = projectWithLocalEnvironment({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', stack: 'Jobline' });
    const unreachable = await cli(['lanes'], { cwd: stopped, env: bareEnvironment() });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toBe(`jobline: cannot reach the local emulator at http://127.0.0.1:9 (ECONNREFUSED), named in ${join(stopped, '.jobline', 'environment.json')}: start it with \`npm run emulator\` (or \`npm run dev\`), or set AWS_ENDPOINT_URL or AWS_PROFILE to use another target\n`);
    const broken = projectWithLocalEnvironment({ endpoint: 'http://127.0.0.1:9' });
    expect((await cli(['lanes'], { cwd: broken, env: bareEnvironment() })).stderr).toContain('needs "endpoint", "region" and "stack" strings: delete it, or run `npm run dev` again');
  });
});
