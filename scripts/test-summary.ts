/**
 * Prints one closing line, `N passed, N failed, N skipped`, over the JSON reports that
 * `npm test` leaves in .jobline/ (one per vitest run).
 */
import { existsSync, readFileSync } from 'node:fs';

const files = ['.jobline/results-fast.json', '.jobline/results-integration.json'];
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of files) {
  if (!existsSync(file)) {
    console.log(`(no report at ${file}: that run did not finish)`);
    failed++;
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
