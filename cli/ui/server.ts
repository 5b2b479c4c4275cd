import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { JobInspector } from '../../lib/inspector/job-inspector.js';
import { isJobId } from '../../lib/job-id.js';
import { JOB_STATUSES, type JobStatus } from '../../lib/job-status.js';

const STATIC = new URL('./static/', import.meta.url).pathname;
const ROOT = new URL('../../', import.meta.url).pathname;
const FILES: Record<string, [string, string]> = {
  '/': [join(STATIC, 'index.html'), 'text/html; charset=utf-8'],
  '/app.js': [join(STATIC, 'app.js'), 'text/javascript; charset=utf-8'],
  '/style.css': [join(STATIC, 'style.css'), 'text/css; charset=utf-8'],
  '/chart.js': [join(ROOT, 'node_modules/chart.js/dist/chart.umd.min.js'), 'text/javascript; charset=utf-8'],
};

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
  const server = createServer((request, response) => {
    handle(request, response, inspector, token).catch((error: Error) => send(response, 500, { error: error.message }));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function handle(request: IncomingMessage, response: ServerResponse, inspector: JobInspector, token: string): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const file = FILES[url.pathname];
  if (file && request.method === 'GET') {
    response.writeHead(200, { 'content-type': file[1], 'cache-control': 'no-store' });
    response.end(await readFile(file[0]));
    return;
  }
  if (!url.pathname.startsWith('/api/')) return send(response, 404, { error: 'not found' });
  if (request.headers['x-jobline-token'] !== token) return send(response, 401, { error: 'missing or wrong token: open the URL `jobline ui` printed' });

  const parts = url.pathname.split('/').filter(Boolean).slice(1);
  if (request.method === 'GET' && parts[0] === 'lanes') return send(response, 200, await inspector.laneDepths());
  if (request.method === 'GET' && parts[0] === 'stats') return send(response, 200, await stats(inspector));
  if (request.method === 'GET' && parts[0] === 'jobs' && parts.length === 1) {
    const status = url.searchParams.get('status') as JobStatus | null;
    if (status && !JOB_STATUSES.includes(status)) return send(response, 400, { error: `status must be one of ${JOB_STATUSES.join(', ')}` });
    return send(response, 200, await inspector.list({
      status: status ?? undefined,
      kind: url.searchParams.get('kind') || undefined,
      parentId: url.searchParams.get('parent') || undefined,
      before: url.searchParams.get('before') || undefined,
      limit: 50,
    }));
  }
  if (parts[0] === 'jobs' && parts[1] && !isJobId(parts[1])) return send(response, 400, { error: `"${parts[1]}" is not a job id` });
  if (request.method === 'GET' && parts[0] === 'jobs' && parts.length === 2) {
    const job = await inspector.get(parts[1]!);
    return job ? send(response, 200, job) : send(response, 404, { error: `no job ${parts[1]}` });
  }
  if (request.method === 'POST' && parts[0] === 'jobs' && parts.length === 3 && ['retry', 'cancel', 'discard'].includes(parts[2]!)) {
    const [result] = await inspector.many([parts[1]!], parts[2] as 'retry' | 'cancel' | 'discard');
    return send(response, result!.ok ? 200 : 409, result);
  }
  if (request.method === 'POST' && parts[0] === 'lanes' && parts[2] === 'redrive') return send(response, 200, await inspector.redrive(parts[1]!));
  return send(response, 404, { error: `no route ${request.method} ${url.pathname}` });
}

/** Jobs finished per minute over the last hour, succeeded and failed, from their records. */
async function stats(inspector: JobInspector): Promise<{ minutes: string[]; succeeded: number[]; failed: number[] }> {
  const since = new Date(Date.now() - 3_600_000);
  const [succeeded, failed] = await Promise.all((['succeeded', 'failed'] as const).map((status) => inspector.list({ status, limit: 1000, since })));
  const minutes = Array.from({ length: 60 }, (_, i) => new Date(Math.floor(Date.now() / 60_000) * 60_000 - (59 - i) * 60_000).toISOString().slice(11, 16));
  const bucket = (jobs: readonly { finishedAt?: string | undefined }[]) => minutes.map((m) => jobs.filter((j) => j.finishedAt?.slice(11, 16) === m).length);
  return { minutes, succeeded: bucket(succeeded!.jobs), failed: bucket(failed!.jobs) };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
