import { App } from 'aws-cdk-lib';
import { JoblineBenchStack, JoblineStack, JoblineTestStack } from './stacks.js';

/**
 * The reference CDK app. `Jobline` is what `npm run dev` deploys; `JoblineTest` is what the
 * integration tests deploy; `JoblineBench` is what `npm run bench` deploys. Context
 * `functionEnvironment` (JSON) adds environment variables to every function, e.g. an
 * emulator's endpoint; context `senderEmail` sets the address `email.send` sends from. (Context
 * `cognitoEndpoint`, which `jobline deploy --local` sets, is read by the WebDashboard itself.)
 */
const app = new App();
const functionEnvironment = parseEnvironment(app.node.tryGetContext('functionEnvironment'));
const senderEmail = app.node.tryGetContext('senderEmail') as string | undefined;
const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
new JoblineStack(app, 'Jobline', { env, functionEnvironment, senderEmail });
new JoblineTestStack(app, 'JoblineTest', { env, functionEnvironment, senderEmail });
new JoblineBenchStack(app, 'JoblineBench', { env, functionEnvironment });
app.synth();

function parseEnvironment(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (typeof parsed !== 'object' || parsed === null || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new Error('context functionEnvironment must be a JSON object of strings');
  }
  return parsed as Record<string, string>;
}
