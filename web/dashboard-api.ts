import { TAG } from '../lib/tags/job-tags.js';
import { OPERATOR_ACTION_STATUSES } from '../lib/job-status.js';
import { resultNoteOf } from '../lib/results/job-result.js';
import { ConfigurationError, UnknownLaneError } from 'jobline';
import type { BulkActionName, JobInspector } from 'jobline/inspector';
import { describeWait, isJobId } from 'jobline';
import { JOB_STATUSES, type JobStatus } from 'jobline';
import { mayCall, type DashboardRole } from './dashboard-access.js';

/** A call to the dashboard's JSON API, however it arrived (the local server or API Gateway). */
export interface DashboardRequest {
  readonly method: string;
  /** The path after `/api`, e.g. `/jobs/01J…/retry`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** What the caller may do: an operator acts and views, a viewer only views (see dashboard-access.ts). */
  readonly role: DashboardRole;
}

/** The API's answer: a status and a JSON body. */
export interface DashboardResponse {
  readonly status: number;
  readonly body: unknown;
}

/**
 * The web dashboard's API, on a {@link JobInspector}: `GET /lanes`, `GET /stats`, `GET /counts`, `GET /kinds`,
 * `GET /jobs?status&kind&parent&tag&before`, `GET /jobs/{id}`, `POST /jobs/{id}/retry|cancel|discard`,
 * `POST /lanes/{lane}/redrive|pause|resume`, and `GET /me` (the caller's role, and which statuses each action applies to). Authentication is
 * the caller's business; the request says the caller's role, and a viewer's POST is refused with 403.
 */
export async function handleDashboardApi(inspector: JobInspector, request: DashboardRequest): Promise<DashboardResponse> {
  const { method, query } = request;
  const parts = request.path.split('/').filter(Boolean).map(decodeSegment);
  if (parts.includes(undefined)) return { status: 400, body: { error: `the path ${request.path} has a malformed %-escape` } };
  if (!mayCall(request.role, method)) return { status: 403, body: { error: `only an operator may ${method} /api${request.path}; you may view` } };
  // The caller's role, and the statuses each action applies to (the page's bulk buttons follow them).
  if (method === 'GET' && parts[0] === 'me' && parts.length === 1) return ok({ role: request.role, actionStatuses: OPERATOR_ACTION_STATUSES });
  if (method === 'GET' && parts[0] === 'lanes' && parts.length === 1) return ok(await inspector.laneDepths());
  if (method === 'GET' && parts[0] === 'stats') return ok(await cached(inspector, 'stats', () => stats(inspector)));
  if (method === 'GET' && parts[0] === 'counts') return ok(await cached(inspector, 'counts', () => inspector.counts()));
  if (method === 'GET' && parts[0] === 'kinds' && parts.length === 1) return kindCosts(inspector);
  if (method === 'GET' && parts[0] === 'jobs' && parts.length === 1) {
    const status = query.get('status') as JobStatus | null;
    if (status && !JOB_STATUSES.includes(status)) return { status: 400, body: { error: `status must be one of ${JOB_STATUSES.join(', ')}` } };
    for (const name of ['parent', 'before'] as const) {
      const value = query.get(name);
      if (value && !isJobId(value)) return { status: 400, body: { error: `${name} must be a job id (26 characters of Crockford base-32), got ${JSON.stringify(String(value).slice(0, 40))}` } };
    }
    const kind = query.get('kind');
    if (kind && !KIND_FILTER.test(kind)) return { status: 400, body: { error: `kind must be 1–64 letters, digits and . _ -, got ${JSON.stringify(kind.slice(0, 40))}` } };
    const tag = query.get('tag');
    if (tag && !TAG.test(tag)) return { status: 400, body: { error: `tag must be 1–64 letters, digits or _ . : / @ = + -, got ${JSON.stringify(tag.slice(0, 40))}` } };
    return ok(await inspector.list({
      status: status ?? undefined,
      kind: query.get('kind') || undefined,
      parentId: query.get('parent') || undefined,
      tag: tag || undefined,
      before: query.get('before') || undefined,
      limit: 50,
    }));
  }
  if (parts[0] === 'jobs' && parts[1] && !isJobId(parts[1])) return { status: 400, body: { error: `"${parts[1]}" is not a job id` } };
  if (method === 'GET' && parts[0] === 'jobs' && parts.length === 2) {
    const job = await inspector.get(parts[1]!);
    if (!job) return { status: 404, body: { error: `no job ${parts[1]}` } };
    // What a waiting job waits for, in the same words as the CLI's; what its status lets an operator do; why it shows no result.
    return ok({ ...job, actions: actionsFor(job.status), resultNote: resultNoteOf(job), ...(job.waitingFor ? { waiting: describeWait(job.waitingFor) } : {}) });
  }
  if (method === 'POST' && parts[0] === 'jobs' && parts.length === 3 && ['retry', 'cancel', 'discard'].includes(parts[2]!)) {
    const [result] = await inspector.many([parts[1]!], parts[2] as 'retry' | 'cancel' | 'discard');
    return { status: result!.ok ? 200 : 409, body: result };
  }
  if (method === 'POST' && parts[0] === 'bulk') return bulk(inspector, parts, query);
  if (method === 'POST' && parts[0] === 'lanes' && parts.length === 3 && ['redrive', 'pause', 'resume'].includes(parts[2]!)) {
    const lane = parts[1]!;
    try {
      if (parts[2] === 'redrive') return ok(await inspector.redrive(lane));
      await inspector[parts[2] as 'pause' | 'resume'](lane);
      return ok({ lane, paused: parts[2] === 'pause' });
    } catch (error) {
      if (error instanceof UnknownLaneError) return { status: 404, body: { error: error.message } };
      throw error;
    }
  }
  return { status: 404, body: { error: `no route ${method} /api${request.path}` } };
}

