import type { TestProject } from 'vitest/node';
import { useAwsEnvironment } from '../../lib/local/aws-environment.js';
import { deployStack, type DeployedStack } from '../../scripts/lib/deploy.js';
import { ensureEmulator, type Emulator } from '../../lib/local/emulator.js';

const ROOT = new URL('../../', import.meta.url).pathname;

declare module 'vitest' {
  export interface ProvidedContext {
    stack: DeployedStack;
    endpoint: string;
  }
}

let emulator: Emulator | undefined;

/** Once per run: an emulator (reused or started), then one deploy of the test stack that every test shares. */
export async function setup(project: TestProject): Promise<void> {
  emulator = await ensureEmulator({ projectDir: ROOT });
  useAwsEnvironment(emulator.endpoint);
  const started = Date.now();
  const stack = await deployStack('JoblineTest', emulator.endpoint);
  console.error(`integration: JoblineTest deployed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide('stack', stack);
  project.provide('endpoint', emulator.endpoint);
}

export async function teardown(): Promise<void> {
  await emulator?.stop();
}
