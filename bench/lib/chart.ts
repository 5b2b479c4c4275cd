/**
 * The chart of a `npm run bench` run: one SVG of small panels stacked top to bottom, drawn by
 * Vega-Lite (compiled to Vega, rendered headless with `renderer: 'none'`, no browser or canvas).
 *
 * Which panels are drawn depends only on the section ids and column names below; a panel whose
 * section is absent, or whose columns are missing or not numeric, is left out, and columns a
 * panel does not know are ignored:
 *
 * - `cost` section → horizontal bars of `$ per million` (COST_VALUE_COLUMN) per `scenario`
 *   (COST_LABEL_COLUMNS: the first that rows have as text), sorted, each labelled with its value.
 * - `break-even` section → a line per series of monthly $ against `jobs/month`
 *   (BREAK_EVEN_X_COLUMN: a number, or a count such as "10 M" or "1 B"), both on log scales,
 *   x at least 1e6..1e10. Every numeric column with `$` in its name is a series, named without
 *   the `$` ("$ Redis + workers" → "Redis + workers", "jobline full $/mo" → "jobline full").
 *   When rows have a `handler` column (BREAK_EVEN_VARIANT_COLUMNS) with several values, each
 *   series is drawn once per value, solid for the first and dashed for the others.
 * - every target of every section → a bar of measured value / limit, a rule at 1, coloured pass
 *   or short: for a `<=` target a bar that stops left of the rule passes, for `>=` one that reaches it.
 *
 * Panels are functions from the sections to a Vega-Lite view (or undefined), listed in PANELS.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { passes, round, type BenchSection } from './result.js';

export const COST_SECTION = 'cost';
export const COST_LABEL_COLUMNS = ['scenario', 'path'] as const;
export const COST_VALUE_COLUMN = '$ per million';
export const BREAK_EVEN_SECTION = 'break-even';
export const BREAK_EVEN_X_COLUMN = 'jobs/month';
/** A column that splits each series into variants (e.g. without and with handler time), drawn dashed. */
export const BREAK_EVEN_VARIANT_COLUMNS = ['handler'] as const;
/** The x range the break-even panel always shows (widened when rows go beyond it). */
export const BREAK_EVEN_X_RANGE = [1e6, 1e10] as const;

/** One panel of the vertical concat. */
type Panel = Extract<TopLevelSpec, { vconcat: unknown }>['vconcat'][number];
/** A single view's channels, and one position channel (x or y). */
type Encoding = NonNullable<Extract<Panel, { mark: unknown }>['encoding']>;
type Position = NonNullable<Encoding['x']>;

const WIDTH = 520;
/** Band per bar: one line of label, or two when a label wraps. */
const BAR_STEP = 24;
const WRAPPED_BAR_STEP = 34;
/**
 * Bar labels longer than this many characters wrap onto a second line (at the last space that
 * fits). Without a canvas Vega estimates text at 0.8 × font size per character, wider than
 * it draws, so LABEL_LIMIT (in estimated pixels) fits about 40 characters per line.
 */
const WRAP_AT = 38;
const LABEL_LIMIT = 360;
const PASS_COLOR = '#2e7d32';
const SHORT_COLOR = '#c62828';
/** Stroke dashes of a series' variants, in order: solid, then dashed. */
const DASHES = [[1, 0], [6, 4], [2, 3], [10, 3, 2, 3]];

/** The panels, in the order they are stacked; each returns undefined when it has nothing to draw. */
const PANELS: readonly ((sections: readonly BenchSection[]) => Panel | undefined)[] = [costPanel, breakEvenPanel, targetsPanel];

