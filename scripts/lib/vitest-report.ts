import { readFileSync } from 'node:fs';

/** What a vitest JSON report (`--outputFile.json`) holds that jobline's run summaries read. */
interface VitestReport {
  readonly startTime: number;
  readonly numPassedTests: number;
  readonly numFailedTests: number;
  readonly numPendingTests: number;
  readonly numTodoTests: number;
  readonly testResults: ReadonlyArray<{ readonly endTime: number }>;
}

/** One vitest run, from its JSON report: when it started, when its last file ended, and its counts. */
export interface VitestRun {
  readonly startTime: number;
  readonly endTime: number;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

export function readVitestRun(file: string): VitestRun {
  const report = JSON.parse(readFileSync(file, 'utf8')) as VitestReport;
  return {
    startTime: report.startTime,
    endTime: Math.max(report.startTime, ...report.testResults.map((result) => result.endTime)),
    passed: report.numPassedTests,
    failed: report.numFailedTests,
    skipped: report.numPendingTests + report.numTodoTests,
  };
}
