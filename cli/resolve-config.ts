import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CONFIG_ENV, parseConfig, type JoblineConfig } from 'jobline';

/** Where the CLI finds a job queue: JOBLINE_CONFIG, or the outputs of a deployed stack. */
export interface Target {
  readonly config: JoblineConfig;
  /** Base URL of the stack's enqueue API, when it has one. */
  readonly apiUrl?: string | undefined;
}

/**
 * Reads the job queue's config from `JOBLINE_CONFIG`, else from the `JobsConfig` output of
 * CloudFormation stack `stackName` (what `cdk deploy` printed).
 */
export async function resolveTarget(stackName: string): Promise<Target> {
  const fromEnv = process.env[CONFIG_ENV];
  const cloudformation = new CloudFormationClient({});
  const output = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName })).catch((error: Error) => {
    if (fromEnv) return undefined;
    // Anything but a missing stack (no credentials, no region, nothing listening) the CLI explains itself.
    if (!/does not exist/.test(error.message)) throw error;
    const where = process.env.AWS_ENDPOINT_URL ? ` at ${process.env.AWS_ENDPOINT_URL}` : '';
    throw new CliError(`no stack "${stackName}"${where}: pass --stack <name> (or set JOBLINE_STACK) with a deployed jobline stack's name, or set ${CONFIG_ENV} to its JobsConfig output`);
  });
  const outputs = output?.Stacks?.[0]?.Outputs ?? [];
  const find = (prefix: string) => outputs.find((o) => o.OutputKey?.startsWith(prefix))?.OutputValue;
  const json = fromEnv ?? find('JobsConfig');
  if (!json) throw new CliError(`stack "${stackName}" has no JobsConfig output: is it a jobline stack?`);
  const apiId = find('JobsApiId');
  const endpoint = process.env.AWS_ENDPOINT_URL;
  return { config: parseConfig(json, fromEnv ? CONFIG_ENV : `${stackName} JobsConfig output`), apiUrl: apiId && endpoint ? `${endpoint}/_aws/execute-api/${apiId}/$default` : find('JobsApiUrl') };
}

/** An error the CLI reports as one plain line, with exit code 1. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
}
