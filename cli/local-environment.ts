import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where `npm run dev` records the emulator it deployed to, relative to the project. */
export const LOCAL_ENVIRONMENT_FILE = join('.jobline', 'environment.json');

/** What `npm run dev` leaves behind for the CLI: the emulator's endpoint and region, and the stack it deployed. */
export interface LocalEnvironment {
  readonly endpoint: string;
  readonly region: string;
  readonly stack: string;
  /** The file it was read from. */
  readonly file: string;
}

/**
 * The local emulator the CLI should use: the nearest `.jobline/environment.json` from `cwd`
 * upwards, unless the caller chose a target themselves (`AWS_ENDPOINT_URL` or `AWS_PROFILE`
 * set). Undefined when there is none; throws when the file is not what `npm run dev` writes.
 */
export function findLocalEnvironment(cwd: string, env: NodeJS.ProcessEnv): LocalEnvironment | undefined {
  if (env.AWS_ENDPOINT_URL || env.AWS_PROFILE) return undefined;
  for (let dir = cwd; ; dir = dirname(dir)) {
    const file = join(dir, LOCAL_ENVIRONMENT_FILE);
    if (existsSync(file)) return read(file);
    if (dirname(dir) === dir) return undefined;
  }
}

/** Points this process's AWS SDK clients at the local emulator (dummy credentials unless some are set). */
export function useLocalEnvironment(local: LocalEnvironment, env: NodeJS.ProcessEnv): void {
  env.AWS_ENDPOINT_URL = local.endpoint;
  env.AWS_REGION ??= local.region;
  env.AWS_ACCESS_KEY_ID ??= 'test';
  env.AWS_SECRET_ACCESS_KEY ??= 'test';
}

function read(file: string): LocalEnvironment {
  let parsed: Partial<LocalEnvironment>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalEnvironment>;
  } catch (error) {
    throw new Error(`${file} is not JSON (${(error as Error).message}): delete it, or run \`npm run dev\` again`);
  }
  if (typeof parsed.endpoint !== 'string' || typeof parsed.region !== 'string' || typeof parsed.stack !== 'string') {
    throw new Error(`${file} needs "endpoint", "region" and "stack" strings: delete it, or run \`npm run dev\` again`);
  }
  return { endpoint: parsed.endpoint, region: parsed.region, stack: parsed.stack, file };
}
