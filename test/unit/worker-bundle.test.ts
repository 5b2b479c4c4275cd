import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { testConfig } from 'jobline/testing';

const ROOT = new URL('../..', import.meta.url).pathname;

/** The sources and packages in a one-kind worker's bundle, bundled as the JobQueue bundles a worker (infra/node-function.ts: nothing external). */
async function workerBundleInputs(): Promise<string[]> {
  const result = await build({
    entryPoints: [`${ROOT}bench/cold-start/worker-entry.ts`],
    tsconfig: `${ROOT}tsconfig.json`,
    bundle: true, platform: 'node', target: 'node20', format: 'cjs', write: false, metafile: true, logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

describe('what a worker\'s bundle carries', () => {
  it('leaves out the S3 client, which jobline loads only to keep a large result (ON_DEMAND_MODULES)', async () => {
    const inputs = await workerBundleInputs();
    expect(inputs.some((input) => input.includes('lib/aws/s3-result-store.ts'))).toBe(true);
    expect(inputs.filter((input) => /node_modules\/@aws-sdk\/(client-s3|middleware-sdk-s3)\//.test(input))).toEqual([]);
  });

  it('carries no tracing library for an app that does not import jobline/tracing: only the no-op boundary', async () => {
    const inputs = await workerBundleInputs();
    expect(inputs.some((input) => input.endsWith('lib/tracing/job-tracer.ts'))).toBe(true);
    expect(inputs.filter((input) => input.includes('@opentelemetry/') || input.endsWith('lib/tracing/open-telemetry.ts'))).toEqual([]);
  });

  it('evaluates the SQS and Scheduler clients\' modules only when a job sends or schedules, not at the worker\'s start', async () => {
    // Each SDK client package's entry module, when evaluated, says so: the bundle then shows which ran.
    const marked = /node_modules\/(@aws-sdk\/client-(?:dynamodb|sqs|scheduler))\/dist-cjs\/index\.js$/;
    const mark: Plugin = {
      name: 'mark-evaluated',
      setup(b) {
        b.onLoad({ filter: marked }, (args) => ({
          contents: `(globalThis.evaluated ??= []).push(${JSON.stringify(marked.exec(args.path)![1])});\n${readFileSync(args.path, 'utf8')}`,
          loader: 'js',
        }));
      },
    };
    const result = await build({
      entryPoints: [`${ROOT}bench/cold-start/worker-entry.ts`],
      tsconfig: `${ROOT}tsconfig.json`,
      bundle: true, platform: 'node', target: 'node20', format: 'cjs', write: false, logLevel: 'silent', plugins: [mark],
    });
    const dir = mkdtempSync(join(tmpdir(), 'jobline-worker-bundle-'));
    try {
      const file = join(dir, 'worker.cjs');
      writeFileSync(file, result.outputFiles[0]!.text);
      // A fresh process, as a cold Lambda: load the bundle and run one (empty) batch.
      const run = `require(${JSON.stringify(file)}).handler({ Records: [] }, { getRemainingTimeInMillis: () => 60000 }).then(() => process.stdout.write(JSON.stringify(globalThis.evaluated ?? [])))`;
      const child = spawnSync(process.execPath, ['-e', run], { encoding: 'utf8', env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', JOBLINE_CONFIG: JSON.stringify(testConfig()) } });
      expect(child.status, child.stderr).toBe(0);
      const evaluated = JSON.parse(child.stdout) as string[];
      expect(evaluated).toContain('@aws-sdk/client-dynamodb');
      expect(evaluated).not.toContain('@aws-sdk/client-sqs');
      expect(evaluated).not.toContain('@aws-sdk/client-scheduler');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
