/**
 * `jobline/worker`: the worker Lambda's runtime. Bind each kind to a plain async handler with
 * {@link defineHandler}, then export `handler = createWorker({ jobs })` from the worker's entry
 * file. Never imports the CDK, so worker bundles stay small.
 */
export { createWorker, type WorkerHandler, type WorkerOptions } from './create-worker.js';
export { defineHandler, type AnyBoundJob, type BoundJob, type JobContext, type JobHandler } from './job-handler.js';
export type { SpawnOptions } from '../continuations/children.js';
export { DEFAULT_ONCE_TTL_SECONDS, type OnceOptions } from '../idempotency/once.js';
export { putAll } from '../aws/batch-write.js';
