import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };

// The package's public surface, entry by entry: every name each entry point exports, and
// whether it is a value or only a type. A change to the surface — an export added, removed or
// turned from a value into a type — shows up as a diff of __snapshots__/public-surface.txt
// (`npx vitest run -u test/unit/public-surface.test.ts` writes it, to be reviewed and committed).
const ROOT = new URL('../../', import.meta.url).pathname;

/** `./dist/lib/worker/index.js` → `lib/worker/index.ts`: the source each `exports` entry is built from. */
function sourceOf(built: string): string {
  return built.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts');
}

function surface(): string {
  const entries = Object.entries(pkg.exports)
    .filter(([, target]) => typeof target === 'object')
    .map(([name, target]) => ({ name: name === '.' ? 'jobline' : `jobline/${name.slice(2)}`, file: join(ROOT, sourceOf((target as { default: string }).default)) }));
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(String(d.messageText)); } })!;
  const program = ts.createProgram(entries.map((e) => e.file), { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  return entries
    .map(({ name, file }) => {
      const module = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
      const lines = checker.getExportsOfModule(module).map((symbol) => {
        const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
        const isValue = (target.flags & ts.SymbolFlags.Value) !== 0;
        return `  ${symbol.name}${isValue ? '' : ' (type)'}`;
      });
      return [`${name}:`, ...lines.sort()].join('\n');
    })
    .join('\n\n');
}

describe('the public surface', () => {
  it('is what __snapshots__/public-surface.txt lists, entry by entry', async () => {
    await expect(`${surface()}\n`).toMatchFileSnapshot('./__snapshots__/public-surface.txt');
  }, 60_000);
});
