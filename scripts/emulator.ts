/**
 * `npm run emulator`: starts ministack on 127.0.0.1:4566 (or reuses what answers at
 * AWS_ENDPOINT_URL) and keeps it up until Ctrl-C. `npm run emulator -- --install` only
 * installs the pinned ministack into .jobline/venv. (A user's project: `npx jobline emulator start`.)
 */
import { ensureEmulator, installMinistack } from '../lib/local/emulator.js';

const ROOT = new URL('../', import.meta.url).pathname;

if (process.argv.includes('--install')) {
  installMinistack(ROOT, (line) => console.log(line));
  console.log('emulator: ministack is installed in .jobline/venv');
} else {
  const emulator = await ensureEmulator({ projectDir: ROOT, log: (line) => console.log(line) });
  console.log(`AWS_ENDPOINT_URL=${emulator.endpoint} — press Ctrl-C to stop${emulator.started ? '' : ' (it was already running: Ctrl-C leaves it up)'}`);
  process.on('SIGINT', () => void emulator.stop().then(() => process.exit(0)));
  setInterval(() => {}, 1 << 30);
}
