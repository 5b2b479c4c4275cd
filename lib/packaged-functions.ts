import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The Lambda functions jobline ships prebuilt (`dist/functions/<name>/index.js`, handler `index.handler`). */
export const PACKAGED_FUNCTIONS = ['sweeper', 'dispatcher', 'web-dashboard'] as const;

/** One of the functions jobline ships prebuilt. */
export type PackagedFunction = (typeof PACKAGED_FUNCTIONS)[number];

/**
 * Modules jobline's code loads only when it needs them: the S3 client, for results too large
 * for their records. Bundled into a function, such a module costs every cold start its parse
 * (the S3 client added about 190 KiB and 11 ms to a no-op worker's init, measured once
 * side by side in a throwaway A/B of two bundles, not saved), used or not. So jobline imports it by a name a bundler cannot follow (lib/aws/s3-result-store.ts),
 * and the JobQueue's functions carry it prebuilt (`dist/modules/<package>/`) in their
 * `node_modules`, where that import finds it on first use. An app's own import of the same
 * package is bundled as usual.
 */
export const ON_DEMAND_MODULES = ['@aws-sdk/client-s3'] as const;

/** The prebuilt copy of an on-demand module (its `index.js` and `package.json`), found as {@link packagedFunctionDir} finds functions. */
export function onDemandModuleDir(name: (typeof ON_DEMAND_MODULES)[number]): string {
  const dir = join(packageRoot(), 'dist', 'modules', name);
  if (!existsSync(join(dir, 'index.js'))) {
    throw new Error(`jobline's prebuilt ${name} is missing (${dir}): this copy of jobline was not built; in its repository run \`npm run build\``);
  }
  return dir;
}

function packageRoot(): string {
  return dirname(createRequire(import.meta.url).resolve('jobline/package.json'));
}

/**
 * The folder of a prebuilt function, found through module resolution of this package's own
 * name, so it is right wherever npm put jobline (hoisted, nested, linked) and in this repository.
 */
export function packagedFunctionDir(name: PackagedFunction): string {
  const dir = join(packageRoot(), 'dist', 'functions', name);
  if (!existsSync(join(dir, 'index.js'))) {
    throw new Error(`jobline's prebuilt ${name} function is missing (${dir}): this copy of jobline was not built; in its repository run \`npm run build\``);
  }
  return dir;
}
