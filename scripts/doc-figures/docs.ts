import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The docs whose figures are checked: the three top-level ones and every page under docs/. */
export function docsWithFigures(root: string): string[] {
  const pages = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', 'RELIABILITY.md', 'BENCHMARKS.md', ...pages];
}
