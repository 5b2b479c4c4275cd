import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installMinistack, probeEndpoint } from '../../lib/local/emulator.js';

// `jobline emulator start` in a project of the user's, when it cannot start: the error names the fix.
const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = join(ROOT, 'dist', 'cli', 'jobline.js');
const run = promisify(execFile);

async function jobline(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], options);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A fresh project: no emulator installed in it yet. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'jobline-emulator-'));
  writeFileSync(join(dir, 'package.json'), '{"name":"app","private":true}');
  return dir;
}

/** A port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createTcpServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const noAws = () => Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
let server: Server;
let takenPort: number;

beforeAll(async () => {
  // Some other program's HTTP server on a port: not an AWS emulator.
  server = createServer((_request, response) => response.writeHead(404).end('not here'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  takenPort = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('jobline emulator start', () => {
  it('says to install python3 (or use LocalStack) when python3 is not on PATH', async () => {
    const dir = project();
    // PATH holds only node's own folder: no python3 there.
    const result = await jobline(['emulator', 'start', '--port', '45999'], { cwd: dir, env: { ...noAws(), PATH: dirname(process.execPath) === '/usr/bin' ? '/nonexistent' : dirname(process.execPath) } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('jobline: python3 is not on PATH, and the local emulator (ministack) is a Python program: install Python 3.10 or later with its venv module (Debian/Ubuntu: apt-get install python3 python3-venv), or start LocalStack yourself and set AWS_ENDPOINT_URL to it');
  });

  it('says the port is taken, and how to choose another, when something that is not an emulator listens there', async () => {
    const result = await jobline(['emulator', 'start', '--port', String(takenPort)], { cwd: project(), env: noAws() });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`jobline: port ${takenPort} on 127.0.0.1 is taken by a program that is not an AWS emulator: stop it, or choose another port (--port <n>, or AWS_ENDPOINT_URL=http://127.0.0.1:<n>)\n`);
  });

  it('reports nothing answering, with exit code 4 (unreachable), on a port where nothing listens', async () => {
    const result = await jobline(['emulator', 'status', '--port', '45998'], { cwd: project(), env: noAws() });
    expect(result).toMatchObject({ code: 4, stdout: 'emulator: nothing answers at http://127.0.0.1:45998; start one with `npx jobline emulator start`\n' });
  });

  it('answers as JSON with --json, for scripts: nothing answering is still exit code 4', async () => {
    const result = await jobline(['--json', 'emulator', 'status', '--port', '45998'], { cwd: project(), env: noAws() });
    expect(result.code).toBe(4);
    expect(JSON.parse(result.stdout)).toEqual({ endpoint: 'http://127.0.0.1:45998', answers: 'nothing' });
  });

  it('starts ministack, leaves it running, reports it, and stops it', async () => {
    // A project whose .jobline/venv is this repository's (installed by .ci/run, or here): no second install.
    const dir = project();
    installMinistack(ROOT, () => {});
    mkdirSync(join(dir, '.jobline'));
    symlinkSync(join(ROOT, '.jobline', 'venv'), join(dir, '.jobline', 'venv'));
    const port = await freePort();
    const env = noAws();
    const started = await jobline(['emulator', 'start', '--port', String(port)], { cwd: dir, env });
    try {
      expect(started).toMatchObject({ code: 0, stdout: `emulator: up at http://127.0.0.1:${port}; stop it with \`npx jobline emulator stop\`\n` });
      // The CLI has exited; the emulator answers still.
      expect(await probeEndpoint(`http://127.0.0.1:${port}`)).toBe('ministack');
      const status = await jobline(['emulator', 'status', '--port', String(port)], { cwd: dir, env });
      expect(status.stdout).toMatch(new RegExp(`^emulator: ministack answers at http://127.0.0.1:${port}, started by jobline in this project \\(pid \\d+\\)\n$`));
      const again = await jobline(['emulator', 'start', '--port', String(port)], { cwd: dir, env });
      expect(again.stdout).toBe(`emulator: already answering at http://127.0.0.1:${port} (left as it is)\n`);
      // The same answers as JSON, for scripts.
      const statusJson = await jobline(['--json', 'emulator', 'status', '--port', String(port)], { cwd: dir, env });
      expect(JSON.parse(statusJson.stdout)).toEqual({ endpoint: `http://127.0.0.1:${port}`, answers: 'ministack', startedByJobline: { pid: expect.any(Number) } });
      const againJson = await jobline(['--json', 'emulator', 'start', '--port', String(port)], { cwd: dir, env });
      expect(JSON.parse(againJson.stdout)).toEqual({ endpoint: `http://127.0.0.1:${port}`, started: false });
    } finally {
      const stopped = await jobline(['emulator', 'stop'], { cwd: dir, env });
      expect(stopped.stdout).toBe(`emulator: stopped (http://127.0.0.1:${port})\n`);
    }
    const none = await jobline(['--json', 'emulator', 'stop'], { cwd: dir, env });
    expect(JSON.parse(none.stdout)).toEqual({ stopped: false });
    expect(await probeEndpoint(`http://127.0.0.1:${port}`)).toBe('nothing');
  }, 90_000);

  it('refuses deploy without --local, and says where an AWS deploy comes from', async () => {
    const result = await jobline(['deploy'], { cwd: project(), env: noAws() });
    expect(result).toMatchObject({ code: 2, stderr: 'jobline: jobline deploy deploys to the local emulator only: pass --local (deploy to AWS with your own `npx cdk deploy`)\n' });
  });
});
