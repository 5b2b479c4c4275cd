import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as z from 'zod';
import type { JoblineConfig } from '../config.js';
import { isLoopback } from './loopback.js';

/** Where `jobline deploy --local` records the emulator it deployed to, relative to the project. */
export const ENVIRONMENT_FILE = join('.jobline', 'environment.json');

/** What one deployed stack offers, as recorded in the environment file. */
export interface LocalStackEntry {
  /** Every output of the stack, by its key. */
  readonly outputs: Readonly<Record<string, string>>;
  readonly queues: Readonly<Record<string, { readonly config: JoblineConfig; readonly apiUrl?: string | undefined }>>;
  readonly dashboards?: ReadonlyArray<{ readonly url: string; readonly userPoolId?: string | undefined }> | undefined;
}

/** What `jobline deploy --local` leaves for the CLI, `loadConfig` and `jobline/testing`. */
export interface LocalEnvironment {
  readonly endpoint: string;
  readonly region: string;
  /** The stacks deployed there, by name. */
  readonly stacks: Readonly<Record<string, LocalStackEntry>>;
}

/** A {@link LocalEnvironment} as read, with the file it came from. */
export interface FoundEnvironment extends LocalEnvironment {
  readonly file: string;
}

/** The settings that choose a target themselves: with any of them set, the environment file is ignored. */
export const TARGET_VARIABLES = ['AWS_ENDPOINT_URL', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SESSION_TOKEN'] as const;

const fileSchema = z.object({
  endpoint: z.string(),
  region: z.string().min(1),
  stacks: z.record(z.string(), z.object({
    outputs: z.record(z.string(), z.string()),
    queues: z.record(z.string(), z.object({ config: z.any(), apiUrl: z.string().optional() })),
    dashboards: z.array(z.object({ url: z.string(), userPoolId: z.string().optional() })).optional(),
  })),
});

/** The project `cwd` is in: the nearest folder from `cwd` upwards with a `package.json`, else `cwd`. */
export function projectRoot(cwd: string): string {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return cwd;
  }
}

/**
 * The environment file of the project `cwd` is in — looked for from `cwd` up to the
 * project's root, never above it — unless the caller chose a target (one of
 * {@link TARGET_VARIABLES} is set: then `ignored` says which). Throws when the file is not
 * what `jobline deploy --local` writes, or names an endpoint off this machine: a file
 * planted in a folder cannot send an operator's requests anywhere but the loopback.
 */
export function findLocalEnvironment(cwd: string, env: NodeJS.ProcessEnv): { found?: FoundEnvironment; ignored?: string } {
  const root = projectRoot(cwd);
  for (let dir = cwd; ; dir = dirname(dir)) {
    const file = join(dir, ENVIRONMENT_FILE);
    if (existsSync(file)) {
      const chosen = TARGET_VARIABLES.find((name) => env[name]);
      if (chosen) return { ignored: `${file} is ignored: ${chosen} is set` };
      return { found: readEnvironmentFile(file) };
    }
    if (dir === root || dirname(dir) === dir) return {};
  }
}

/** Reads and checks an environment file. */
export function readEnvironmentFile(file: string): FoundEnvironment {
  const redo = 'delete it, or run `npx jobline deploy --local` again';
  if (!existsSync(file)) throw new Error(`${file} does not exist: deploy your app to the local emulator first (\`npx jobline deploy --local\`, or startLocalApp in your tests' global setup)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not JSON (${(error as Error).message}): ${redo}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${file} is not what \`jobline deploy --local\` writes (${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}): ${redo}`);
  let url: URL | undefined;
  try {
    url = new URL(parsed.data.endpoint);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || !isLoopback(url.hostname)) {
    throw new Error(`${file} names the endpoint ${JSON.stringify(parsed.data.endpoint)}, which is not on this machine: jobline takes only loopback endpoints (127.0.0.1, localhost) from it. Delete it, or set AWS_ENDPOINT_URL yourself`);
  }
  return { ...(parsed.data as LocalEnvironment), file };
}

/** Writes the environment file of the project in `projectDir`; returns its path. */
export function writeEnvironmentFile(projectDir: string, environment: LocalEnvironment): string {
  const file = join(projectDir, ENVIRONMENT_FILE);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(environment, null, 2)}\n`);
  return file;
}

/** Points this process's AWS SDK clients at the local emulator, with dummy credentials. */
export function useLocalEnvironment(local: LocalEnvironment, env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_ENDPOINT_URL = local.endpoint;
  env.AWS_REGION = local.region;
  env.AWS_ACCESS_KEY_ID = 'test';
  env.AWS_SECRET_ACCESS_KEY = 'test';
  delete env.AWS_SESSION_TOKEN;
  delete env.AWS_PROFILE;
}
