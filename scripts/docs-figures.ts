/**
 * `npm run docs:figures`: rewrites every marked figure and generated block in the docs from the
 * saved results (bench/results/*.json), and lib/cost/measured-paths.ts, then lists what is still wrong — a reference that names
 * nothing, or a number that looks measured but is not marked. `--check` changes nothing and
 * exits 1 when a doc differs from the results (test/unit/doc-figures.test.ts runs the same check).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { docsWithFigures } from './doc-figures/docs.js';
import { checkDoc, renderDoc } from './doc-figures/markers.js';
import { loadResults } from './doc-figures/results.js';
import { COST_PATHS_FILE, renderCostPaths } from './doc-figures/cost-paths.js';

const ROOT = new URL('../', import.meta.url).pathname;
const checkOnly = process.argv.includes('--check');
const results = loadResults(ROOT);
let failures = 0;

for (const doc of docsWithFigures(ROOT)) {
  const path = join(ROOT, doc);
  const text = readFileSync(path, 'utf8');
  let current = text;
  if (!checkOnly) {
    try {
      current = renderDoc(text, results);
    } catch (error) {
      console.error(`${doc}: ${(error as Error).message}`);
      failures += 1;
      continue;
    }
    if (current !== text) {
      writeFileSync(path, current);
      console.log(`${doc}: figures updated`);
    }
  }
  for (const problem of checkDoc(current, results)) {
    console.error(`${doc}:${problem.line}: ${problem.message}`);
    failures += 1;
  }
}
// The measured paths the package's cost estimate reads, generated from the same run.
const costPaths = renderCostPaths(results);
const costPathsFile = join(ROOT, COST_PATHS_FILE);
const currentPaths = (() => {
  try {
    return readFileSync(costPathsFile, 'utf8');
  } catch {
    return '';
  }
})();
if (currentPaths !== costPaths) {
  if (checkOnly) {
    console.error(`${COST_PATHS_FILE}: differs from bench/results/bench.json (npm run docs:figures rewrites it)`);
    failures += 1;
  } else {
    writeFileSync(costPathsFile, costPaths);
    console.log(`${COST_PATHS_FILE}: rewritten from bench/results/bench.json`);
  }
}
if (failures > 0) {
  console.error(`${failures} problem(s)`);
  process.exit(1);
}
console.log(`docs: every marked figure, and ${COST_PATHS_FILE}, match bench/results/`);
