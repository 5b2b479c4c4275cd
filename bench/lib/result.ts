/**
 * What every benchmark section returns to `npm run bench` (bench/run.ts): its measured rows
 * for the printed table, its targets each marked pass or short, and the figures kept in the
 * JSON file and drawn in the chart. Each section is a module under bench/ exporting
 * `run(options): Promise<BenchSection>`; most can also run alone (`npm run bench:<name>`).
 */

/** One target of the issue, checked against what was measured. */
export interface Target {
  /** What is measured, e.g. "enqueue p50 / raw SDK p50". */
  readonly name: string;
  /** The measured value. */
  readonly value: number;
  /** `<=`: the value must not exceed the limit; `>=`: must reach it. */
  readonly comparison: '<=' | '>=';
  readonly limit: number;
  /** Unit for printing: "×", "W/job", "MB", "writes/s"… */
  readonly unit: string;
}

export interface BenchSection {
  /** Stable key in the JSON file, e.g. "cost", "cold-start". */
  readonly id: string;
  /** Heading printed above the table. */
  readonly title: string;
  /** Rows for console.table (and the JSON file). */
  readonly rows: readonly Record<string, string | number>[];
  readonly targets: readonly Target[];
  /** Lines printed under the table: method, caveats, what was excluded. */
  readonly notes?: readonly string[];
}

/** Options every section takes. */
export interface BenchOptions {
  /** Smaller sizes, for CI: the same measurements, fewer jobs/rows/repetitions. */
  readonly quick: boolean;
}

export function passes(target: Target): boolean {
  return target.comparison === '<=' ? target.value <= target.limit : target.value >= target.limit;
}

/** "pass" or "short by N unit (P %)": how far a missed target is from its limit. */
export function verdict(target: Target): string {
  if (passes(target)) return 'pass';
  const gap = Math.abs(target.value - target.limit);
  return `short by ${round(gap)} ${target.unit} (${round((gap / target.limit) * 100)} %)`;
}

/** Rounds for display: 3 significant decimals below 10, 1 decimal below 1,000, whole above. */
export function round(value: number): number {
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value);
  if (abs >= 10) return Math.round(value * 10) / 10;
  return Math.round(value * 1000) / 1000;
}
