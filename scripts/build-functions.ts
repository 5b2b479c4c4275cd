/**
 * Prebuilds the Lambda functions the `JobQueue` and `WebDashboard` constructs own (the
 * sweeper, the web dashboard with its page and Chart.js) into `dist/functions/<name>/`, so
 * an installed copy of jobline deploys them as they are: nothing to resolve in the user's
 * `node_modules`, the same bundle that the tests deploy. Each bundle carries its own AWS SDK
 * (minified), as every jobline function does. Fails if a bundle would contain the CDK.
 */
import { cpSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { ON_DEMAND_MODULES, PACKAGED_FUNCTIONS } from '../lib/packaged-functions.js';

const ROOT = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);

/** How every bundle here is built: one minified CommonJS file for Node (Lambda's runtime runs it as it is). */
const BUNDLE = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, logLevel: 'warning' } as const;

for (const name of PACKAGED_FUNCTIONS) {
  const outdir = join(ROOT, 'dist', 'functions', name);
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    ...BUNDLE,
    entryPoints: [join(ROOT, 'functions', `${name}.ts`)],
    outfile: join(outdir, 'index.js'),
    sourcemap: true,
    sourcesContent: false,
    metafile: true,
  });
  const cdk = Object.keys(result.metafile.inputs).filter((input) => /node_modules\/(aws-cdk-lib|constructs)\//.test(input));
  if (cdk.length > 0) throw new Error(`the ${name} function's bundle would contain the CDK: ${cdk.slice(0, 3).join(', ')}`);
  if (name === 'web-dashboard') {
    cpSync(join(ROOT, 'web', 'static'), join(outdir, 'static'), { recursive: true });
    cpSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), join(outdir, 'static', 'chart.js'));
    cpSync(require.resolve('amazon-cognito-identity-js/dist/amazon-cognito-identity.min.js'), join(outdir, 'static', 'cognito.js'));
  }
  console.log(`built dist/functions/${name}/index.js (${(statSync(join(outdir, 'index.js')).size / 1024).toFixed(0)} KiB)`);
}
mkdirSync(join(ROOT, 'dist'), { recursive: true });

// The modules jobline's code loads on demand, prebuilt to ship beside a function's bundle (see ON_DEMAND_MODULES).
for (const name of ON_DEMAND_MODULES) {
  const outdir = join(ROOT, 'dist', 'modules', name);
  rmSync(outdir, { recursive: true, force: true });
  await build({
    ...BUNDLE,
    stdin: { contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir: ROOT, loader: 'js' },
    outfile: join(outdir, 'index.js'),
  });
  const { version } = require(`${name}/package.json`) as { version: string };
  writeFileSync(join(outdir, 'package.json'), `${JSON.stringify({ name, version, main: 'index.js' }, null, 2)}\n`);
  console.log(`built dist/modules/${name}/index.js (${(statSync(join(outdir, 'index.js')).size / 1024).toFixed(0)} KiB)`);
}
