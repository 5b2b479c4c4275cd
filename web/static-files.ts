import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Environment variables the `WebDashboard` construct sets on its function. */
export const DASHBOARD_ENV = {
  userPoolId: 'DASHBOARD_USER_POOL_ID',
  clientId: 'DASHBOARD_CLIENT_ID',
  cognitoEndpoint: 'DASHBOARD_COGNITO_ENDPOINT',
  operatorsGroup: 'DASHBOARD_OPERATORS_GROUP',
  viewersGroup: 'DASHBOARD_VIEWERS_GROUP',
  /** The queue's stack and the key of its config output (`stack/key`), where the kinds' cost profiles are: too big for the function's 4 KB of environment. */
  configOutput: 'DASHBOARD_CONFIG_OUTPUT',
} as const;

/** How the page signs in: the local server's token, or a Cognito user pool (the deployed dashboard). */
export type DashboardAuth =
  | { readonly mode: 'token' }
  | { readonly mode: 'cognito'; readonly userPoolId: string; readonly clientId: string; readonly cognitoEndpoint: string };

/**
 * Headers for every answer of the dashboard, page and API alike: no framing (clickjacking),
 * no content-type sniffing, no referrer (the local page's address carries its token), and a
 * Content-Security-Policy that lets the page run only its own scripts and styles and talk only
 * to its own API and, deployed, to the user pool's Cognito endpoint.
 */
export function securityHeaders(auth: DashboardAuth): Record<string, string> {
  const cognito = auth.mode === 'cognito' && auth.cognitoEndpoint ? ` ${originOf(auth.cognitoEndpoint)}` : '';
  return {
    'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'${cognito}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

/** The page's files, by URL path: name in the static folder and content type. */
const FILES: Record<string, [string, string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/style.css': ['style.css', 'text/css; charset=utf-8'],
  '/chart.js': ['chart.js', 'text/javascript; charset=utf-8'],
  '/cognito.js': ['cognito.js', 'text/javascript; charset=utf-8'],
};

/** A static file to send. */
export interface StaticFile {
  readonly contentType: string;
  readonly body: Buffer;
}

/**
 * The dashboard's static files (the page, its script and style, Chart.js's UMD build as
 * `chart.js`, amazon-cognito-identity-js's browser build — SRP sign-in — as `cognito.js`) from `staticDir`, and `/config.json`, which tells the page how to sign in.
 * The build puts them in the prebuilt dashboard function's `static/` folder.
 */
export async function staticFile(path: string, staticDir: string, auth: DashboardAuth): Promise<StaticFile | undefined> {
  if (path === '/config.json') return { contentType: 'application/json', body: Buffer.from(JSON.stringify({ auth })) };
  const file = FILES[path];
  if (!file) return undefined;
  return { contentType: file[1], body: await readFile(join(staticDir, file[0])) };
}