/** Renders the run's chart as an SVG document. */
export async function renderChart(sections: readonly BenchSection[]): Promise<string> {
  const panels = PANELS.map((panel) => panel(sections)).filter((panel): panel is Panel => panel !== undefined);
  const spec: TopLevelSpec =
    panels.length > 0
      ? {
          $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
          vconcat: panels,
          spacing: 36,
          // Each panel keeps its own colours and legend (the series of one are not the pass/short of another).
          resolve: { scale: { color: 'independent', strokeDash: 'independent' }, legend: { color: 'independent', strokeDash: 'independent' } },
          config: CONFIG,
        }
      : {
          data: { values: [{ text: 'No benchmark figures to draw' }] },
          mark: { type: 'text', fontSize: 14 },
          encoding: { text: { field: 'text', type: 'nominal' } },
          config: CONFIG,
        };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders the chart and writes it to `file`, creating missing folders. */
export async function writeChart(sections: readonly BenchSection[], file: string): Promise<void> {
  const svg = await renderChart(sections);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, svg);
}

const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  background: 'white',
  padding: 16,
  title: { anchor: 'start', frame: 'group', fontSize: 15, subtitleFontSize: 12, subtitleColor: '#555', offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: LABEL_LIMIT },
  view: { stroke: null },
} as const;

/** The y axis of a bar panel: labels wrapped onto at most two lines, no ticks. */
function barAxis() {
  const label = 'datum.label';
  const cut = `lastindexof(substring(${label}, 0, ${WRAP_AT + 1}), ' ')`;
  const labelExpr = `length(${label}) <= ${WRAP_AT} || ${cut} <= 0 ? ${label} : [substring(${label}, 0, ${cut}), substring(${label}, ${cut} + 1)]`;
  return { labelExpr, labelLimit: LABEL_LIMIT, ticks: false, domain: false, labelPadding: 6 };
}

/** The band of a bar panel with these labels. */
function barStep(labels: readonly string[]): { step: number } {
  return { step: labels.some((label) => label.length > WRAP_AT) ? WRAPPED_BAR_STEP : BAR_STEP };
}

function findSection(sections: readonly BenchSection[], id: string): BenchSection | undefined {
  return sections.find((section) => section.id === id);
}

function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

const SUFFIXES: Record<string, number> = { k: 1e3, K: 1e3, M: 1e6, B: 1e9, G: 1e9, T: 1e12 };

/** A number, or one written for people: "1 M", "10 B", "1,000,000", "$1,234.5", "1e7"; else undefined. */
export function quantity(value: unknown): number | undefined {
  if (typeof value !== 'string') return finiteNumber(value);
  const match = /^\s*\$?\s*([-+]?[\d,]*\.?\d+(?:[eE][-+]?\d+)?)\s*([kKMBGT])?\s*$/.exec(value);
  if (!match) return undefined;
  const number = Number(match[1]!.replace(/,/g, '')) * (match[2] ? SUFFIXES[match[2]]! : 1);
  return finiteNumber(number);
}

/** Bars of $ per million jobs, one per scenario, largest on top. */
function costPanel(sections: readonly BenchSection[]): Panel | undefined {
  const section = findSection(sections, COST_SECTION);
  if (!section) return undefined;
  const labelColumn = COST_LABEL_COLUMNS.find((column) => section.rows.some((row) => typeof row[column] === 'string'));
  if (!labelColumn) return undefined;
  const values = section.rows.flatMap((row) => {
    const label = row[labelColumn];
    const dollars = finiteNumber(row[COST_VALUE_COLUMN]);
    return typeof label === 'string' && dollars !== undefined ? [{ label, dollars }] : [];
  });
  if (values.length === 0) return undefined;
  const largest = Math.max(...values.map((value) => value.dollars), 0);
  // Sorted here rather than by a sort on a field, which Vega-Lite resolves differently per layer.
  const order = [...values].sort((a, b) => b.dollars - a.dollars).map((value) => value.label);
  const y: Position = {
    field: 'label',
    type: 'nominal',
    sort: [...new Set(order)],
    title: null,
    axis: barAxis(),
  };
  const x: Position = {
    field: 'dollars',
    type: 'quantitative',
    title: '$ per million jobs',
    // Room right of the longest bar for its label.
    scale: { domain: [0, largest > 0 ? largest * 1.15 : 1], nice: false },
    axis: { format: '$,.2~f', tickCount: 6 },
  };
  return {
    title: { text: section.title, subtitle: '$ per million jobs, by scenario' },
    data: { values },
    width: WIDTH,
    height: barStep(order),
    layer: [
      { mark: { type: 'bar', color: '#4c78a8', height: { band: 0.7 } }, encoding: { y, x } },
      {
        mark: { type: 'text', align: 'left', baseline: 'middle', dx: 4, fontSize: 11 },
        encoding: { y, x, text: { field: 'dollars', type: 'quantitative', format: '$,.2f' } },
      },
    ],
  };
}

