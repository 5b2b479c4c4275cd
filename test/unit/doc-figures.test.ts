import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { docsWithFigures } from '../../scripts/doc-figures/docs.js';
import { checkDoc, formatFigure, renderDoc, unmarkedFigures } from '../../scripts/doc-figures/markers.js';
import { loadResults, resolveReference, type Results } from '../../scripts/doc-figures/results.js';
import { COST_PATHS_FILE, renderCostPaths } from '../../scripts/doc-figures/cost-paths.js';

// The docs quote bench/results/*.json: every marked figure and generated table must match the
// saved run, and a number that looks measured must be marked (or its paragraph marked by hand
// or as inputs). `npm run docs:figures` rewrites the marked ones after a run.
const ROOT = new URL('../../', import.meta.url).pathname;

describe('the docs against bench/results', () => {
  const results = loadResults(ROOT);

  it.each(docsWithFigures(ROOT))('%s quotes the saved results and marks every measured-looking number', (doc) => {
    expect(checkDoc(readFileSync(join(ROOT, doc), 'utf8'), results)).toEqual([]);
  });

  it(`${COST_PATHS_FILE} (what jobline kinds prices with) is the saved run's units per path`, () => {
    expect(readFileSync(join(ROOT, COST_PATHS_FILE), 'utf8')).toBe(renderCostPaths(results));
  });

  it('the docs tie figures to all three results files (a doc that dropped its markers would pass the check above)', () => {
    const text = docsWithFigures(ROOT).map((doc) => readFileSync(join(ROOT, doc), 'utf8')).join('\n');
    for (const file of ['bench', 'reliability', 'test-run']) expect(text).toContain(`<!-- = ${file}: `);
    expect(text.match(/<!-- figures: bench: /g)?.length).toBeGreaterThanOrEqual(10);
  });
});

describe('doc figures (synthetic results)', () => {
  const results: Results = {
    bench: { sections: [{ id: 'cost', rows: [{ scenario: 'happy path (enqueueMany)', 'W total': 3, '$ per million': 2.05 }, { scenario: 'one retry', 'W total': 7, '$ per million': 5.21 }], notes: ['In short: cheap.', 'Other.'] }] },
    reliability: { tests: { load: { figures: { jobs: 5000, allFinalSeconds: 53.7 } } }, run: { seconds: 486.6 } },
  };

  it('finds a figure by file, section, row label (or its start) and column', () => {
    expect(resolveReference(results, 'bench: cost > happy path (enqueueMany) > $ per million')).toBe(2.05);
    expect(resolveReference(results, 'bench: cost > one ret > W total')).toBe(7);
    expect(resolveReference(results, 'reliability: load > jobs')).toBe(5000);
    expect(() => resolveReference(results, 'bench: cost > missing row > W total')).toThrow(/no "missing row"/);
    expect(() => resolveReference(results, 'nowhere: x')).toThrow(/names no results file/);
  });

  it('formats as saved, with thousands grouped and optional scaling', () => {
    expect(formatFigure(5000)).toBe('5,000');
    expect(formatFigure(0.397)).toBe('0.397');
    expect(formatFigure(486.6, { div: 60, digits: 1 })).toBe('8.1');
  });

  it('reports a stale figure and regenerates it', () => {
    const doc = 'The happy path costs $2.02<!-- = bench: cost > happy path (enqueueMany) > $ per million --> per million.\n';
    expect(checkDoc(doc, results)).toEqual([{ line: 1, message: expect.stringContaining('2.02 is stale: the results say 2.05') }]);
    const fixed = renderDoc(doc, results);
    expect(fixed).toContain('$2.05<!-- = bench:');
    expect(checkDoc(fixed, results)).toEqual([]);
  });

  it('reports a figure whose reference names nothing', () => {
    expect(checkDoc('It took 8.5<!-- = reliability: run > minutes --> minutes.\n', results)[0]!.message).toMatch(/no "minutes"/);
  });

  it('reports a generated block that differs from the results, and regenerates it', () => {
    const doc = 'Costs:\n\n<!-- figures: bench: cost | columns: scenario as path; $ per million -->\n| path | $ per million |\n| --- | --- |\n| happy path (enqueueMany) | 2.02 |\n<!-- /figures -->\n';
    expect(checkDoc(doc, results)).toEqual([{ line: 3, message: expect.stringContaining('differs from the results') }]);
    const fixed = renderDoc(doc, results);
    expect(fixed).toContain('| happy path (enqueueMany) | 2.05 |\n| one retry | 5.21 |\n<!-- /figures -->');
    expect(checkDoc(fixed, results)).toEqual([]);
    expect(renderDoc('<!-- figures: bench: cost | notes: In short -->\n<!-- /figures -->', results)).toBe('<!-- figures: bench: cost | notes: In short -->\nIn short: cheap.\n<!-- /figures -->');
  });

  it('flags an unmarked measured-looking number, and not versions, code, addresses or marked paragraphs', () => {
    const doc = [
      'The load finished in 53.7 s, at $0.31 a run.',
      '',
      'Node ≥ 20.19, ministack 1.5.33 on 127.0.0.1, zod ^4.1, `took 9.9 s` in code.',
      '',
      'Tried once at 30 % (4.5 s).<!-- by hand: one run -->',
      '',
      'W = 0.625 × W.<!-- inputs -->',
    ].join('\n');
    expect(unmarkedFigures(doc).map((p) => [p.line, p.message.split('"')[1]])).toEqual([
      [1, '53.7'],
      [1, '$0.31'],
    ]);
  });
});
