import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MUTATIONS } from '../../scripts/mutation/mutations.js';

// npm run mutation breaks each of these lines and needs each to be where the list says: a
// refactor that moves or rewrites one fails here, in npm test, instead of in the next mutation run.
const ROOT = new URL('../../', import.meta.url).pathname;

describe('the mutation list (scripts/mutation/mutations.ts)', () => {
  it.each(MUTATIONS.map((m) => [m.name, m] as const))('%s: its line occurs exactly once in its file, and its tests exist', (_name, mutation) => {
    const text = readFileSync(join(ROOT, mutation.file), 'utf8');
    expect(text.split(mutation.find).length - 1).toBe(1);
    expect(mutation.replace).not.toBe(mutation.find);
    for (const test of mutation.tests) expect(existsSync(join(ROOT, test))).toBe(true);
  });

  it('names each mutation once', () => {
    expect(new Set(MUTATIONS.map((m) => m.name)).size).toBe(MUTATIONS.length);
  });
});
