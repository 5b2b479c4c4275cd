// Runs before `npm run dev` and `npm test` (plain Node: nothing is installed yet on a fresh
// clone). Installs the npm packages exactly as locked when node_modules is missing or older
// than package-lock.json, so a fresh clone needs no separate install step.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const installed = `${root}node_modules/.package-lock.json`;
const lock = `${root}package-lock.json`;
if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) process.exit(0);
console.error(existsSync(installed) ? 'package-lock.json changed since the last install: npm ci' : 'no node_modules yet: npm ci');
const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
