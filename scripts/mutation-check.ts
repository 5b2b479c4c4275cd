/**
 * `npm run mutation [-- --only name1,name2]`: proves that the tests guarding jobline's key lines
 * fail when those lines are broken. In a copy of this working tree (in the system's temp folder,
 * with the uncommitted and untracked files as they are now), it runs each mutation's test files
 * unmutated once (they must pass), then applies each mutation of scripts/mutation/mutations.ts in
 * turn, runs its tests and restores the file: tests that fail kill the mutation, tests that pass
 * let it survive (a finding). Integration runs use an emulator of their own on 127.0.0.1:4599,
 * started in the copy and stopped at the end; each deploys JoblineTest from the (mutated) copy.
 * Saves bench/results/mutation.json; exits non-zero if a mutation survived or a baseline failed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { commitMeasured } from '../bench/lib/commit.js';
import { MUTATIONS, type Mutation } from './mutation/mutations.js';

const ROOT = new URL('../', import.meta.url).pathname;
const RESULTS = `${ROOT}bench/results/mutation.json`;
const ENDPOINT = 'http://127.0.0.1:4599';
/** A run that takes longer is stopped (and counts as failed: its tests did not pass). */
const RUN_TIMEOUT_MS = 20 * 60_000;
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: `${ROOT}tools/node24/node_modules/.bin:${process.env.PATH ?? ''}`,
  AWS_ENDPOINT_URL: ENDPOINT, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test',
};

type Project = Mutation['project'];
interface Run { readonly passed: boolean; readonly seconds: number; readonly log: string; readonly timedOut: boolean }
interface Outcome { readonly mutation: Mutation; readonly result: 'killed' | 'survived' | 'not run'; readonly seconds: number }

const { values } = parseArgs({ options: { only: { type: 'string' } } });
const only = values.only?.split(',').map((name) => name.trim()).filter(Boolean);
const unknown = only?.filter((name) => !MUTATIONS.some((m) => m.name === name)) ?? [];
if (unknown.length) throw new Error(`no mutation named ${unknown.join(', ')}; known: ${MUTATIONS.map((m) => m.name).join(', ')}`);
const selected = only ? MUTATIONS.filter((m) => only.includes(m.name)) : MUTATIONS;

const startedAt = new Date();
/** The commit of the tree that is copied (measured now: HEAD may move while the check runs). */
const measured = commitMeasured(ROOT);
const node = execFileSync('node', ['--version'], { env, encoding: 'utf8' }).trim();
const copy = mkdtempSync(join(tmpdir(), 'jobline-mutation-'));
const logs = mkdtempSync(join(tmpdir(), 'jobline-mutation-logs-'));
const needsEmulator = selected.some((m) => m.project === 'integration');
let current: ReturnType<typeof spawn> | undefined;
let emulatorStarted = false;

process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)));
let failed = true;
try {
  console.log(`mutation: ${selected.length} mutations on Node ${node}, in ${copy} (logs in ${logs})`);
  copyWorkingTree();
  for (const mutation of selected) occurrence(mutation);
  if (needsEmulator) {
    sh('npm', ['run', '--silent', 'build'], 'build');
    sh('node', ['dist/cli/jobline.js', 'emulator', 'start', '--port', '4599'], 'emulator');
    emulatorStarted = true;
  }
  const baselines = [];
  for (const project of ['unit', 'integration'] as const) {
    const tests = [...new Set(selected.filter((m) => m.project === project).flatMap((m) => m.tests))];
    if (tests.length === 0) continue;
    const run = await vitest(project, tests, `baseline-${project}`);
    console.log(`baseline ${project}: ${run.passed ? 'passed' : `FAILED (see ${run.log})`} in ${run.seconds} s — ${tests.map((t) => basename(t)).join(', ')}`);
    baselines.push({ project, tests, passed: run.passed, seconds: run.seconds });
  }
  const outcomes: Outcome[] = [];
  for (const mutation of selected) {
    if (!baselines.find((b) => b.project === mutation.project)?.passed) {
      outcomes.push({ mutation, result: 'not run', seconds: 0 });
      continue;
    }
    const restore = apply(mutation);
    try {
      const run = await vitest(mutation.project, mutation.tests, mutation.name);
      outcomes.push({ mutation, result: run.passed ? 'survived' : 'killed', seconds: run.seconds });
      console.log(`${mutation.name}: ${run.passed ? `SURVIVED (its tests passed; see ${run.log})` : `killed${run.timedOut ? ' (the run timed out)' : ''}`} in ${run.seconds} s`);
    } finally {
      restore();
    }
  }
  const seconds = round((Date.now() - startedAt.getTime()) / 1000);
  printTable(outcomes, seconds);
  save(outcomes, baselines, seconds);
  failed = baselines.some((b) => !b.passed) || outcomes.some((o) => o.result !== 'killed');
} finally {
  await cleanUp();
}
process.exit(failed ? 1 : 0);

