import { join } from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { JobInspector } from 'jobline/inspector';
import { handleDashboardApi } from '../web/dashboard-api.js';
import { DASHBOARD_ENV, staticFile, type DashboardAuth } from '../web/static-files.js';

// The build puts web/static (and Chart.js, as static/chart.js) next to this bundle.
const staticDir = join(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), 'static');
let inspector: JobInspector | undefined;

/**
 * The deployed web dashboard behind API Gateway: the page's static files (no data in them)
 * for anyone, and the JSON API under `/api/` only for callers API Gateway's JWT authorizer
 * let through (signed-in users of the dashboard's Cognito user pool).
 */
export async function handler(event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext.http.method;
  const path = event.rawPath || '/';
  const auth: DashboardAuth = { mode: 'cognito', userPoolId: process.env[DASHBOARD_ENV.userPoolId] ?? '', clientId: process.env[DASHBOARD_ENV.clientId] ?? '', cognitoEndpoint: process.env[DASHBOARD_ENV.cognitoEndpoint] ?? '' };
  if (!path.startsWith('/api/')) {
    const file = method === 'GET' ? await staticFile(path, staticDir, auth) : undefined;
    if (!file) return json(404, { error: `no page ${path}` });
    return { statusCode: 200, headers: { 'content-type': file.contentType, 'cache-control': 'no-store' }, body: file.body.toString('base64'), isBase64Encoded: true };
  }
  // API Gateway checked the token; a call that reached here without claims was misrouted.
  if (!event.requestContext.authorizer?.jwt?.claims) return json(401, { error: 'sign in first' });
  inspector ??= new JobInspector();
  try {
    const answer = await handleDashboardApi(inspector, { method, path: path.slice('/api'.length), query: new URLSearchParams(event.rawQueryString ?? '') });
    return json(answer.status, answer.body);
  } catch (error) {
    // The detail (an SDK message can name the role, the account, a key's values) goes to the log only.
    const requestId = event.requestContext.requestId;
    console.error(JSON.stringify({ level: 'ERROR', message: 'dashboard API failed', requestId, path, error: String((error as Error).stack ?? error) }));
    return json(500, { error: `the request failed (request id ${requestId}); the details are in the dashboard function's log` });
  }
}

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
