/** The account and region used against an emulator. */
export const EMULATOR_ACCOUNT = '000000000000';
export const EMULATOR_REGION = 'us-east-1';

/**
 * Environment for SDK clients and the CDK CLI pointed at `endpoint`. Against an emulator it
 * supplies dummy credentials where none are set; against real AWS (no endpoint) it adds nothing.
 */
export function awsEnvironment(endpoint: string | undefined): Record<string, string> {
  const quiet = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  if (!endpoint) return quiet;
  return {
    ...quiet,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'test',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
    AWS_REGION: process.env.AWS_REGION ?? EMULATOR_REGION,
    AWS_DEFAULT_REGION: process.env.AWS_REGION ?? EMULATOR_REGION,
    CDK_DEFAULT_ACCOUNT: EMULATOR_ACCOUNT,
    CDK_DEFAULT_REGION: process.env.AWS_REGION ?? EMULATOR_REGION,
  };
}

/** Sets the environment of this process for `endpoint` (so SDK clients made later use it). */
export function useAwsEnvironment(endpoint: string | undefined): void {
  Object.assign(process.env, awsEnvironment(endpoint));
}
