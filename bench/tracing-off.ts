/**
 * What tracing costs while it is off (issue 27): this checkout against an earlier commit (by
 * default cc184c8, the last before tracing), side by side on this machine.
 *
 * - The one-kind worker bundle (bench/cold-start/worker-entry.ts, built as bench/cold-start.ts
 *   builds it): its bytes.
 * - jobline's own CPU per job: bench/tracing-off/jobs-entry.ts built for each checkout,
 *   both loaded into one Node process and run in turns (30 rounds of 5,000 jobs, the order
 *   flipping each round), CPU time per round from process.cpuUsage.
 *
 * Run: npx tsx bench/tracing-off.ts [commit]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { median } from './lib/stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const before = process.argv[2] ?? 'cc184c8';
const ROUNDS = 30;
const dir = mkdtempSync(join(tmpdir(), 'jobline-tracing-off-'));
const earlier = join(dir, 'before');

try {
  execFileSync('git', ['worktree', 'add', '--detach', earlier, before], { cwd: ROOT, stdio: 'ignore' });
  symlinkSync(join(ROOT, 'node_modules'), join(earlier, 'node_modules'));
  const checkouts = { after: ROOT, before: earlier };
  const bytes: Record<string, number> = {};
  const modules: Record<string, { run: () => Promise<void> }> = {};
  for (const [name, root] of Object.entries(checkouts)) {
    const bundle = join(dir, `worker-${name}.js`);
    await build({ entryPoints: [join(root, 'bench/cold-start/worker-entry.ts')], tsconfig: join(root, 'tsconfig.json'), bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, outfile: bundle, logLevel: 'warning' });
    bytes[name] = statSync(bundle).size;
    const entry = join(dir, `jobs-${name}.ts`);
    writeFileSync(entry, readFileSync(join(ROOT, 'bench/tracing-off/jobs-entry.ts'), 'utf8').replaceAll("'../../lib/", `'${root}/lib/`));
    const jobs = join(dir, `jobs-${name}.mjs`);
    await build({ entryPoints: [entry], nodePaths: [join(ROOT, 'node_modules')], bundle: true, platform: 'node', target: 'node22', format: 'esm', minify: true, outfile: jobs, logLevel: 'warning', banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" } });
    modules[name] = await import(pathToFileURL(jobs).href) as { run: () => Promise<void> };
  }
  const cpuMs = async (name: string) => {
    const start = process.cpuUsage();
    await modules[name]!.run();
    const spent = process.cpuUsage(start);
    return (spent.user + spent.system) / 1000;
  };
  for (let i = 0; i < 3; i++) for (const name of ['after', 'before']) await cpuMs(name);
  const ms: Record<string, number[]> = { after: [], before: [] };
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ['after', 'before'] : ['before', 'after'];
    const spent: Record<string, number> = {};
    for (const name of order) spent[name] = await cpuMs(name);
    ms.after!.push(spent.after!);
    ms.before!.push(spent.before!);
    ratios.push(spent.after! / spent.before!);
  }
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dirty = execFileSync('git', ['status', '--porcelain', '--', 'lib'], { cwd: ROOT, encoding: 'utf8' }).trim() ? ' (lib/ modified)' : '';
  console.log(`tracing off: this checkout (${commit}${dirty}) against ${before}, ${new Date().toISOString()}, Node ${process.version}`);
  console.log(`worker bundle bytes: ${bytes.after} against ${bytes.before} (${bytes.after! - bytes.before!} more)`);
  console.log(`CPU ms per 5,000 jobs (median of ${ROUNDS} rounds): ${median(ms.after!).toFixed(1)} against ${median(ms.before!).toFixed(1)}; ratio per round: median ${median(ratios).toFixed(3)}, min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)}`);
} finally {
  execFileSync('git', ['worktree', 'remove', '--force', earlier], { cwd: ROOT, stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}
