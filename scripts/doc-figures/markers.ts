/**
 * Figures in the docs, tied to the saved results they quote. Two kinds of marker, both HTML
 * comments (Markdown renders neither):
 *
 *   - a figure: the number right before `<!-- = bench: cost > happy path (enqueueMany) > $ per million -->`,
 *     as saved, or with options after `|`: `div 60` (divide), `times 100`, `digits 1` (fixed decimals);
 *   - a block: everything between `<!-- figures: bench: cost | columns: scenario as path; per -->`
 *     and `<!-- /figures -->`, generated from the results: a table (`columns:`, optionally
 *     `rows:` naming each row by its label or how it starts, `;` between), a section's targets (`targets`), or notes that start with given
 *     words, as paragraphs (`notes:`) or a list (`bullets:`).
 *
 * `npm run docs:figures` rewrites both from the results; `checkDoc` says where a doc differs from
 * them, and where a number that looks measured (decimals or a $ amount) is neither marked
 * nor in a paragraph marked `<!-- by hand: … -->` (measured once, not saved) or `<!-- inputs -->`
 * (prices, limits and assumptions: set, not measured).
 */
import { round } from '../../bench/lib/result.js';
import { entryOf, resolveReference, type Results } from './results.js';

export interface Problem {
  readonly line: number;
  readonly message: string;
}

const FIGURE = /(\d[\d,]*(?:\.\d+)?)<!-- = (.*?) -->/g;
const BLOCK = /(<!-- figures: (.*?) -->\n)([\s\S]*?)(<!-- \/figures -->)/g;

interface FigureOptions {
  readonly div?: number;
  readonly times?: number;
  readonly digits?: number;
}

function splitOptions(spec: string): { reference: string; options: Map<string, string> } {
  const [reference, ...rest] = spec.split('|').map((part) => part.trim());
  const options = new Map<string, string>();
  for (const option of rest) {
    const match = /^([\w-]+):?\s*(.*)$/s.exec(option);
    if (!match) throw new Error(`"${option}" is not an option (name, then its value)`);
    options.set(match[1]!, match[2]!.trim());
  }
  return { reference: reference!, options };
}

