/**
 * Prints one closing line, `N passed, N failed, N skipped`, over the JSON reports that
 * `npm test` leaves in .jobline/ (one per vitest run), and writes the run's figures to
 * .jobline/test-run.json: the commit, Node, each run's seconds (vitest's start to its last
 * file's end) and the counts. Copied to bench/results/test-run.json, they are what the README's
 * test time quotes.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { commitMeasured } from '../bench/lib/commit.js';
import { readVitestRun } from './lib/vitest-report.js';

const runs = { fast: '.jobline/results-fast.json', integration: '.jobline/results-integration.json' };
let passed = 0;
let failed = 0;
let skipped = 0;
const seconds: Record<string, number> = {};
let startedAt = Infinity;
let finishedAt = 0;
for (const [name, file] of Object.entries(runs)) {
  if (!existsSync(file)) {
    console.log(`(no report at ${file}: that run did not finish)`);
    failed++;
    continue;
  }
  const run = readVitestRun(file);
  passed += run.passed;
  failed += run.failed;
  skipped += run.skipped;
  seconds[name] = Number(((run.endTime - run.startTime) / 1000).toFixed(2));
  startedAt = Math.min(startedAt, run.startTime);
  finishedAt = Math.max(finishedAt, run.endTime);
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
if (finishedAt > 0) {
  const run = {
    what: "npm test's two vitest runs (unit, infra and package; then integration), as test-summary.ts saw them",
    commit: commitMeasured('.'),
    node: process.version,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    // From the first run's start to the second's end (the build, type check and lint before it not counted).
    seconds: Number(((finishedAt - startedAt) / 1000).toFixed(2)),
    fastProjectsSeconds: seconds.fast,
    integrationSeconds: seconds.integration,
    passed,
    failed,
    skipped,
  };
  writeFileSync('.jobline/test-run.json', `${JSON.stringify(run, null, 2)}\n`);
}
process.exit(failed > 0 ? 1 : 0);
