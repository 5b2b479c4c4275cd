import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { client, waitForStatus } from './support/deployed.js';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;

/** Runs the CLI against the test stack; returns its exit code and output. */
async function jobline(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(`${ROOT}node_modules/.bin/tsx`, [`${ROOT}cli/jobline.ts`, '--stack', 'JoblineTest', ...args], { env: process.env, cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the jobline CLI against the deployed stack', () => {
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

  it('says so when the endpoint is unreachable', async () => {
    const saved = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
    try {
      const result = await jobline('lanes');
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^jobline: cannot read stack "JoblineTest": .*ECONNREFUSED/);
    } finally {
      process.env.AWS_ENDPOINT_URL = saved;
    }
  });
});