function numberOption(options: Map<string, string>, name: string): number | undefined {
  const text = options.get(name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new Error(`option ${name} needs a number, not "${text}"`);
  return value;
}

/** A figure as the docs print it: as saved (or to `digits` decimals), thousands grouped. */
export function formatFigure(value: number, options: FigureOptions = {}): string {
  const scaled = (value * (options.times ?? 1)) / (options.div ?? 1);
  const shown = options.digits === undefined ? scaled : Number(scaled.toFixed(options.digits));
  return shown.toLocaleString('en-US', { minimumFractionDigits: options.digits ?? 0, maximumFractionDigits: options.digits ?? 20 });
}

function figureText(results: Results, spec: string): string {
  const { reference, options } = splitOptions(spec);
  const value = resolveReference(results, reference);
  if (typeof value !== 'number') throw new Error(`"${reference}" is ${JSON.stringify(value)}, not a number`);
  return formatFigure(value, { div: numberOption(options, 'div'), times: numberOption(options, 'times'), digits: numberOption(options, 'digits') });
}

function cell(value: unknown): string {
  const text = typeof value === 'number' ? formatFigure(value) : Array.isArray(value) ? value.join(', ') : value === undefined || value === null ? '' : String(value);
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function listOf(node: unknown, reference: string, container: string): unknown[] {
  const inner = Array.isArray(node) ? node : (node as Record<string, unknown> | undefined)?.[container];
  if (!Array.isArray(inner)) throw new Error(`"${reference}" holds no ${container}`);
  return inner;
}

function labelsOf(text: string): string[] {
  return text.split(';').map((label) => label.trim()).filter(Boolean);
}

function rowsTable(node: unknown, reference: string, options: Map<string, string>): string {
  let rows = listOf(node, reference, 'rows') as Record<string, unknown>[];
  const wanted = options.get('rows');
  if (wanted !== undefined) {
    const labels = labelsOf(wanted);
    // A row is named as a figure's reference names one (its label, or how its label starts).
    rows = labels.map((label) => {
      const row = entryOf(rows, label);
      if (row === undefined) throw new Error(`"${reference}" has no row "${label}" (rows: names each by its label or how it starts)`);
      return row as Record<string, unknown>;
    });
  }
  const columns = labelsOf(options.get('columns')!).map((column) => {
    const [key, header] = column.split(/\s+as\s+/).map((part) => part.trim());
    return { key: key!, header: header ?? key! };
  });
  for (const { key } of columns) {
    if (!rows.some((row) => key in row)) throw new Error(`"${reference}": no row has a column "${key}"`);
  }
  return table(
    columns.map((c) => c.header),
    rows.map((row) => columns.map((c) => cell(row[c.key]))),
  );
}

interface SavedTarget {
  readonly name: string;
  readonly value: number;
  readonly comparison: string;
  readonly limit: number;
  readonly unit: string;
  readonly verdict: string;
}

function targetsTable(node: unknown, reference: string): string {
  const sections = listOf(node, reference, 'sections') as { id: string; targets: SavedTarget[] }[];
  const seen = new Set<string>();
  const rows = sections.flatMap((section) =>
    section.targets.flatMap((t) => {
      // The tracking table repeats the cost table's "full" target: list each target once.
      if (seen.has(t.name)) return [];
      seen.add(t.name);
      // As npm run bench prints a target (bench/lib/report.ts rounds it the same way).
      const unit = (value: number) => (t.unit ? `${formatFigure(round(value))} ${t.unit}` : formatFigure(round(value)));
      return [[section.id, cell(t.name), `${t.comparison.replace('<=', '≤').replace('>=', '≥')} ${unit(t.limit)}`, unit(t.value), t.verdict]];
    }),
  );
  return table(['section', 'target', 'limit', 'measured', 'verdict'], rows);
}

function notesText(node: unknown, reference: string, prefixes: string, bullet: boolean): string {
  const notes = listOf(node, reference, 'notes');
  return labelsOf(prefixes)
    .flatMap((prefix) => {
      const found = notes.filter((note): note is string => typeof note === 'string' && note.startsWith(prefix));
      if (found.length === 0) throw new Error(`"${reference}" has no note starting "${prefix}"`);
      return found;
    })
    .map((note) => (bullet ? `- ${note}` : note))
    .join(bullet ? '\n' : '\n\n');
}

/** A block's generated Markdown, from its spec (what follows `figures:`). */
export function renderBlock(results: Results, spec: string): string {
  const { reference, options } = splitOptions(spec);
  const node = resolveReference(results, reference);
  if (options.has('columns')) return rowsTable(node, reference, options);
  if (options.has('targets')) return targetsTable(node, reference);
  if (options.has('notes')) return notesText(node, reference, options.get('notes')!, false);
  if (options.has('bullets')) return notesText(node, reference, options.get('bullets')!, true);
  throw new Error(`"${spec}" says neither columns:, targets, notes: nor bullets:`);
}

function lineAt(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** The doc with every marked figure and block regenerated from the results. */
export function renderDoc(text: string, results: Results): string {
  return text
    .replace(BLOCK, (_all, open: string, spec: string, _body: string, close: string) => `${open}${renderBlock(results, spec)}\n${close}`)
    .replace(FIGURE, (_all, _old: string, spec: string) => `${figureText(results, spec)}<!-- = ${spec} -->`);
}

/** Blanks a match out, keeping its line breaks so later line numbers stay right. */
function blank(match: string): string {
  return match.replace(/[^\n]/g, ' ');
}

/** Versions (1.5.33, v24.22.3, Node 20.19, ^4.1) and addresses (127.0.0.1) are not figures. */
const DOTTED = /\bv?\d+(?:\.\d+){2,}\b|(?:\b(?:Node|Python)\s(?:≥\s)?|\^)\d+\.\d+/g;
/** What looks measured: a $ amount or a number with decimals. */
const MEASURED_LOOKING = /\$\d[\d,]*(?:\.\d+)?|(?<![\w.])\d[\d,]*\.\d+(?![\d.])/g;

/** Numbers that look measured but are neither marked nor in a paragraph marked by hand or as inputs. */
export function unmarkedFigures(text: string): Problem[] {
  const prose = text
    .replace(BLOCK, (all) => blank(all))
    .replace(/```[\s\S]*?```/g, (all) => blank(all))
    .replace(/`[^`\n]*`/g, (all) => blank(all))
    .replace(FIGURE, (all) => blank(all));
  const problems: Problem[] = [];
  let offset = 0;
  // Split with the blank lines kept, so each paragraph's offset in the text is known.
  for (const [i, paragraph] of prose.split(/(\n[ \t]*\n)/).entries()) {
    const start = offset;
    offset += paragraph.length;
    if (i % 2 === 1) continue;
    if (/<!-- (by hand|inputs)\b/.test(paragraph)) continue;
    const bare = paragraph
      .replace(/<!--[\s\S]*?-->/g, (all) => blank(all))
      .replace(/\]\([^)]*\)/g, (all) => blank(all))
      .replace(/https?:\/\/\S+/g, (all) => blank(all))
      .replace(DOTTED, (all) => blank(all));
    for (const match of bare.matchAll(MEASURED_LOOKING)) {
      problems.push({ line: lineAt(prose, start + match.index), message: `"${match[0].trim()}" looks measured but is not marked (<!-- = results: path -->, or the paragraph <!-- by hand: … --> or <!-- inputs -->)` });
    }
  }
  return problems;
}

/** Where a doc's figures and blocks differ from the results, and its unmarked measured-looking numbers. */
export function checkDoc(text: string, results: Results): Problem[] {
  const problems: Problem[] = [];
  const attempt = (index: number, what: () => void) => {
    try {
      what();
    } catch (error) {
      problems.push({ line: lineAt(text, index), message: (error as Error).message });
    }
  };
  for (const match of text.matchAll(FIGURE)) {
    attempt(match.index, () => {
      const expected = figureText(results, match[2]!);
      if (match[1] !== expected) problems.push({ line: lineAt(text, match.index), message: `${match[1]} is stale: the results say ${expected} (${match[2]})` });
    });
  }
  for (const match of text.matchAll(BLOCK)) {
    attempt(match.index, () => {
      if (match[3] !== `${renderBlock(results, match[2]!)}\n`) problems.push({ line: lineAt(text, match.index), message: `the block "${match[2]}" differs from the results (npm run docs:figures regenerates it)` });
    });
  }
  return [...problems, ...unmarkedFigures(text)].sort((a, b) => a.line - b.line);
}