const ok = (body: unknown): DashboardResponse => ({ status: 200, body });
/** What a kind filter may hold: a kind's characters (defineJob's rule is stricter); anything else never matches, so it is refused. */
const KIND_FILTER = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * How long the stats and counts answers are reused. Each reads every shard's index (a count, 5
 * statuses × the shard count queries; the chart, 2 × that and more); they change by the minute,
 * so every open tab and every operator share one read per function instance per half minute.
 */
export const SUMMARY_CACHE_MS = 30_000;
const summaries = new WeakMap<JobInspector, Map<string, { readonly at: number; readonly value: Promise<unknown> }>>();

/** `load()`'s answer, reused for {@link SUMMARY_CACHE_MS} per inspector (a failed load is not kept). */
function cached<T>(inspector: JobInspector, key: string, load: () => Promise<T>): Promise<T> {
  const entries = summaries.get(inspector) ?? new Map();
  summaries.set(inspector, entries);
  const hit = entries.get(key);
  if (hit && Date.now() - hit.at < SUMMARY_CACHE_MS) return hit.value as Promise<T>;
  const value = load();
  entries.set(key, { at: Date.now(), value });
  value.catch(() => { if (entries.get(key)?.value === value) entries.delete(key); });
  return value;
}

/**
 * `GET /kinds`: each kind's jobs and estimated cost per day (`JobInspector.kindCosts`, shared as
 * the counts are), or, for a config that cannot price its kinds, `{ kinds: [], unavailable }`
 * saying why.
 */
async function kindCosts(inspector: JobInspector): Promise<DashboardResponse> {
  try {
    return ok(await cached(inspector, 'kinds', () => inspector.kindCosts()));
  } catch (error) {
    if (error instanceof ConfigurationError) return ok({ kinds: [], unavailable: error.message });
    throw error;
  }
}

/** A path segment decoded, or undefined for a malformed %-escape. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Jobs finished per minute over the last hour, succeeded and failed, from their records. */
async function stats(inspector: JobInspector): Promise<{ minutes: string[]; succeeded: number[]; failed: number[] }> {
  const since = new Date(Date.now() - 3_600_000);
  const [succeeded, failed] = await Promise.all((['succeeded', 'failed'] as const).map((status) => inspector.list({ status, limit: 1000, since })));
  const minutes = Array.from({ length: 60 }, (_, i) => new Date(Math.floor(Date.now() / 60_000) * 60_000 - (59 - i) * 60_000).toISOString().slice(11, 16));
  const bucket = (jobs: readonly { finishedAt?: string | undefined }[]) => minutes.map((m) => jobs.filter((j) => j.finishedAt?.slice(11, 16) === m).length);
  return { minutes, succeeded: bucket(succeeded!.jobs), failed: bucket(failed!.jobs) };
}

/** The actions the transition table allows from a status (the API still refuses what a job's other fields rule out, with the reason). */
export function actionsFor(status: JobStatus): BulkActionName[] {
  return (['retry', 'cancel', 'discard'] as const).filter((action) => OPERATOR_ACTION_STATUSES[action].includes(status));
}

/** How long one request of a bulk operation runs before it answers with its progress (the page resumes it): an API waits 30 s at most. */
export const BULK_REQUEST_MS = 10_000;

/**
 * `POST /bulk?action&status&kind&tag&dryRun` (a dry run answers the count and a sample) and
 * `POST /bulk/{id}/resume`: each request runs the operation for up to {@link BULK_REQUEST_MS},
 * then answers its report; the page resumes it until it is complete.
 */
async function bulk(inspector: JobInspector, parts: ReadonlyArray<string | undefined>, query: URLSearchParams): Promise<DashboardResponse> {
  const signal = AbortSignal.timeout(BULK_REQUEST_MS);
  if (parts.length === 3 && parts[2] === 'resume') {
    try {
      return ok(await inspector.resumeBulk(parts[1]!, { signal }));
    } catch (error) {
      return { status: 404, body: { error: (error as Error).message } };
    }
  }
  const action = query.get('action') as BulkActionName | null;
  if (parts.length !== 1 || !action || !(action in OPERATOR_ACTION_STATUSES)) return { status: 400, body: { error: 'POST /api/bulk needs action=retry, cancel or discard' } };
  const status = query.get('status') as JobStatus | null;
  if (status && !JOB_STATUSES.includes(status)) return { status: 400, body: { error: `status must be one of ${JOB_STATUSES.join(', ')}` } };
  const kind = query.get('kind') || undefined;
  const tag = query.get('tag') || undefined;
  if (kind && !KIND_FILTER.test(kind)) return { status: 400, body: { error: 'kind must be 1–64 letters, digits and . _ -' } };
  if (tag && !TAG.test(tag)) return { status: 400, body: { error: 'tag must be 1–64 letters, digits or _ . : / @ = + -' } };
  try {
    return ok(await inspector.bulk(action, { status: status ?? undefined, kind, tag }, { dryRun: query.get('dryRun') === '1', signal }));
  } catch (error) {
    return { status: 400, body: { error: (error as Error).message } };
  }
}

