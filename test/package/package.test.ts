import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packJobline } from '../../scripts/lib/pack.js';

// jobline as a team gets it: `npm pack` of the built package, installed into an empty project
// with only its peer dependencies, then used with plain node, tsc and esbuild.
// The tarball is packed once for the file; each describe installs it into a project of its own,
// so that each one runs alone (-t) or in any order, and none sees what another installed.
const ROOT = new URL('../../', import.meta.url).pathname;
const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const pinned = (name: string) => `${name}@${own.devDependencies[name]}`;
let tarball: string;

const npm = (cwd: string, args: string[]) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' });

/** A new empty project with the packed jobline and only its peer dependencies installed. */
function installConsumer(): string {
  const dir = mkdtempSync(join(tmpdir(), 'jobline-consumer-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  npm(dir, ['install', tarball, pinned('aws-cdk-lib'), pinned('constructs'), pinned('zod')]);
  return dir;
}

const ENTRY_POINTS: Record<string, string[]> = {
  jobline: ['defineJob', 'JobClient', 'PermanentError', 'RetryAfterError', 'JOB_STATUSES', 'parseConfig', 'loadConfig', 'QueueChoiceError'],
  'jobline/worker': ['createWorker', 'defineHandler'],
  'jobline/inspector': ['JobInspector'],
  'jobline/api': ['createEnqueueApi', 'JobApiClient'],
  'jobline/testing': ['runJob', 'createTestQueue', 'expectEnqueued', 'MemoryJobStore', 'startLocalApp', 'connectLocalApp'],
  'jobline/cdk': ['JobQueue', 'WebDashboard'],
};

beforeAll(() => {
  tarball = packJobline();
}, 300_000);

describe('the packed package, installed with only its peer dependencies', () => {
  let consumer: string;
  const node = (script: string) => spawnSync('node', ['--input-type=module', '-e', script], { cwd: consumer, encoding: 'utf8' });
  beforeAll(() => {
    consumer = installConsumer();
  }, 300_000);
  afterAll(() => {
    if (consumer) rmSync(consumer, { recursive: true, force: true });
  });

  it('holds the built entry points, the prebuilt functions and the license — and no sources or tests', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files).toEqual(expect.arrayContaining([
      'package/LICENSE', 'package/package.json', 'package/dist/lib/index.js', 'package/dist/lib/index.d.ts', 'package/dist/infra/index.js',
      'package/dist/cli/jobline.js', 'package/dist/functions/sweeper/index.js', 'package/dist/functions/dispatcher/index.js', 'package/dist/functions/web-dashboard/index.js',
      'package/dist/functions/web-dashboard/static/index.html', 'package/dist/functions/web-dashboard/static/chart.js',
    ]));
    expect(files.filter((f) => /\.ts$/.test(f) && !/\.d\.ts$/.test(f))).toEqual([]);
    expect(files.filter((f) => /package\/(test|examples|scripts|bench|functions\/jobs)\//.test(f))).toEqual([]);
  });

  it.each(Object.entries(ENTRY_POINTS))('%s imports with plain node (ESM) and exports its API', (entry, names) => {
    const result = node(`const m = await import('${entry}'); console.log(JSON.stringify(Object.keys(m)));`);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual(expect.arrayContaining(names));
  });

  it('needs @opentelemetry/api (an optional peer) only for jobline/tracing: without it that import names the package; with it, it exports useOpenTelemetry', () => {
    const without = node(`await import('jobline/tracing');`);
    expect(without.status).not.toBe(0);
    expect(without.stderr).toContain('@opentelemetry/api');
    npm(consumer, ['install', pinned('@opentelemetry/api')]);
    const withApi = node(`const m = await import('jobline/tracing'); console.log(JSON.stringify(Object.keys(m)));`);
    expect(withApi.stderr).toBe('');
    expect(JSON.parse(withApi.stdout)).toEqual(expect.arrayContaining(['useOpenTelemetry', 'TRACER_NAME']));
  });

  it('keeps its internals out of reach: no wire format or stores from the root, no deep imports', () => {
    const root = node(`const m = await import('jobline'); console.log(JSON.stringify(Object.keys(m)));`);
    const exported = JSON.parse(root.stdout) as string[];
    for (const internal of ['encodeJobMessage', 'decodeJobMessage', 'DynamoJobStore', 'processMessage', 'awsBackends', 'createSweeper']) expect(exported).not.toContain(internal);
    const deep = node(`await import('jobline/dist/lib/job-message.js');`);
    expect(deep.status).not.toBe(0);
    expect(deep.stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('builds its CLI executable: dist/cli/jobline.js runs by itself in a checkout, and from node_modules/.bin', () => {
    expect(statSync(join(ROOT, 'dist', 'cli', 'jobline.js')).mode & 0o111).toBe(0o111);
    expect(execFileSync(join(ROOT, 'dist', 'cli', 'jobline.js'), ['--version'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('runs its CLI as compiled JavaScript from node_modules/.bin, without tsx', () => {
    expect(() => execFileSync(join(consumer, 'node_modules', '.bin', 'tsx'), ['--version'], { stdio: 'ignore' })).toThrow();
    const help = execFileSync(join(consumer, 'node_modules', '.bin', 'jobline'), ['--help'], { cwd: consumer, encoding: 'utf8' });
    expect(help).toContain('Usage: jobline');
    expect(help).toContain('dlq');
  });
});

describe('the installed package, used with a project\'s own tools', () => {
  let consumer: string;
  beforeAll(() => {
    consumer = installConsumer();
    npm(consumer, ['install', '--save-dev', pinned('typescript'), pinned('@types/node'), pinned('esbuild'), pinned('tsx')]);
    mkdirSync(join(consumer, 'src'), { recursive: true });
    writeFileSync(join(consumer, 'src', 'jobs.ts'), CONSUMER_JOBS);
    writeFileSync(join(consumer, 'src', 'worker.ts'), CONSUMER_WORKER);
    writeFileSync(join(consumer, 'src', 'stack.ts'), CONSUMER_STACK);
  }, 300_000);
  afterAll(() => {
    if (consumer) rmSync(consumer, { recursive: true, force: true });
  });

  it.each([['node16', 'node16'], ['bundler', 'esnext']])('type-checks every entry point under moduleResolution %s (strict, library types checked too)', (resolution, module) => {
    const result = spawnSync(join(consumer, 'node_modules', '.bin', 'tsc'), ['--noEmit', '--strict', '--target', 'es2022', '--module', module, '--moduleResolution', resolution, '--types', 'node', 'src/jobs.ts', 'src/worker.ts', 'src/stack.ts'], { cwd: consumer, encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('bundles a worker from jobline/worker without the CDK, and prints what each entry point adds to a bundle', async () => {
    const bundle = async (contents: string) => {
      const result = await build({ stdin: { contents, resolveDir: join(consumer, 'src'), loader: 'ts' }, bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, write: false, metafile: true, logLevel: 'silent' });
      const used = Object.entries(Object.values(result.metafile.outputs)[0]!.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([path]) => path);
      return { kib: result.outputFiles[0]!.contents.length / 1024, used };
    };
    const worker = await bundle(`export { handler } from './worker.js';`);
    expect(worker.used.filter((path) => /node_modules\/(aws-cdk-lib|constructs)\//.test(path))).toEqual([]);
    expect(worker.used.some((path) => path.includes('node_modules/jobline/dist/lib/worker/'))).toBe(true);

    const zodOnly = await bundle(`import * as z from 'zod'; export const schema = z.object({ name: z.string() });`);
    const sizes: Record<string, number> = { 'a worker (jobline/worker + jobline, one kind)': worker.kib };
    const uses: Record<string, string> = {
      'jobline: defineJob only': `import * as z from 'zod'; import { defineJob } from 'jobline'; export const d = defineJob({ kind: 'a', schema: z.object({}) });`,
      'jobline: JobClient': `export { JobClient } from 'jobline';`,
      'jobline/api: createEnqueueApi': `export { createEnqueueApi } from 'jobline/api';`,
      'jobline/inspector: JobInspector': `export { JobInspector } from 'jobline/inspector';`,
    };
    for (const [what, contents] of Object.entries(uses)) sizes[what] = (await bundle(contents)).kib;
    expect(sizes['jobline: defineJob only']! - zodOnly.kib).toBeLessThan(50);
    console.log(`bundle sizes (esbuild, minified, node20; zod alone is ${zodOnly.kib.toFixed(0)} KiB, the AWS SDK clients are most of the rest):\n${Object.entries(sizes).map(([what, kib]) => `  ${what.padEnd(48)} ${kib.toFixed(0).padStart(6)} KiB`).join('\n')}`);
  });

  it('synthesizes a JobQueue and a WebDashboard from the installed jobline/cdk: prebuilt functions from the package, the worker from the project', () => {
    const result = spawnSync('node', ['--import', 'tsx', '--input-type=module', '-e', `
      import { Template } from 'aws-cdk-lib/assertions';
      import { buildStack } from './src/stack.ts';
      const stack = buildStack();
      const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
      console.log(JSON.stringify(Object.values(functions).map((f) => f.Properties.Handler)));
    `], { cwd: consumer, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const handlers = JSON.parse(result.stdout) as string[];
    // The worker (bundled from the project's entry) and the three prebuilt functions (sweeper, dispatcher, dashboard).
    expect(handlers.filter((h) => h === 'index.handler').length).toBe(4);
  });
});

const CONSUMER_JOBS = `
import * as z from 'zod';
import { defineJob, JobClient, PermanentError, type JobRecord } from 'jobline';
import { JobInspector } from 'jobline/inspector';
import { createEnqueueApi, JobApiClient } from 'jobline/api';
import { runJob, createTestQueue, expectEnqueued } from 'jobline/testing';

export const greet = defineJob({ kind: 'greet', schema: z.object({ name: z.string() }), retry: { maxAttempts: 3 } });
export const api = createEnqueueApi({ jobs: [greet] }, { kinds: [greet] });
export type Used = [JobRecord, JobInspector, JobApiClient, JobClient, PermanentError];
export async function check(job: Parameters<typeof runJob>[0]): Promise<string> {
  const queue = createTestQueue({ jobs: [greet] });
  await queue.client.enqueue(greet, { name: 'Ada' });
  expectEnqueued(queue, greet, { name: 'Ada' });
  return (await runJob(job, { name: 'Ada' })).status;
}
`;

const CONSUMER_WORKER = `
import { PermanentError } from 'jobline';
import { createWorker, defineHandler, type JobContext } from 'jobline/worker';
import { greet } from './jobs.js';

export const greetJob = defineHandler(greet, async ({ name }, ctx: JobContext) => {
  if (!name) throw new PermanentError('no name');
  return { greeted: name, attempt: ctx.attempt };
});
export const handler = createWorker({ jobs: [greetJob] });
`;

const CONSUMER_STACK = `
import { App, Stack } from 'aws-cdk-lib';
import { JobQueue, WebDashboard, type JobQueueProps } from 'jobline/cdk';
import { greet } from './jobs.js';

export function buildStack(): Stack {
  const stack = new Stack(new App(), 'Consumer', { env: { account: '000000000000', region: 'us-east-1' } });
  const props: JobQueueProps = { jobs: [greet], worker: { entry: new URL('./worker.ts', import.meta.url).pathname } };
  new WebDashboard(stack, 'Dashboard', new JobQueue(stack, 'Jobs', props));
  return stack;
}
`;
