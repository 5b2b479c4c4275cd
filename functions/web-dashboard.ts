import { join } from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { configFromEnvironment } from '../lib/config.js';
import { describeStacks, outputsOf, queuesOf } from '../lib/local/stack-queues.js';
import { QUEUE_OUTPUTS } from '../lib/stack-outputs.js';
import { JobInspector } from 'jobline/inspector';
import { countCalls, type CallCounter } from '../lib/aws/call-counter.js';
import { DEFAULT_DASHBOARD_GROUPS, roleOf } from '../web/dashboard-access.js';
import { handleDashboardApi } from '../web/dashboard-api.js';
import { DASHBOARD_ENV, securityHeaders, staticFile, type DashboardAuth } from '../web/static-files.js';

// The build puts web/static (and Chart.js, as static/chart.js) next to this bundle.
const staticDir = join(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), 'static');
let dynamodb: DynamoDBClient | undefined;
let inspector: JobInspector | undefined;
let pricing: Promise<JobInspector> | undefined;
let dynamodbCalls: CallCounter | undefined;

/**
 * The inspector `GET /api/kinds` uses: the function's config with the kinds' cost profiles, which
 * only the queue's config output holds (read once per instance; a failed read is tried again).
 */
function pricingInspector(dynamodb: DynamoDBClient): Promise<JobInspector> {
  pricing ??= (async () => {
    const config = configFromEnvironment();
    const [stackName, key] = (process.env[DASHBOARD_ENV.configOutput] ?? '').split('/');
    if (config.cost || !stackName || !key) return new JobInspector({ dynamodb, config });
    const [stack] = await describeStacks(new CloudFormationClient({}), [stackName]);
    const queue = stack ? queuesOf(stackName, outputsOf(stack)).find((q) => key === `${QUEUE_OUTPUTS.config}${q.queueId}`) : undefined;
    return new JobInspector({ dynamodb, config: { ...config, cost: queue?.config.cost } });
  })();
  pricing.catch(() => { pricing = undefined; });
  return pricing;
}

/** The header that says how many DynamoDB calls an API answer took: what a page load costs, measurable from outside. */
export const DYNAMODB_CALLS_HEADER = 'x-jobline-dynamodb-calls';

// What the construct set in the environment: the same for every request of this instance.
const auth: DashboardAuth = { mode: 'cognito', userPoolId: process.env[DASHBOARD_ENV.userPoolId] ?? '', clientId: process.env[DASHBOARD_ENV.clientId] ?? '', cognitoEndpoint: process.env[DASHBOARD_ENV.cognitoEndpoint] ?? '' };
const headers = securityHeaders(auth);
const groups = { operators: process.env[DASHBOARD_ENV.operatorsGroup] || DEFAULT_DASHBOARD_GROUPS.operators, viewers: process.env[DASHBOARD_ENV.viewersGroup] || DEFAULT_DASHBOARD_GROUPS.viewers };
const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({ statusCode, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });

/**
 * The deployed web dashboard behind API Gateway: the page's static files (no data in them)
 * for anyone, and the JSON API under `/api/` only for callers API Gateway's JWT authorizer
 * let through (signed-in users of the dashboard's Cognito user pool) who are in its operators
 * group (everything) or its viewers group (views only); anyone else gets 403.
 */
export async function handler(event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext.http.method;
  const path = event.rawPath || '/';
  if (!path.startsWith('/api/')) {
    const file = method === 'GET' ? await staticFile(path, staticDir, auth) : undefined;
    if (!file) return json(404, { error: `no page ${path}` });
    return { statusCode: 200, headers: { ...headers, 'content-type': file.contentType }, body: file.body.toString('base64'), isBase64Encoded: true };
  }
  // API Gateway checked the token; a call that reached here without claims was misrouted.
  const claims = event.requestContext.authorizer?.jwt?.claims;
  if (!claims) return json(401, { error: 'sign in first' });
  const role = roleOf(claims, groups);
  if (!role) return json(403, { error: `you are signed in but in neither the "${groups.operators}" group (operators) nor the "${groups.viewers}" group (viewers) of the dashboard's user pool: ask an administrator to add you` });
  dynamodb ??= new DynamoDBClient({});
  if (!inspector) {
    dynamodbCalls = countCalls(dynamodb);
    inspector = new JobInspector({ dynamodb });
  }
  try {
    dynamodbCalls?.take();
    const answerer = path === '/api/kinds' ? await pricingInspector(dynamodb) : inspector;
    const answer = await handleDashboardApi(answerer, { method, path: path.slice('/api'.length), query: new URLSearchParams(event.rawQueryString ?? ''), role });
    const response = json(answer.status, answer.body);
    return { ...response, headers: { ...response.headers, [DYNAMODB_CALLS_HEADER]: String(dynamodbCalls?.take() ?? 0) } };
  } catch (error) {
    // The detail (an SDK message can name the role, the account, a key's values) goes to the log only.
    const requestId = event.requestContext.requestId;
    console.error(JSON.stringify({ level: 'ERROR', message: 'dashboard API failed', requestId, path, error: String((error as Error).stack ?? error) }));
    return json(500, { error: `the request failed (request id ${requestId}); the details are in the dashboard function's log` });
  }
}
