import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { JobInspector } from 'jobline/inspector';
import { packagedFunctionDir } from '../lib/packaged-functions.js';
import { handleDashboardApi } from './dashboard-api.js';
import { securityHeaders, staticFile } from './static-files.js';


/** A running dashboard server. */
export interface UiServer {
  /** Open this (it carries the access token). */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves the web dashboard on 127.0.0.1 with the operator's AWS credentials behind it. Every
 * API call must carry the random token printed in the URL, so other local users and other
 * sites' pages cannot use the operator's access.
 */
export async function startUi(inspector: JobInspector, options: { port?: number } = {}): Promise<UiServer> {
  const token = randomBytes(18).toString('base64url');
  // The same page the deployed dashboard serves, from the prebuilt function's folder.
  const staticDir = join(packagedFunctionDir('web-dashboard'), 'static');
  const server = createServer((request, response) => {
    handle(request, response, inspector, token, staticDir).catch((error: Error) => {
      // The detail goes to this terminal only: a page never sees SDK text (it can name the role, the account, key values).
      console.error(`jobline ui: ${request.method} ${request.url?.split('?')[0]} failed: ${error.stack ?? error.message}`);
      send(response, 500, { error: 'the request failed; the details are in the terminal running jobline ui' });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function handle(request: IncomingMessage, response: ServerResponse, inspector: JobInspector, token: string, staticDir: string): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const file = request.method === 'GET' ? await staticFile(url.pathname, staticDir, { mode: 'token' }) : undefined;
  if (file) {
    // The page's address carries the token: the headers never hand it on as a referrer.
    response.writeHead(200, { ...HEADERS, 'content-type': file.contentType });
    response.end(file.body);
    return;
  }
  if (!url.pathname.startsWith('/api/')) return send(response, 404, { error: 'not found' });
  if (!sameSecret(request.headers['x-jobline-token'], token)) return send(response, 401, { error: 'missing or wrong token: open the URL `jobline ui` printed' });
  // Whoever holds the token runs jobline ui with their own AWS credentials: an operator.
  const answer = await handleDashboardApi(inspector, { method: request.method ?? 'GET', path: url.pathname.slice('/api'.length), query: url.searchParams, role: 'operator' });
  send(response, answer.status, answer.body);
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { ...HEADERS, 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

const HEADERS = securityHeaders({ mode: 'token' });

/** Whether `given` is the token, compared in constant time. */
function sameSecret(given: string | string[] | undefined, token: string): boolean {
  if (typeof given !== 'string') return false;
  // Lengths in bytes: a header's non-ASCII characters take more bytes than characters, and timingSafeEqual throws on unequal lengths.
  const presented = Buffer.from(given);
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
