/**
 * The saved results the docs quote (bench/results/*.json), and how a doc names one figure in
 * them: `bench: throughput > jobline worker, tracking "full" > jobs/s` — the file, then a path of
 * keys separated by " > ". A key that an object lacks is looked for in the lists results keep
 * their entries in (`sections`, `rows`, `targets`, `tests`, `figures`), and a list's entry is
 * the one whose `id`, `name` or first field equals the key, or else the only one whose label starts
 * with it (or `#3` for the fourth).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The files under bench/results/ a doc may quote, by the name a marker uses. */
export const RESULT_FILES = {
  bench: 'bench/results/bench.json',
  reliability: 'bench/results/reliability.json',
  'test-run': 'bench/results/test-run.json',
  mutation: 'bench/results/mutation.json',
} as const;

export type ResultName = keyof typeof RESULT_FILES;
export type Results = Partial<Record<ResultName, unknown>>;

/** Where a result's entries are kept when they are not a key of the object itself. */
const CONTAINERS = ['sections', 'rows', 'targets', 'tests', 'figures'];

export class FigureReferenceError extends Error {}

/** Reads every results file that exists under `root`. */
export function loadResults(root: string): Results {
  const results: Results = {};
  for (const [name, file] of Object.entries(RESULT_FILES)) {
    try {
      results[name as ResultName] = JSON.parse(readFileSync(join(root, file), 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return results;
}

/** Splits `bench: a > b > c` into the file and its keys. */
export function parseReference(reference: string): { file: ResultName; keys: string[] } {
  const match = /^\s*([\w-]+)\s*:\s*(.*?)\s*$/s.exec(reference);
  if (!match || !(match[1]! in RESULT_FILES)) {
    throw new FigureReferenceError(`"${reference}" names no results file (one of ${Object.keys(RESULT_FILES).join(', ')}, then ":")`);
  }
  const keys = match[2] === '' ? [] : match[2]!.split('>').map((key) => key.trim());
  return { file: match[1] as ResultName, keys };
}

/** The entry of a list a key names: by `#index`, by its id, name or first field, or else as the only one whose label starts with the key. */
export function entryOf(list: readonly unknown[], key: string): unknown {
  const index = /^#(\d+)$/.exec(key);
  if (index) return list[Number(index[1])];
  const labels = (entry: unknown): unknown[] => {
    if (typeof entry !== 'object' || entry === null) return [entry];
    const record = entry as Record<string, unknown>;
    return [record.id, record.name, Object.values(record)[0]];
  };
  let found = list.filter((entry) => labels(entry).includes(key));
  // A long label may be named by how it starts ("jobline worker, tracking "full"" for its row).
  if (found.length === 0) found = list.filter((entry) => labels(entry).some((label) => typeof label === 'string' && label.startsWith(key)));
  if (found.length > 1) throw new FigureReferenceError(`"${key}" matches ${found.length} entries; name one by more of its label or by its index (#0, #1, …)`);
  return found[0];
}

function step(node: unknown, key: string): unknown {
  if (Array.isArray(node)) return entryOf(node, key);
  if (typeof node !== 'object' || node === null) return undefined;
  const record = node as Record<string, unknown>;
  if (key in record) return record[key];
  for (const container of CONTAINERS) {
    const inner = record[container];
    if (inner === undefined) continue;
    const found = step(inner, key);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The value a reference names; throws when a key is not there. */
export function resolveReference(results: Results, reference: string): unknown {
  const { file, keys } = parseReference(reference);
  if (results[file] === undefined) throw new FigureReferenceError(`${RESULT_FILES[file]} is missing (named by "${reference}")`);
  let node: unknown = results[file];
  for (const [i, key] of keys.entries()) {
    node = step(node, key);
    if (node === undefined) throw new FigureReferenceError(`"${reference}": no "${key}" after "${keys.slice(0, i).join(' > ') || file}"`);
  }
  return node;
}
