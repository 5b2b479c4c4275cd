import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;
/** Where the packed package goes: the examples' `package.json` point at it. */
export const PACKED_TARBALL = join(ROOT, '.jobline', 'pack', 'jobline.tgz');

/**
 * Packs jobline as `npm publish` would (`npm pack`, from the built `dist/`) into
 * {@link PACKED_TARBALL}, and returns its path. The build must have run (`npm run build`).
 */
export function packJobline(): string {
  if (!existsSync(join(ROOT, 'dist', 'lib', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` before packing');
  const dir = join(ROOT, '.jobline', 'pack');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // --ignore-scripts: prepack would build again; the caller built already.
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' })) as Array<{ filename: string }>;
  renameSync(join(dir, packed!.filename), PACKED_TARBALL);
  return PACKED_TARBALL;
}
