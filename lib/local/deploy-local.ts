import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { awsEnvironment, EMULATOR_ACCOUNT, EMULATOR_REGION } from './aws-environment.js';
import { assemblyStacks } from './cloud-assembly.js';
import { probeEndpoint } from './emulator.js';
import { reapplyDroppedProperties } from './emulator-fixups.js';
import { writeEnvironmentFile, type LocalEnvironment, type LocalStackEntry } from './environment-file.js';
import { ensureOperator, LOCAL_OPERATOR } from './local-operator.js';
import { dashboardsOf, describeStacks, outputsOf, queuesOf, type DeployedDashboard, type DeployedQueue } from './stack-queues.js';
import { LocalDeployError } from '../errors.js';

/** What to deploy, and where. */
export interface LocalDeployOptions {
  /** The CDK app's folder (its `cdk.json` and `node_modules/.bin/cdk`). */
  readonly projectDir: string;
  /** The emulator's endpoint. */
  readonly endpoint: string;
  /** The stacks to deploy (names or artifact ids). @default all of the app's stacks */
  readonly stacks?: readonly string[] | undefined;
  /** The region to deploy to. @default AWS_REGION, else us-east-1 */
  readonly region?: string | undefined;
  /** Write `.jobline/environment.json` in the project. @default true */
  readonly writeEnvironment?: boolean | undefined;
  /** Add the local operator to each web dashboard's user pool. @default true */
  readonly addOperator?: boolean | undefined;
  readonly log?: ((line: string) => void) | undefined;
}

/** One stack as deployed. */
export interface LocallyDeployedStack {
  readonly stackName: string;
  readonly outputs: Readonly<Record<string, string>>;
  readonly queues: readonly DeployedQueue[];
  readonly dashboards: readonly DeployedDashboard[];
}

/** What a local deploy did. */
export interface LocalDeployment {
  readonly endpoint: string;
  readonly region: string;
  readonly stacks: readonly LocallyDeployedStack[];
  /** The environment file written, if one was. */
  readonly environmentFile?: string | undefined;
}

/**
 * Deploys a CDK app to a local emulator with the app's own CDK CLI, as `cdk deploy` would to
 * AWS: bootstraps the emulator's account, deploys the stacks (the dashboard's page pointed at
 * the emulator's Cognito), re-applies what ministack's CloudFormation drops (see
 * emulator-fixups.ts), then writes `.jobline/environment.json` for the CLI, `loadConfig`
 * and `jobline/testing`. Dummy credentials always: nothing here can reach a real account.
 */
export async function deployLocal(options: LocalDeployOptions): Promise<LocalDeployment> {
  const log = options.log ?? ((line: string) => console.error(line));
  const { projectDir, endpoint } = options;
  const cdkBinary = join(projectDir, 'node_modules', '.bin', 'cdk');
  if (!existsSync(join(projectDir, 'cdk.json'))) throw new LocalDeployError(`${projectDir} has no cdk.json: run this in your CDK app's folder`);
  if (!existsSync(cdkBinary)) throw new LocalDeployError(`the AWS CDK CLI is not installed in ${projectDir}: npm install --save-dev aws-cdk (jobline runs your project's own cdk)`);
  const region = options.region ?? process.env.AWS_REGION ?? EMULATOR_REGION;
  const env: NodeJS.ProcessEnv = { ...withoutAwsTarget(process.env), ...awsEnvironment(endpoint), AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: region, AWS_DEFAULT_REGION: region, CDK_DEFAULT_REGION: region };
  const cdk = (args: string[]) => runCdk(cdkBinary, args, env, projectDir);

  log(`deploy: cdk bootstrap aws://${EMULATOR_ACCOUNT}/${region} at ${endpoint}`);
  await cdk(['bootstrap', `aws://${EMULATOR_ACCOUNT}/${region}`]);
  const wanted = options.stacks && options.stacks.length > 0 ? [...options.stacks] : ['--all'];
  log(`deploy: cdk deploy ${wanted.join(' ')}`);
  await cdk(['deploy', ...wanted, '--require-approval', 'never', '--context', `cognitoEndpoint=${endpoint}`]);

  const all = assemblyStacks(projectDir);
  const deployed = options.stacks && options.stacks.length > 0 ? all.filter((s) => options.stacks!.includes(s.stackName) || options.stacks!.includes(s.artifactId)) : all;
  const sdkEnv = { endpoint, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  if ((await probeEndpoint(endpoint)) === 'ministack') {
    for (const stack of deployed) await reapplyDroppedProperties(stack.stackName, stack.templatePath, log, sdkEnv);
  }
  const described = await describeStacks(new CloudFormationClient(sdkEnv), deployed.map((s) => s.stackName));
  const stacks = described.map((stack): LocallyDeployedStack => {
    const outputs = outputsOf(stack);
    const stackName = stack.StackName ?? '';
    return { stackName, outputs, queues: queuesOf(stackName, outputs, endpoint), dashboards: dashboardsOf(stackName, outputs, endpoint) };
  });
  if (options.addOperator !== false) {
    for (const dashboard of stacks.flatMap((s) => s.dashboards)) if (dashboard.userPoolId) await ensureOperator(dashboard.userPoolId, LOCAL_OPERATOR, sdkEnv, dashboard.operatorsGroup);
  }
  const environment: LocalEnvironment = { endpoint, region, stacks: Object.fromEntries(stacks.map((s) => [s.stackName, entryOf(s)])) };
  const environmentFile = options.writeEnvironment === false ? undefined : writeEnvironmentFile(projectDir, environment);
  return { endpoint, region, stacks, environmentFile };
}

function entryOf(stack: LocallyDeployedStack): LocalStackEntry {
  return {
    outputs: stack.outputs,
    queues: Object.fromEntries(stack.queues.map((q) => [q.queueId, { config: q.config, apiUrl: q.apiUrl }])),
    dashboards: stack.dashboards.map((d) => ({ url: d.url, userPoolId: d.userPoolId })),
  };
}

/** The environment without the settings that choose an AWS target: a local deploy must not inherit a profile or a session. */
function withoutAwsTarget(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^AWS_(PROFILE|SESSION_TOKEN|ACCESS_KEY_ID|SECRET_ACCESS_KEY|ENDPOINT_URL.*|DEFAULT_PROFILE)$/.test(name)));
}

function runCdk(binary: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const child = spawn(binary, [...args, '--no-notices', '--no-version-reporting', '--progress', 'events'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else reject(new LocalDeployError(`cdk ${args.join(' ')} failed with exit code ${code}:\n${Buffer.concat(chunks).toString('utf8').slice(-4000)}`));
    });
  });
}
