import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { JobClient, type JobClientOptions } from '../client/job-client.js';
import { InvalidEnqueueOptionsError, InvalidPayloadError, JobNotCancellableError, PayloadTooLargeError, UnknownKindError } from '../errors.js';
import { MAX_PAYLOAD_BYTES_LIMIT } from '../job-definition.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../json-depth.js';
import { isJobId } from '../job-id.js';

/** Largest request body the API reads, in bytes: the largest payload any kind allows plus room for the envelope. */
export const MAX_REQUEST_BYTES = MAX_PAYLOAD_BYTES_LIMIT + 4096;

/** An HTTP request, reduced to what the API reads. */
export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly body: string | undefined;
  /** The IAM principal that signed the request, when the gateway checked a signature. */
  readonly principal?: string | undefined;
}

/** An HTTP response with a JSON body. */
export interface ApiResponse {
  readonly statusCode: number;
  readonly body: unknown;
}

const enqueueBody = z.strictObject({
  kind: z.string({ error: 'kind is required and must be a string' }).min(1, 'kind must not be empty'),
  payload: z.unknown().refine((value) => value !== undefined, 'payload is required (use {} for none)'),
  options: z.strictObject({ delaySeconds: z.number().optional(), runAt: z.string().optional() }).optional(),
});

/**
 * The enqueue API: `POST /jobs` `{kind, payload, options}` → 202 `{id, kind, status}`;
 * `GET /jobs/{id}` → 200 the record; `POST /jobs/{id}/cancel` → 200 the cancelled record
 * (409 when the job runs already or is over). Every error is a 4xx with `{error: {code, message, details?}}`
 * that says what is wrong; nothing is written for a rejected request.
 */
export async function handleApiRequest(request: ApiRequest, client: JobClient): Promise<ApiResponse> {
  const jobPath = /^\/jobs\/([^/]+)$/.exec(request.path);
  const cancelPath = /^\/jobs\/([^/]+)\/cancel$/.exec(request.path);
  if (request.path === '/jobs' && request.method === 'POST') return enqueue(request, client);
  if (jobPath && request.method === 'GET') return getJob(decodedOrRaw(jobPath[1]!), client);
  if (cancelPath && request.method === 'POST') return cancelJob(decodedOrRaw(cancelPath[1]!), request, client);
  if (request.path === '/jobs' || jobPath || cancelPath) return error(405, 'method_not_allowed', `${request.method} is not allowed on ${request.path}`);
  return error(404, 'not_found', `no route ${request.method} ${request.path}; routes: POST /jobs, GET /jobs/{id}, POST /jobs/{id}/cancel`);
}

async function enqueue(request: ApiRequest, client: JobClient): Promise<ApiResponse> {
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
  try {
    const job = await client.enqueue(parsed.data.kind, parsed.data.payload, { ...parsed.data.options, createdBy: request.principal });
    // A duplicate of a unique kind's job: nothing new was accepted, here is the existing job.
    return { statusCode: job.duplicate ? 200 : 202, body: job };
  } catch (e) {
    if (e instanceof UnknownKindError) return error(400, 'unknown_kind', e.message, { knownKinds: e.knownKinds });
    if (e instanceof PayloadTooLargeError) return error(413, 'payload_too_large', e.message, { bytes: e.bytes, limitBytes: e.limitBytes });
    if (e instanceof InvalidPayloadError) return error(422, 'invalid_payload', e.message, e.issues);
    if (e instanceof InvalidEnqueueOptionsError) return error(400, 'invalid_options', e.message);
    throw e;
  }
}

async function getJob(id: string, client: JobClient): Promise<ApiResponse> {
  if (!isJobId(id)) return error(400, 'invalid_id', `"${id}" is not a job id (26 characters of Crockford base-32, as returned by POST /jobs)`);
  const record = await client.get(id);
  if (!record) return error(404, 'job_not_found', `no job ${id} (it may never have existed, or its retention ended)`);
  return { statusCode: 200, body: record };
}

async function cancelJob(id: string, request: ApiRequest, client: JobClient): Promise<ApiResponse> {
  if (!isJobId(id)) return error(400, 'invalid_id', `"${id}" is not a job id (26 characters of Crockford base-32, as returned by POST /jobs)`);
  try {
    return { statusCode: 200, body: await client.cancel(id, `cancelled through the API${request.principal ? ` by ${request.principal}` : ''}`) };
  } catch (e) {
    if (e instanceof JobNotCancellableError) return e.status === undefined ? error(404, 'job_not_found', e.message) : error(409, 'not_cancellable', e.message, { status: e.status });
    throw e;
  }
}

function error(statusCode: number, code: string, message: string, details?: unknown): ApiResponse {
  return { statusCode, body: { error: { code, message, ...(details === undefined ? {} : { details }) } } };
}

/**
 * Makes the API Lambda's handler (HTTP API, payload format 2.0) around a {@link JobClient}:
 * pass the client's options (it is made on the first request, from `JOBLINE_CONFIG` unless
 * they say otherwise), a client, or a function that makes one. Unexpected errors become a
 * 500 whose body names no internals; they are logged with the request id.
 *
 * @example export const handler = createEnqueueApi({ jobs: [sendEmail, importChunk] });
 */
export function createEnqueueApi(client: JobClientOptions | JobClient | (() => JobClient)): (event: AuthorizedEvent) => Promise<APIGatewayProxyResultV2> {
  let resolved: JobClient | undefined = client instanceof JobClient ? client : undefined;
  const make = typeof client === 'function' ? client : () => new JobClient(client as JobClientOptions);
  return async (event) => {
    resolved ??= make();
    const body = event.body === undefined ? undefined : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    const request: ApiRequest = {
      method: event.requestContext?.http?.method ?? 'GET',
      path: event.rawPath ?? '/',
      body,
      principal: principalOf(event),
    };
    let response: ApiResponse;
    try {
      response = await handleApiRequest(request, resolved);
    } catch (e) {
      console.error(JSON.stringify({ level: 'ERROR', message: 'enqueue API failed', requestId: event.requestContext?.requestId, error: String((e as Error)?.stack ?? e) }));
      response = error(500, 'internal_error', `the request could not be completed (request id ${event.requestContext?.requestId ?? 'unknown'}); nothing was enqueued unless a later GET shows it`);
    }
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

/** Who made the request, as its authorizer says: the IAM principal's ARN, `jwt:<sub>`, or `lambda:<principalId>`. */
function principalOf(event: AuthorizedEvent): string | undefined {
  const authorizer = event.requestContext?.authorizer;
  if (authorizer?.iam?.userArn) return authorizer.iam.userArn;
  const sub = authorizer?.jwt?.claims?.sub;
  if (typeof sub === 'string') return `jwt:${sub}`;
  const principalId = authorizer?.lambda?.principalId;
  if (typeof principalId === 'string') return `lambda:${principalId}`;
  return undefined;
}
