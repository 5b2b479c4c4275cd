import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { JobClient, type JobClientOptions } from '../client/job-client.js';
import { InvalidEnqueueOptionsError, InvalidPayloadError, JobNotCancellableError, PayloadTooLargeError } from '../errors.js';
import { MAX_PAYLOAD_BYTES_LIMIT } from '../job-definition.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../json-depth.js';
import { isJobId } from '../job-id.js';
import type { JobRecord } from '../job-record.js';
import type { JobResult } from '../results/job-result.js';
import { enqueueableKinds, mayReach, refusal, type ApiPrincipal, type EnqueueApiAccess } from './api-access.js';
import { jobTracer } from '../tracing/job-tracer.js';

/** Largest request body the API reads, in bytes: the largest payload any kind allows plus room for the envelope. */
export const MAX_REQUEST_BYTES = MAX_PAYLOAD_BYTES_LIMIT + 4096;

/** An HTTP request, reduced to what the API reads. */
export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly body: string | undefined;
  /** The query string's parameters. */
  readonly query?: Readonly<Record<string, string | undefined>> | undefined;
  /** Who made the request, as the gateway's authorizer says. */
  readonly principal?: ApiPrincipal | undefined;
}

/** An HTTP response with a JSON body. */
export interface ApiResponse {
  readonly statusCode: number;
  readonly body: unknown;
}

const enqueueBody = z.strictObject({
  kind: z.string({ error: 'kind is required and must be a string' }).min(1, 'kind must not be empty'),
  payload: z.unknown().refine((value) => value !== undefined, 'payload is required (use {} for none)'),
  options: z.strictObject({ delaySeconds: z.number().optional(), runAt: z.string().optional(), tags: z.array(z.string()).max(64).optional() }).optional(),
});

/** Longest `waitSeconds` of `GET /jobs/{id}/result`: an HTTP API waits at most 30 s for its function. */
export const MAX_API_RESULT_WAIT_SECONDS = 20;

/**
 * The enqueue API: `POST /jobs` `{kind, payload, options}` → 202 `{id, kind, status}`;
 * `GET /jobs/{id}` → 200 the record (a result kept in the results bucket read back into it); `GET /jobs/{id}/result?waitSeconds=N` → the job's
 * {@link JobResult}: 200 when it is settled (succeeded, failed, too large), 202 while it is
 * pending, 404 not found, 410 expired; `POST /jobs/{id}/cancel` → 200 the cancelled record
 * (409 when the job runs already or is over). `access` says which kinds callers may enqueue
 * and lets the app decide each call (403 when it refuses). Every error is a 4xx with
 * `{error: {code, message, details?}}` that says what is wrong; nothing is written for a rejected request.
 */
export async function handleApiRequest(request: ApiRequest, client: JobClient, access: EnqueueApiAccess): Promise<ApiResponse> {
  const jobPath = /^\/jobs\/([^/]+)$/.exec(request.path);
  const cancelPath = /^\/jobs\/([^/]+)\/cancel$/.exec(request.path);
  const resultPath = /^\/jobs\/([^/]+)\/result$/.exec(request.path);
  if (request.path === '/jobs' && request.method === 'POST') return enqueue(request, client, access);
  if (jobPath && request.method === 'GET') return getJob(decodedOrRaw(jobPath[1]!), request, client, access);
  if (cancelPath && request.method === 'POST') return cancelJob(decodedOrRaw(cancelPath[1]!), request, client, access);
  if (resultPath && request.method === 'GET') return jobResult(decodedOrRaw(resultPath[1]!), request, client, access);
  if (request.path === '/jobs' || jobPath || cancelPath || resultPath) return error(405, 'method_not_allowed', `${request.method} is not allowed on ${request.path}`);
  return error(404, 'not_found', `no route ${request.method} ${request.path}; routes: POST /jobs, GET /jobs/{id}, GET /jobs/{id}/result, POST /jobs/{id}/cancel`);
}

