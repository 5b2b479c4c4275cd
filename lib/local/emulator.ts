import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { isLoopback } from './loopback.js';
import { EmulatorError } from '../errors.js';

/** The emulator version jobline is tested against. */
export const MINISTACK_VERSION = '1.5.33';
/**
 * ministack's optional dependency for real RS256 keys: without it, its Cognito signs tokens
 * with a dummy key and API Gateway's JWT authorizer rejects every token (the web dashboard).
 */
export const CRYPTOGRAPHY_VERSION = '46.0.3';
/** The port the emulator listens on when nothing else is configured. */
export const DEFAULT_EMULATOR_PORT = 4566;
/** Where the emulator listens when nothing else is configured. */
export const DEFAULT_ENDPOINT = `http://127.0.0.1:${DEFAULT_EMULATOR_PORT}`;

/** A reachable AWS endpoint, and how to let go of it. */
export interface Emulator {
  readonly endpoint: string;
  /** True when this call started the emulator (and `stop` ends it). */
  readonly started: boolean;
  stop(): Promise<void>;
}

/** Where and how to get an emulator. */
export interface EmulatorOptions {
  /** The project whose `.jobline/` folder holds the emulator's venv, log and pid file. */
  readonly projectDir: string;
  /** The port to use on 127.0.0.1. @default the port of `AWS_ENDPOINT_URL`, else 4566 */
  readonly port?: number | undefined;
  /** Leave the emulator running after this process exits (`jobline emulator start`). @default false */
  readonly keepRunning?: boolean | undefined;
  readonly env?: NodeJS.ProcessEnv | undefined;
  readonly log?: ((line: string) => void) | undefined;
}

/** What answers at an endpoint. */
export type EndpointProbe = 'ministack' | 'localstack' | 'other' | 'nothing';

/**
 * Gives an AWS endpoint: reuses ministack or LocalStack when one answers at `AWS_ENDPOINT_URL`
 * (or 127.0.0.1 on the chosen port); otherwise installs the pinned ministack into the
 * project's `.jobline/venv`, starts it on 127.0.0.1 and waits until it answers. A port
 * taken by something else, a missing `python3` or a refused install is an
 * {@link EmulatorError} that says what to do.
 */
