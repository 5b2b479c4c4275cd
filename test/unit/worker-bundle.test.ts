import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

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
});
