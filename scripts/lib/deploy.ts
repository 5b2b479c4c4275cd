import type { JoblineConfig } from 'jobline';
import { deployLocal } from '../../lib/local/deploy-local.js';
import { DASHBOARD_OUTPUTS, QUEUE_OUTPUTS } from '../../lib/stack-outputs.js';

const ROOT = new URL('../..', import.meta.url).pathname;

/** What a deployed stack tells this repository's tests, benchmarks and scripts. */
export interface DeployedStack {
  readonly stackName: string;
  readonly config: JoblineConfig;
  /** Base URL of the enqueue API (`…/jobs` hangs off it). */
  readonly apiUrl?: string | undefined;
  readonly workerFunctionName: string;
  readonly sweeperFunctionName: string;
  /** The web dashboard's page (sign in as a user of its pool). */
  readonly dashboardUrl?: string | undefined;
  /** The user pool of the web dashboard's operators. */
  readonly dashboardUserPoolId?: string | undefined;
  /** Every output of the stack, by its key. */
  readonly outputs: Readonly<Record<string, string>>;
}

/**
 * Deploys one stack of a CDK app to the emulator at `endpoint`, as `jobline deploy --local`
 * does (the app's own CDK CLI, bootstrap, fix-ups), without writing the app's environment
 * file. The app is the reference app (this repository) unless `appDir` names another.
 */
export async function deployStack(stackName: string, endpoint: string, log: (line: string) => void = console.error, appDir: string = ROOT): Promise<DeployedStack> {
  const deployment = await deployLocal({ projectDir: appDir, endpoint, stacks: [stackName], writeEnvironment: false, addOperator: false, log });
  const stack = deployment.stacks.find((s) => s.stackName === stackName);
  const [queue] = stack?.queues ?? [];
  if (!stack || !queue) throw new Error(`stack ${stackName} has no ${QUEUE_OUTPUTS.config} output; outputs: ${Object.keys(stack?.outputs ?? {}).join(', ')}`);
  const [dashboard] = stack.dashboards;
  return {
    stackName,
    config: queue.config,
    apiUrl: queue.apiUrl,
    workerFunctionName: findOutput(stack.outputs, QUEUE_OUTPUTS.workerFunctionName) ?? '',
    sweeperFunctionName: findOutput(stack.outputs, QUEUE_OUTPUTS.sweeperFunctionName) ?? '',
    dashboardUrl: dashboard?.url,
    dashboardUserPoolId: findOutput(stack.outputs, DASHBOARD_OUTPUTS.userPoolId),
    outputs: stack.outputs,
  };
}

/** The value of the output whose key starts with `prefix` (`JoblineConfig` for `JoblineConfigJobs`), if there is one. */
export function findOutput(outputs: Readonly<Record<string, string>>, prefix: string): string | undefined {
  return Object.entries(outputs).find(([key]) => key.startsWith(prefix))?.[1];
}

/** The value of a deployed stack's output whose key starts with `prefix`; throws, listing the outputs, when there is none. */
export function requireOutput(stack: Pick<DeployedStack, 'stackName' | 'outputs'>, prefix: string): string {
  const value = findOutput(stack.outputs, prefix);
  if (!value) throw new Error(`stack ${stack.stackName} has no ${prefix} output; outputs: ${Object.keys(stack.outputs).join(', ')}`);
  return value;
}