/** The powers of ten from the one at or below `low` to the one at or above `high` (at least two). */
function decades(low: number, high: number): number[] {
  const first = Math.floor(Math.log10(low));
  const last = Math.max(Math.ceil(Math.log10(high)), first + 1);
  const ticks: number[] = [];
  for (let exponent = first; exponent <= last; exponent++) ticks.push(10 ** exponent);
  return ticks;
}

/** A Vega expression labelling an axis value as 1k, 10M, 1B… (after `prefix`). */
function shortNumber(prefix: string): string {
  const steps: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  const plain = `'${prefix}' + format(datum.value, '~r')`;
  return steps.reduceRight(
    (otherwise, [size, suffix]) => `datum.value >= ${size} ? '${prefix}' + format(datum.value / ${size}, '~r') + '${suffix}' : ${otherwise}`,
    plain,
  );
}

/** "jobline full $/mo" → "jobline full", "$ Redis + workers" → "Redis + workers". */
export function seriesName(column: string): string {
  const name = column
    .replace(/\$\s*(\/|per|a)\s*(mo|month)\b/i, '')
    .replace(/\$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return name || column;
}

/** Monthly $ against jobs per month, one line per `$` column (dashed per variant), log on both axes. */
function breakEvenPanel(sections: readonly BenchSection[]): Panel | undefined {
  const section = findSection(sections, BREAK_EVEN_SECTION);
  if (!section) return undefined;
  const columns = [...new Set(section.rows.flatMap((row) => Object.keys(row)))];
  const seriesColumns = columns.filter(
    (column) => column !== BREAK_EVEN_X_COLUMN && column.includes('$') && section.rows.some((row) => typeof row[column] === 'number'),
  );
  const variantColumn = BREAK_EVEN_VARIANT_COLUMNS.find((column) => section.rows.some((row) => row[column] !== undefined));
  // Log scales: only positive values can be drawn.
  const values = section.rows.flatMap((row) => {
    const jobs = quantity(row[BREAK_EVEN_X_COLUMN]);
    if (jobs === undefined || jobs <= 0) return [];
    const variant = variantColumn === undefined ? '' : String(row[variantColumn] ?? '');
    return seriesColumns.flatMap((column) => {
      const dollars = quantity(row[column]);
      return dollars !== undefined && dollars > 0 ? [{ jobs, series: seriesName(column), variant, dollars }] : [];
    });
  });
  if (values.length === 0) return undefined;
  const jobs = values.map((value) => value.jobs);
  const dollars = values.map((value) => value.dollars);
  const xDomain = [Math.min(BREAK_EVEN_X_RANGE[0], ...jobs), Math.max(BREAK_EVEN_X_RANGE[1], ...jobs)];
  const yTicks = decades(Math.min(...dollars), Math.max(...dollars));
  const variants = [...new Set(values.map((value) => value.variant))];
  const encoding: Encoding = {
    x: {
      field: 'jobs',
      type: 'quantitative',
      title: 'jobs per month (log scale)',
      scale: { type: 'log', domain: xDomain },
      axis: { values: decades(xDomain[0]!, xDomain[1]!), labelExpr: shortNumber('') },
    },
    y: {
      field: 'dollars',
      type: 'quantitative',
      title: 'monthly $ (log scale)',
      scale: { type: 'log', domain: [yTicks[0]!, yTicks[yTicks.length - 1]!] },
      axis: { values: yTicks, labelExpr: shortNumber('$') },
    },
    color: {
      field: 'series',
      type: 'nominal',
      title: 'monthly cost of',
      sort: [...new Set(seriesColumns.map(seriesName))],
      legend: { symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolSize: 400, orient: 'right' },
    },
    // One line per series and variant: solid for the first variant, dashed for the others.
    ...(variants.length > 1
      ? {
          strokeDash: {
            field: 'variant',
            type: 'nominal',
            title: variantColumn ?? null,
            sort: variants,
            scale: { domain: variants, range: DASHES.slice(0, variants.length) },
            legend: {
              symbolType: 'stroke',
              symbolStrokeWidth: 2,
              symbolSize: 400,
              symbolStrokeColor: '#333',
              orient: 'right',
            },
          },
        }
      : {}),
  };
  return {
    title: { text: section.title, subtitle: 'monthly $ by jobs per month; where two lines cross, the cheaper option changes' },
    data: { values },
    width: WIDTH,
    height: 280,
    // No points on the lines: their legend would hide the dashes.
    mark: { type: 'line', strokeWidth: 2 },
    encoding,
  };
}

/** A bar per target of measured value / limit, with a rule at 1 (the limit itself). */
function targetsPanel(sections: readonly BenchSection[]): Panel | undefined {
  const targets = sections.flatMap((section) => section.targets.map((target) => ({ section, target })));
  if (targets.length === 0) return undefined;
  const ratios = targets.map(({ target }) => (target.limit !== 0 ? target.value / target.limit : passes(target) ? 1 : Infinity));
  const finite = ratios.filter((ratio) => Number.isFinite(ratio));
  // Past 3× the limit, bars stop at the edge (their label still says the value).
  const cap = Math.min(Math.max(1.5, ...finite.map((ratio) => ratio * 1.1)), 3);
  const values = targets.map(({ section, target }, index) => {
    const ratio = ratios[index]!;
    const comparison = target.comparison === '<=' ? '≤' : '≥';
    const unit = target.unit ? ` ${target.unit}` : '';
    return {
      target: `${section.id}: ${target.name}`,
      shown: Math.max(0, Math.min(Number.isFinite(ratio) ? ratio : cap, cap)),
      state: passes(target) ? 'pass' : 'short',
      text: `${round(target.value)}${unit} (${comparison} ${round(target.limit)}${unit})${ratio > cap ? ' ▸ off scale' : ''}`,
    };
  });
  const y: Position = {
    field: 'target',
    type: 'nominal',
    sort: [...new Set(values.map((value) => value.target))],
    title: null,
    axis: barAxis(),
  };
  const x: Position = {
    field: 'shown',
    type: 'quantitative',
    title: 'measured / limit (the dashed line at 1 is the limit)',
    scale: { domain: [0, cap], nice: false },
    axis: { format: '~r', tickCount: 6 },
  };
  return {
    title: { text: 'Targets', subtitle: 'each target against its limit: green passes, red falls short; measured value (limit) on the right' },
    width: WIDTH,
    height: barStep(values.map((value) => value.target)),
    layer: [
      {
        data: { values },
        layer: [
          {
            mark: { type: 'bar', height: { band: 0.7 } },
            encoding: {
              y,
              x,
              color: {
                field: 'state',
                type: 'nominal',
                title: null,
                scale: { domain: ['pass', 'short'], range: [PASS_COLOR, SHORT_COLOR] },
                legend: { orient: 'top', direction: 'horizontal' },
              },
            },
          },
          {
            // Measured value and limit in a column right of the plot, clear of the bars and the rule.
            mark: { type: 'text', align: 'left', baseline: 'middle', fontSize: 11 },
            encoding: { y, x: { value: WIDTH + 10 }, text: { field: 'text', type: 'nominal' } },
          },
        ],
      },
      {
        data: { values: [{ limit: 1 }] },
        mark: { type: 'rule', color: '#222', strokeDash: [4, 3], strokeWidth: 1.5 },
        encoding: { x: { field: 'limit', type: 'quantitative' } },
      },
    ],
  };
}
