import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = new URL('../../..', import.meta.url).pathname;

/** Runs the compiled CLI against the test stack (`--stack JoblineTest`), as a user's shell would; its exit code and output. */
export async function jobline(...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run('node', [`${ROOT}dist/cli/jobline.js`, '--stack', 'JoblineTest', ...args], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}
