import { hostname } from 'node:os';
import { basename } from 'node:path';

/**
 * Who enqueues when a client is not told: the Lambda function's name in a Lambda
 * (`lambda:<name>`), else this host, process id and script (`host pid 123 (seed.js)`).
 */
export function defaultCreator(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AWS_LAMBDA_FUNCTION_NAME) return `lambda:${env.AWS_LAMBDA_FUNCTION_NAME}`;
  const script = process.argv[1] ? ` (${basename(process.argv[1])})` : '';
  return `${hostname()} pid ${process.pid}${script}`;
}
