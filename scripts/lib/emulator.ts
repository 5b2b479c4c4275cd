import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

/** The emulator version the project is tested against. */
export const MINISTACK_VERSION = '1.5.33';
/**
 * ministack's optional dependency for real RS256 keys: without it, its Cognito signs tokens
 * with a dummy key and API Gateway's JWT authorizer rejects every token (the web dashboard).
 */
export const CRYPTOGRAPHY_VERSION = '46.0.3';
/** Where the emulator listens when nothing else is configured. */
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:4566';

const ROOT = new URL('../..', import.meta.url).pathname;
const STATE_DIR = join(ROOT, '.jobline');
const VENV = join(STATE_DIR, 'venv');

/** A reachable AWS endpoint, and how to let go of it. */
export interface Emulator {
  readonly endpoint: string;
  /** True when this process started the emulator (and `stop` ends it). */
  readonly started: boolean;
  stop(): Promise<void>;
}

/**
 * Gives an AWS endpoint: reuses `AWS_ENDPOINT_URL` (or the default port) when something
 * already answers there (LocalStack, a ministack you started); otherwise installs ministack
 * into a project-local venv (`.jobline/venv`), starts it on 127.0.0.1 and waits for health.
 */
export async function ensureEmulator(options: { log?: (line: string) => void } = {}): Promise<Emulator> {
  const log = options.log ?? ((line: string) => console.error(line));
  const endpoint = process.env.AWS_ENDPOINT_URL ?? DEFAULT_ENDPOINT;
  if (await answers(endpoint)) {
    log(`emulator: using the endpoint already answering at ${endpoint}`);
    return { endpoint, started: false, stop: async () => {} };
  }
  const url = new URL(endpoint);
  if (!['127.0.0.1', 'localhost'].includes(url.hostname)) {
    throw new Error(`nothing answers at AWS_ENDPOINT_URL=${endpoint}, and ministack can only be started on 127.0.0.1`);
  }
  installMinistack(log);
  mkdirSync(STATE_DIR, { recursive: true });
  const logFile = join(STATE_DIR, 'ministack.log');
  const out = openSync(logFile, 'a');
  log(`emulator: starting ministack ${MINISTACK_VERSION} on 127.0.0.1:${url.port || '4566'} (log: ${logFile})`);
  const child = spawn(join(VENV, 'bin', 'ministack'), [], {
    env: { ...process.env, MINISTACK_HOST: '127.0.0.1', BIND_HOST: '127.0.0.1', GATEWAY_PORT: url.port || '4566' },
    stdio: ['ignore', out, out],
    detached: true,
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const endpointUrl = `http://127.0.0.1:${url.port || '4566'}`;
  const deadline = Date.now() + 60_000;
  while (!(await answers(endpointUrl))) {
    if (child.exitCode !== null) throw new Error(`ministack exited with code ${child.exitCode} before answering; see ${logFile}`);
    if (Date.now() > deadline) {
      stopProcess(child);
      throw new Error(`ministack did not answer at ${endpointUrl} within 60 s; see ${logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  log(`emulator: ministack is up at ${endpointUrl}`);
  return {
    endpoint: endpointUrl,
    started: true,
    stop: async () => {
      stopProcess(child);
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    },
  };
}

/** True when `endpoint` is ministack (its health route) or any other HTTP server (LocalStack, AWS). */
async function answers(endpoint: string): Promise<boolean> {
  try {
    await fetch(new URL('/_ministack/health', endpoint), { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

/** Installs the pinned ministack into `.jobline/venv` unless it is already there. */
export function installMinistack(log: (line: string) => void = console.error): void {
  const binary = join(VENV, 'bin', 'ministack');
  const pip = join(VENV, 'bin', 'pip');
  if (existsSync(binary)) {
    const shown = spawnSync(pip, ['show', 'ministack', 'cryptography'], { encoding: 'utf8' });
    if (shown.stdout.includes(`Version: ${MINISTACK_VERSION}`) && shown.stdout.includes(`Version: ${CRYPTOGRAPHY_VERSION}`)) return;
  }
  log(`emulator: installing ministack==${MINISTACK_VERSION} and cryptography==${CRYPTOGRAPHY_VERSION} into ${VENV}`);
  run('python3', ['-m', 'venv', VENV]);
  run(pip, ['install', '--quiet', '--disable-pip-version-check', `ministack==${MINISTACK_VERSION}`, `cryptography==${CRYPTOGRAPHY_VERSION}`]);
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status}`);
}

function stopProcess(child: ChildProcess): void {
  if (child.exitCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
}
