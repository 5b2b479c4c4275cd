/**
 * The output side of `npm run bench`: each section printed as it finishes, one summary table of
 * every target at the end, and the JSON file that keeps the run (the chart is bench/lib/chart.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, platform } from 'node:os';
import { dirname } from 'node:path';
import { passes, round, verdict, type BenchSection, type Target } from './result.js';

/** "1.21 ×", "12.5 W/job", or the bare number when the target has no unit. */
export function withUnit(value: number, unit: string): string {
  return unit ? `${round(value)} ${unit}` : `${round(value)}`;
}

/** "<= 1.5 ×": the comparison and the limit a target is held to. */
export function limitText(target: Target): string {
  return `${target.comparison} ${withUnit(target.limit, target.unit)}`;
}

/** One printed line per target: "PASS  enqueue p50 / raw SDK p50: 1.21 × (target <= 1.5 ×): pass". */
export function targetLine(target: Target): string {
  const mark = passes(target) ? 'PASS ' : 'SHORT';
  return `${mark} ${target.name}: ${withUnit(target.value, target.unit)} (target ${limitText(target)}): ${verdict(target)}`;
}

/** Prints one section: its title, its rows as a table, a line per target, then its notes. */
export function printSection(section: BenchSection): void {
  console.log(`\n${section.title}\n${'='.repeat(section.title.length)}`);
  if (section.rows.length > 0) console.table(section.rows);
  for (const target of section.targets) console.log(targetLine(target));
  for (const note of section.notes ?? []) console.log(note);
}

/** One row of the summary table. */
export interface SummaryRow {
  readonly section: string;
  readonly target: string;
  readonly value: string;
  readonly limit: string;
  readonly verdict: string;
}

/** Every target across the sections, in the order they ran. */
export function summaryRows(sections: readonly BenchSection[]): SummaryRow[] {
  return sections.flatMap((section) =>
    section.targets.map((target) => ({
      section: section.id,
      target: target.name,
      value: withUnit(target.value, target.unit),
      limit: limitText(target),
      verdict: verdict(target),
    })),
  );
}

/** Prints one table of every target across the sections, and how many pass. */
export function printSummary(sections: readonly BenchSection[]): void {
  const rows = summaryRows(sections);
  const passing = sections.flatMap((section) => section.targets).filter(passes).length;
  console.log(`\nSummary: ${passing} of ${rows.length} targets pass`);
  if (rows.length > 0) console.table(rows);
}

export interface WriteResultsOptions {
  /** Where to write the JSON file; missing folders are created. */
  readonly file: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /** Whether the run used the smaller `--quick` sizes. */
  readonly quick: boolean;
  /** What ran the AWS services, e.g. "ministack 1.2 at http://localhost:4566"; node, platform and cpus are filled in when not given. */
  readonly environment: { readonly emulator: string; readonly node?: string; readonly platform?: string; readonly cpus?: number; readonly commit?: string };
}

/** A target as kept in the JSON file: as measured, plus whether it passes and the verdict text. */
export interface TargetResult extends Target {
  readonly pass: boolean;
  readonly verdict: string;
}

/** What writeResults writes. */
export interface ResultsFile {
  readonly generatedAt: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly quick: boolean;
  readonly environment: { readonly node: string; readonly platform: string; readonly cpus: number; readonly emulator: string; readonly commit?: string };
  readonly sections: readonly (Omit<BenchSection, 'targets'> & { readonly targets: readonly TargetResult[] })[];
}

/** Builds the JSON document writeResults writes (separate, so that it can be checked without a file). */
export function resultsDocument(sections: readonly BenchSection[], options: Omit<WriteResultsOptions, 'file'>): ResultsFile {
  const { environment } = options;
  return {
    generatedAt: options.finishedAt.toISOString(),
    startedAt: options.startedAt.toISOString(),
    finishedAt: options.finishedAt.toISOString(),
    quick: options.quick,
    environment: {
      node: environment.node ?? process.version,
      platform: environment.platform ?? `${platform()} ${process.arch}`,
      cpus: environment.cpus ?? availableParallelism(),
      emulator: environment.emulator,
      ...(environment.commit ? { commit: environment.commit } : {}),
    },
    sections: sections.map((section) => ({
      ...section,
      targets: section.targets.map((target) => ({ ...target, pass: passes(target), verdict: verdict(target) })),
    })),
  };
}

/**
 * Writes the run's sections, with each target's pass state, as pretty JSON; returns what it wrote.
 * Synchronous, so that the file is complete when it returns (a run ends right after).
 */
export function writeResults(sections: readonly BenchSection[], options: WriteResultsOptions): ResultsFile {
  const { file, ...rest } = options;
  const document = resultsDocument(sections, rest);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  return document;
}
