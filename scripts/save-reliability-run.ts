/**
 * Adds the whole `npm run reliability` run — how long vitest took from its start to the last
 * file's end, and how many tests passed and failed — to bench/results/reliability.json, from the
 * JSON report vitest leaves (default .jobline/results.json; another path as the argument).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { commitMeasured } from '../bench/lib/commit.js';
import { readVitestRun } from './lib/vitest-report.js';

const ROOT = new URL('../', import.meta.url).pathname;
const RESULTS = `${ROOT}bench/results/reliability.json`;
const reportFile = process.argv[2] ?? `${ROOT}.jobline/results.json`;

const report = readVitestRun(reportFile);
const seconds = (report.endTime - report.startTime) / 1000;
const saved = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>) : {};
const run = { commit: commitMeasured(ROOT), startedAt: new Date(report.startTime).toISOString(), seconds: Number(seconds.toFixed(1)), passed: report.passed, failed: report.failed };
writeFileSync(RESULTS, `${JSON.stringify({ ...saved, run }, null, 2)}\n`);
console.log(`reliability: ${run.passed} passed, ${run.failed} failed in ${run.seconds} s (vitest's start to its last file's end); saved in ${RESULTS}`);