async function enqueue(request: ApiRequest, client: JobClient, access: EnqueueApiAccess): Promise<ApiResponse> {
  const body = request.body ?? '';
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_REQUEST_BYTES) return error(413, 'request_too_large', `request body is ${bytes} bytes; the limit is ${MAX_REQUEST_BYTES} bytes`);
  if (nestsDeeperThan(body, MAX_JSON_DEPTH + 1)) return error(400, 'invalid_json', `request body nests deeper than ${MAX_JSON_DEPTH} levels of objects and arrays`);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    return error(400, 'invalid_json', `request body is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = enqueueBody.safeParse(json);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    return error(400, 'invalid_request', `request body must be {"kind": string, "payload": any, "options"?: {"delaySeconds"?: number, "runAt"?: ISO-8601 string}}: ${details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ')}`, details);
  }
  const { kind, payload } = parsed.data;
  const allowed = enqueueableKinds(access);
  const definition = client.registry.find(kind);
  if (!definition || !allowed.has(kind)) {
    // Only the kinds callers may send are named: the others are the app's business.
    if (definition) return error(403, 'kind_not_enqueueable', `kind "${kind}" cannot be enqueued over this API: the app does not list it in createEnqueueApi's kinds`);
    return error(400, 'unknown_kind', `unknown job kind "${kind}"; this API enqueues: ${[...allowed].sort().join(', ') || 'no kinds'}`, { knownKinds: [...allowed].sort() });
  }
  try {
    if (access.authorize) {
      // The hook decides on the payload as the schema parses it (enqueue parses the raw one again: a transform may not repeat).
      const { payload: parsedPayload } = client.registry.validate(definition, payload);
      const refused = await refusal(access, { action: 'enqueue', principal: request.principal, kind, payload: parsedPayload });
      if (refused !== undefined) return error(403, 'forbidden', refused);
    }
    const job = await client.enqueue(kind, payload, { ...parsed.data.options, createdBy: request.principal?.id });
    // A duplicate of a unique kind's job: nothing new was accepted, here is the existing job.
    return { statusCode: job.duplicate ? 200 : 202, body: job };
  } catch (e) {
    if (e instanceof PayloadTooLargeError) return error(413, 'payload_too_large', e.message, { bytes: e.bytes, limitBytes: e.limitBytes });
    if (e instanceof InvalidPayloadError) return error(422, 'invalid_payload', e.message, e.issues);
    if (e instanceof InvalidEnqueueOptionsError) return error(400, 'invalid_options', e.message);
    throw e;
  }
}

async function getJob(id: string, request: ApiRequest, client: JobClient, access: EnqueueApiAccess): Promise<ApiResponse> {
  const found = await reachableJob(id, request, client, access, 'get');
  if ('statusCode' in found) return found;
  // A result kept in the results bucket is answered in place of its pointer, as a small one would be.
  const stored = found.record.resultRef ? await client.result(id) : undefined;
  return { statusCode: 200, body: stored?.state === 'succeeded' ? { ...found.record, result: stored.result } : found.record };
}

/** HTTP statuses of a result's states: settled 200, pending 202, gone 404 or 410. */
const RESULT_STATUS: Readonly<Record<JobResult['state'], number>> = { succeeded: 200, failed: 200, too_large: 200, pending: 202, not_found: 404, expired: 410 };

async function jobResult(id: string, request: ApiRequest, client: JobClient, access: EnqueueApiAccess): Promise<ApiResponse> {
  const raw = request.query?.waitSeconds;
  const waitSeconds = raw === undefined ? 0 : Number(raw);
  if (!(raw === undefined || /^\d+(\.\d+)?$/.test(raw)) || waitSeconds > MAX_API_RESULT_WAIT_SECONDS) {
    return error(400, 'invalid_wait', `waitSeconds must be a number of seconds from 0 to ${MAX_API_RESULT_WAIT_SECONDS}, got ${JSON.stringify(raw)}`);
  }
  // The caller must be allowed to read the job before it may wait on it: the same check as GET /jobs/{id}.
  const found = await reachableJob(id, request, client, access, 'get');
  if ('statusCode' in found) return found;
  const answer = await client.result(id, { waitSeconds });
  return { statusCode: RESULT_STATUS[answer.state], body: answer };
}

async function cancelJob(id: string, request: ApiRequest, client: JobClient, access: EnqueueApiAccess): Promise<ApiResponse> {
  const found = await reachableJob(id, request, client, access, 'cancel');
  if ('statusCode' in found) return found;
  try {
    return { statusCode: 200, body: await client.cancel(id, `cancelled through the API${request.principal ? ` by ${request.principal.id}` : ''}`) };
  } catch (e) {
    if (e instanceof JobNotCancellableError) return e.status === undefined ? error(404, 'job_not_found', e.message) : error(409, 'not_cancellable', e.message, { status: e.status });
    throw e;
  }
}

