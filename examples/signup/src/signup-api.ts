import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { JobClient } from 'jobline';
import { welcomeEmail } from './jobs.js';
import { signup } from './signup.js';

// JobQueue.grantEnqueue gave this function JOBLINE_CONFIG: the client needs only the kinds.
const jobs = new JobClient({ jobs: [welcomeEmail] });

/** The sign-up API's Lambda (HTTP API, payload format 2.0). */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const body = event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const reply = await signup(body, { usersTable: process.env.USERS_TABLE!, jobs });
  return { statusCode: reply.status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(reply.body) };
}