export async function ensureEmulator(options: EmulatorOptions): Promise<Emulator> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.error(line));
  const configured = options.port === undefined ? env.AWS_ENDPOINT_URL : undefined;
  const endpoint = configured ?? `http://127.0.0.1:${options.port ?? DEFAULT_EMULATOR_PORT}`;
  const found = await probeEndpoint(endpoint);
  if (found === 'ministack' || found === 'localstack' || (found === 'other' && configured)) {
    log(`emulator: using ${found === 'other' ? 'the endpoint' : found} already answering at ${endpoint}`);
    return { endpoint, started: false, stop: async () => {} };
  }
  const url = new URL(endpoint);
  if (configured && !isLoopback(url.hostname)) {
    throw new EmulatorError(`nothing answers at AWS_ENDPOINT_URL=${endpoint}, and jobline starts ministack only on 127.0.0.1: start your emulator there, or unset AWS_ENDPOINT_URL`);
  }
  const port = Number(url.port || DEFAULT_EMULATOR_PORT);
  if (found === 'other' || !(await portIsFree(port))) {
    throw new EmulatorError(`port ${port} on 127.0.0.1 is taken by a program that is not an AWS emulator: stop it, or choose another port (--port <n>, or AWS_ENDPOINT_URL=http://127.0.0.1:<n>)`);
  }
  const stateDir = join(options.projectDir, '.jobline');
  const binary = installMinistack(options.projectDir, log);
  mkdirSync(stateDir, { recursive: true });
  const logFile = join(stateDir, 'ministack.log');
  const out = openSync(logFile, 'a');
  log(`emulator: starting ministack ${MINISTACK_VERSION} on 127.0.0.1:${port} (log: ${logFile})`);
  const child = spawn(binary, [], {
    env: { ...env, MINISTACK_HOST: '127.0.0.1', BIND_HOST: '127.0.0.1', GATEWAY_PORT: String(port) },
    stdio: ['ignore', out, out],
    detached: true,
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const started = `http://127.0.0.1:${port}`;
  const stop = async () => {
    signalGroup(child.pid);
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
  };
  const deadline = Date.now() + 60_000;
  while ((await probeEndpoint(started)) !== 'ministack') {
    if (child.exitCode !== null) throw new EmulatorError(`ministack exited with code ${child.exitCode} before answering; its log: ${logFile}`);
    if (Date.now() > deadline) {
      await stop();
      throw new EmulatorError(`ministack did not answer at ${started} within 60 s; its log: ${logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (options.keepRunning) {
    child.unref();
    writeFileSync(join(stateDir, PID_FILE), JSON.stringify({ pid: child.pid, endpoint: started }));
  }
  log(`emulator: ministack is up at ${started}`);
  return { endpoint: started, started: true, stop };
}

/** Stops the ministack that `jobline emulator start` left running for this project; false when there was none. */
export async function stopEmulator(projectDir: string): Promise<{ stopped: boolean; endpoint?: string }> {
  const started = startedEmulator(projectDir);
  if (!started) return { stopped: false };
  rmSync(join(projectDir, '.jobline', PID_FILE), { force: true });
  if (!signalGroup(started.pid)) return { stopped: false, endpoint: started.endpoint };
  const deadline = Date.now() + 10_000;
  while ((await probeEndpoint(started.endpoint)) !== 'nothing' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  return { stopped: true, endpoint: started.endpoint };
}

/** The ministack `jobline emulator start` left running for this project, if its pid file says so. */
export function startedEmulator(projectDir: string): { pid: number; endpoint: string } | undefined {
  const file = join(projectDir, '.jobline', PID_FILE);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as { pid: number; endpoint: string };
}

/** Who answers at `endpoint`: ministack or LocalStack (their health routes), another HTTP server, or nothing. */
export async function probeEndpoint(endpoint: string): Promise<EndpointProbe> {
  const health = async (path: string) => {
    const response = await fetch(new URL(path, endpoint), { signal: AbortSignal.timeout(2000) });
    return response.ok ? ((await response.json().catch(() => ({}))) as Record<string, unknown>) : undefined;
  };
  try {
    const ministack = await health('/_ministack/health');
    if (typeof ministack?.version === 'string') return 'ministack';
    if ((await health('/_localstack/health'))?.services) return 'localstack';
    return 'other';
  } catch {
    return 'nothing';
  }
}

/**
 * Installs the pinned ministack into `<projectDir>/.jobline/venv` unless it is there already,
 * and returns its executable. Needs `python3` with its `venv` module, and PyPI.
 */
export function installMinistack(projectDir: string, log: (line: string) => void = console.error): string {
  const venv = join(projectDir, '.jobline', 'venv');
  const binary = join(venv, 'bin', 'ministack');
  const pip = join(venv, 'bin', 'pip');
  if (existsSync(binary)) {
    const shown = spawnSync(pip, ['show', 'ministack', 'cryptography'], { encoding: 'utf8' });
    if (shown.stdout?.includes(`Version: ${MINISTACK_VERSION}`) && shown.stdout.includes(`Version: ${CRYPTOGRAPHY_VERSION}`)) return binary;
  }
  const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (python.error) {
    throw new EmulatorError('python3 is not on PATH, and the local emulator (ministack) is a Python program: install Python 3.10 or later with its venv module (Debian/Ubuntu: apt-get install python3 python3-venv), or start LocalStack yourself and set AWS_ENDPOINT_URL to it');
  }
  log(`emulator: installing ministack==${MINISTACK_VERSION} and cryptography==${CRYPTOGRAPHY_VERSION} into ${venv}`);
  const created = spawnSync('python3', ['-m', 'venv', venv], { encoding: 'utf8' });
  if (created.status !== 0) {
    throw new EmulatorError(`python3 -m venv ${venv} failed (${(created.stderr || created.stdout).trim().split('\n').at(-1)}): install Python's venv module (Debian/Ubuntu: apt-get install python3-venv) and try again`);
  }
  const installed = spawnSync(pip, ['install', '--quiet', '--disable-pip-version-check', `ministack==${MINISTACK_VERSION}`, `cryptography==${CRYPTOGRAPHY_VERSION}`], { encoding: 'utf8' });
  if (installed.status !== 0) {
    rmSync(venv, { recursive: true, force: true });
    throw new EmulatorError(`pip could not install ministack==${MINISTACK_VERSION}: ${(installed.stderr || installed.stdout).trim().split('\n').slice(-3).join(' ')} — is PyPI reachable (a proxy: PIP_INDEX_URL)? Or start LocalStack yourself and set AWS_ENDPOINT_URL to it`);
  }
  return binary;
}

const PID_FILE = 'emulator.json';

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** SIGTERM to a detached child's process group; false when it is gone already. */
function signalGroup(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(-pid, 'SIGTERM');
    return true;
  } catch {
    try {
      process.kill(pid, 'SIGTERM');
      return true;
    } catch {
      return false;
    }
  }
}
