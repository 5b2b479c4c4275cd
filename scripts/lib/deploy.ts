import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, type JoblineConfig } from 'jobline';
import { awsEnvironment, EMULATOR_ACCOUNT, EMULATOR_REGION, useAwsEnvironment } from './aws-environment.js';
import { isMinistack, reapplyDroppedProperties } from './emulator-fixups.js';

const ROOT = new URL('../..', import.meta.url).pathname;

/** What a deployed stack tells its users. */
export interface DeployedStack {
  readonly stackName: string;
  readonly config: JoblineConfig;
  readonly apiId?: string | undefined;
  /** Base URL of the enqueue API (`…/jobs` hangs off it). */
  readonly apiUrl?: string | undefined;
  readonly workerFunctionName: string;
  readonly sweeperFunctionName: string;
  /** The web dashboard's page (sign in as a user of its pool). */
  readonly dashboardUrl?: string | undefined;
  /** The user pool of the web dashboard's operators. */
  readonly dashboardUserPoolId?: string | undefined;
  /** Every output of the stack, by its logical id. */
  readonly outputs: Readonly<Record<string, string>>;
}

/**
 * Deploys one stack of a CDK app with that app's own CDK CLI (`cdk bootstrap` first when
 * `endpoint` is an emulator) and reads its outputs. The app is the reference app (this
 * repository) unless `appDir` names another (an example installed elsewhere).
 */
export async function deployStack(stackName: string, endpoint: string | undefined, log: (line: string) => void = console.error, appDir: string = ROOT): Promise<DeployedStack> {
  const env = { ...process.env, ...awsEnvironment(endpoint) };
  mkdirSync(join(appDir, '.jobline'), { recursive: true });
  const outputsFile = join(appDir, '.jobline', `outputs-${stackName}.json`);
  if (endpoint) {
    log(`deploy: cdk bootstrap aws://${EMULATOR_ACCOUNT}/${env.AWS_REGION ?? EMULATOR_REGION} at ${endpoint}`);
    await cdk(['bootstrap', `aws://${EMULATOR_ACCOUNT}/${env.AWS_REGION ?? EMULATOR_REGION}`], env, appDir);
  }
  log(`deploy: cdk deploy ${stackName}`);
  // On an emulator, the dashboard's page signs in at the emulator's Cognito.
  const context = endpoint ? ['--context', `cognitoEndpoint=${endpoint}`] : [];
  await cdk(['deploy', stackName, '--require-approval', 'never', '--outputs-file', outputsFile, ...context], env, appDir);
  if (endpoint && (await isMinistack(endpoint))) {
    useAwsEnvironment(endpoint);
    await reapplyDroppedProperties(stackName, join(appDir, 'cdk.out', `${stackName}.template.json`), log);
  }
  const outputs = (JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<string, Record<string, string>>)[stackName] ?? {};
  const output = (prefix: string) => findOutput(outputs, prefix);
  const configJson = output('JobsConfig');
  if (!configJson) throw new Error(`stack ${stackName} has no JobsConfig output; outputs: ${Object.keys(outputs).join(', ')}`);
  const apiId = output('JobsApiId');
  const dashboardApiId = output('WebDashboardApiId');
  return {
    stackName,
    config: parseConfig(configJson, `${stackName} JobsConfig output`),
    apiId,
    apiUrl: apiId && endpoint ? `${endpoint}/_aws/execute-api/${apiId}/$default` : output('JobsApiUrl'),
    workerFunctionName: output('JobsWorkerFunctionName') ?? '',
    sweeperFunctionName: output('JobsSweeperFunctionName') ?? '',
    dashboardUrl: dashboardApiId && endpoint ? `${endpoint}/_aws/execute-api/${dashboardApiId}/` : output('WebDashboardUrl'),
    dashboardUserPoolId: output('WebDashboardUserPoolId'),
    outputs,
  };
}

/** The value of the output whose key starts with `prefix` (CDK ends the keys of constructs' outputs with a hash), if there is one. */
export function findOutput(outputs: Readonly<Record<string, string>>, prefix: string): string | undefined {
  return Object.entries(outputs).find(([key]) => key.startsWith(prefix))?.[1];
}

/** The value of a deployed stack's output whose key starts with `prefix`; throws, listing the outputs, when there is none. */
export function requireOutput(stack: Pick<DeployedStack, 'stackName' | 'outputs'>, prefix: string): string {
  const value = findOutput(stack.outputs, prefix);
  if (!value) throw new Error(`stack ${stack.stackName} has no ${prefix} output; outputs: ${Object.keys(stack.outputs).join(', ')}`);
  return value;
}

function cdk(args: string[], env: NodeJS.ProcessEnv, appDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const child = spawn(join(appDir, 'node_modules', '.bin', 'cdk'), [...args, '--no-notices', '--no-version-reporting', '--progress', 'events'], { cwd: appDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`cdk ${args.join(' ')} failed with exit code ${code}:\n${Buffer.concat(chunks).toString('utf8').slice(-4000)}`));
    });
  });
}