/** A git clone of this repository with the working tree's files over it (uncommitted changes and untracked files too), sharing node_modules and the emulator's venv. */
function copyWorkingTree(): void {
  execFileSync('git', ['clone', '--quiet', ROOT, copy]);
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    if (!existsSync(join(ROOT, file))) {
      rmSync(join(copy, file), { force: true });
      continue;
    }
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(ROOT, file), join(copy, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  mkdirSync(join(copy, '.jobline'), { recursive: true });
  symlinkSync(join(ROOT, '.jobline', 'venv'), join(copy, '.jobline', 'venv'));
}

/** The mutation's file in the copy; throws, naming the mutation, unless `find` occurs there exactly once. */
function occurrence(mutation: Mutation): { path: string; text: string } {
  const path = join(copy, mutation.file);
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const count = text.split(mutation.find).length - 1;
  if (count !== 1) throw new Error(`mutation "${mutation.name}": its find text occurs ${count} times in ${mutation.file} (it must occur once; update scripts/mutation/mutations.ts): ${mutation.find}`);
  return { path, text };
}

/** Applies the mutation in the copy; returns what writes the original back. */
function apply(mutation: Mutation): () => void {
  const { path, text } = occurrence(mutation);
  writeFileSync(path, text.replace(mutation.find, () => mutation.replace));
  return () => writeFileSync(path, text);
}

/** Runs the test files in the copy; its output goes to a log file of its own. */
async function vitest(project: Project, tests: readonly string[], label: string): Promise<Run> {
  const log = join(logs, `${label}.log`);
  const out = openSync(log, 'w');
  const started = Date.now();
  const child = spawn('npx', ['vitest', 'run', '--project', project, ...tests], { cwd: copy, env, stdio: ['ignore', out, out], detached: true });
  closeSync(out);
  current = child;
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; signal(child.pid); }, RUN_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  current = undefined;
  return { passed: code === 0 && !timedOut, seconds: round((Date.now() - started) / 1000), log, timedOut };
}

/** Runs a setup command in the copy, its output in a log; throws when it fails. */
function sh(command: string, args: readonly string[], label: string): void {
  const log = join(logs, `${label}.log`);
  const out = openSync(log, 'w');
  try {
    execFileSync(command, args, { cwd: copy, env, stdio: ['ignore', out, out] });
  } catch (error) {
    throw new Error(`${command} ${args.join(' ')} failed in ${copy}; its output: ${log}`, { cause: error });
  } finally {
    closeSync(out);
  }
}

/** Stops the running vitest (its process group), the emulator started in the copy, and removes the copy. */
async function cleanUp(): Promise<void> {
  signal(current?.pid);
  if (emulatorStarted) {
    emulatorStarted = false;
    try {
      sh('node', ['dist/cli/jobline.js', 'emulator', 'stop'], 'emulator-stop');
    } catch (error) {
      console.error(`mutation: could not stop the emulator at ${ENDPOINT}:`, error);
    }
  }
  rmSync(copy, { recursive: true, force: true });
}

function signal(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

function printTable(outcomes: readonly Outcome[], seconds: number): void {
  const rows = outcomes.map((o) => [o.mutation.name, o.mutation.tests.map((t) => basename(t)).join(', '), o.result, o.seconds.toFixed(1)]);
  const header = ['mutation', 'tests', 'result', 'seconds'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}`);
  const survived = outcomes.filter((o) => o.result === 'survived').map((o) => o.mutation.name);
  const killed = outcomes.filter((o) => o.result === 'killed').length;
  console.log(`\n${killed} of ${outcomes.length} killed${survived.length ? `; SURVIVED: ${survived.join(', ')}` : ''}; ${seconds} s in all`);
}

function save(outcomes: readonly Outcome[], baselines: readonly object[], seconds: number): void {
  const result = {
    commit: measured.replace(/\+changes$/, ''), dirty: measured.endsWith('+changes'), node, startedAt: startedAt.toISOString(), seconds,
    ...(only ? { only } : {}),
    baselines,
    mutations: outcomes.map((o) => ({ name: o.mutation.name, file: o.mutation.file, why: o.mutation.why, tests: o.mutation.tests, result: o.result, seconds: o.seconds })),
  };
  writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`saved in ${RESULTS}`);
}

function round(value: number): number {
  return Number(value.toFixed(1));
}