/** The job a GET or cancel names, when it exists, the caller may reach it and the app allows the call; else the answer. */
async function reachableJob(id: string, request: ApiRequest, client: JobClient, access: EnqueueApiAccess, action: 'get' | 'cancel'): Promise<{ record: JobRecord } | ApiResponse> {
  if (!isJobId(id)) return error(400, 'invalid_id', `"${id}" is not a job id (26 characters of Crockford base-32, as returned by POST /jobs)`);
  const record = await client.get(id);
  // Someone else's job, under ownJobsOnly, is answered as one that does not exist.
  if (!record || !mayReach(access, request.principal, record)) return error(404, 'job_not_found', `no job ${id} (it may never have existed, or its retention ended)`);
  const refused = await refusal(access, { action, principal: request.principal, kind: record.kind, job: record });
  if (refused !== undefined) return error(403, 'forbidden', refused);
  return { record };
}

function error(statusCode: number, code: string, message: string, details?: unknown): ApiResponse {
  return { statusCode, body: { error: { code, message, ...(details === undefined ? {} : { details }) } } };
}

/**
 * Makes the API Lambda's handler (HTTP API, payload format 2.0) around a {@link JobClient}:
 * pass the client's options (it is made on the first request, from `JOBLINE_CONFIG` unless
 * they say otherwise), a client, or a function that makes one; and what callers may do —
 * the kinds they may enqueue (no other), an `authorize` hook, `ownJobsOnly`. Unexpected
 * errors become a 500 whose body names no internals; they are logged with the request id.
 *
 * @example export const handler = createEnqueueApi({ jobs: [sendEmail, importChunk] }, { kinds: [sendEmail] });
 */
export function createEnqueueApi(client: JobClientOptions | JobClient | (() => JobClient), access: EnqueueApiAccess): (event: AuthorizedEvent) => Promise<APIGatewayProxyResultV2> {
  if (!access || !Array.isArray(access.kinds)) throw new TypeError('createEnqueueApi needs what callers may do as its second argument: { kinds: [the kinds callers may enqueue over HTTP], authorize?, ownJobsOnly? }');
  let resolved: JobClient | undefined = client instanceof JobClient ? client : undefined;
  const make = typeof client === 'function' ? client : () => new JobClient(client as JobClientOptions);
  return async (event) => {
    resolved ??= make();
    const body = event.body === undefined ? undefined : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    const request: ApiRequest = {
      method: event.requestContext?.http?.method ?? 'GET',
      path: event.rawPath ?? '/',
      query: event.queryStringParameters,
      body,
      principal: principalOf(event),
    };
    let response: ApiResponse;
    const tracer = jobTracer();
    try {
      // Tracing on: the jobs' `create` spans continue the trace the request's `traceparent` carries.
      response = await tracer.incoming(event.headers, () => handleApiRequest(request, resolved!, access));
    } catch (e) {
      console.error(JSON.stringify({ level: 'ERROR', message: 'enqueue API failed', requestId: event.requestContext?.requestId, error: String((e as Error)?.stack ?? e) }));
      response = error(500, 'internal_error', `the request could not be completed (request id ${event.requestContext?.requestId ?? 'unknown'}); nothing was enqueued unless a later GET shows it`);
    }
    await tracer.flush();
    return { statusCode: response.statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(response.body) };
  };
}

/** A path segment decoded; a malformed %-escape stays as it came (and then fails the id check: a 400). */
function decodedOrRaw(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** An HTTP API event as the enqueue API gets it: authorized by IAM (the default), a JWT authorizer or a Lambda authorizer. */
export type AuthorizedEvent = Omit<APIGatewayProxyEventV2WithIAMAuthorizer, 'requestContext'> & {
  readonly requestContext: Omit<APIGatewayProxyEventV2WithIAMAuthorizer['requestContext'], 'authorizer'> & {
    readonly authorizer?: {
      readonly iam?: { readonly userArn?: string };
      readonly jwt?: { readonly claims?: Readonly<Record<string, unknown>> };
      readonly lambda?: Readonly<Record<string, unknown>>;
    };
  };
};

/** Who made the request, as its authorizer says: the IAM principal's ARN, `jwt:<sub>` with the token's claims, or `lambda:<principalId>` with the authorizer's context. */
function principalOf(event: AuthorizedEvent): ApiPrincipal | undefined {
  const authorizer = event.requestContext?.authorizer;
  if (authorizer?.iam?.userArn) return { id: authorizer.iam.userArn };
  const claims = authorizer?.jwt?.claims;
  if (typeof claims?.sub === 'string') return { id: `jwt:${claims.sub}`, claims };
  const context = authorizer?.lambda;
  if (typeof context?.principalId === 'string') return { id: `lambda:${context.principalId}`, claims: context };
  return undefined;
}
