/**
 * `jobline/api`: the enqueue HTTP API (`POST /jobs`, `GET /jobs/{id}`, `GET /jobs/{id}/result`, `POST /jobs/{id}/cancel`)
 * as a Lambda handler for API Gateway, and a SigV4-signing client for it.
 */
export { createEnqueueApi, MAX_API_RESULT_WAIT_SECONDS, MAX_REQUEST_BYTES, type ApiRequest, type ApiResponse, type AuthorizedEvent } from './enqueue-api.js';
export type { ApiCall, ApiDecision, ApiPrincipal, EnqueueApiAccess } from './api-access.js';
export { JobApiClient, type ApiReply, type JobApiClientOptions } from './job-api-client.js';
