import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The Lambda functions jobline ships prebuilt (`dist/functions/<name>/index.js`, handler `index.handler`). */
export const PACKAGED_FUNCTIONS = ['sweeper', 'dispatcher', 'web-dashboard'] as const;

/** One of the functions jobline ships prebuilt. */
export type PackagedFunction = (typeof PACKAGED_FUNCTIONS)[number];

/**
 * The folder of a prebuilt function, found through module resolution of this package's own
 * name, so it is right wherever npm put jobline (hoisted, nested, linked) and in this repository.
 */
export function packagedFunctionDir(name: PackagedFunction): string {
  const root = dirname(createRequire(import.meta.url).resolve('jobline/package.json'));
  const dir = join(root, 'dist', 'functions', name);
  if (!existsSync(join(dir, 'index.js'))) {
    throw new Error(`jobline's prebuilt ${name} function is missing (${dir}): this copy of jobline was not built; in its repository run \`npm run build\``);
  }
  return dir;
}
