/**
 * `jobline/tracing`: OpenTelemetry traces from enqueue to every attempt, child and follow-up.
 * Needs `@opentelemetry/api` (an optional peer dependency): an app that never imports this entry
 * point carries no tracing code, and jobline keeps no creation context on its jobs.
 *
 * @example
 * import { useOpenTelemetry } from 'jobline/tracing';
 * useOpenTelemetry(); // the global tracer provider: the OpenTelemetry Lambda layer's, ADOT's, or yours
 * export const handler = createWorker({ jobs: [sendEmailJob] });
 *
 * @module
 */
import { setJobTracer } from './job-tracer.js';
import { OpenTelemetryTracer, type OpenTelemetryOptions } from './open-telemetry.js';

export { TRACER_NAME, type OpenTelemetryOptions } from './open-telemetry.js';

/** Turns tracing off again, as it was before {@link useOpenTelemetry}. */
export interface TracingHandle {
  /** Puts back the tracer that was in use before (no tracing, unless another call turned it on). */
  stop(): void;
}

/**
 * Makes jobline trace through OpenTelemetry in this process: each enqueue (client, HTTP API,
 * children, follow-ups) makes a `create {kind}` span and keeps its context with the job; a worker
 * batch is a `process {queue}` span linking its records, each delivery a `process {kind}` span
 * linked to the job's creation context, with the handler's own calls under it; the worker's log
 * lines carry `trace_id` and `span_id`. Call it once, where the process starts (the worker's and
 * the API's entry files, your app's). With no tracer provider registered, spans are not recorded
 * and nothing is kept with the jobs.
 */
export function useOpenTelemetry(options: OpenTelemetryOptions = {}): TracingHandle {
  const previous = setJobTracer(new OpenTelemetryTracer(options));
  return { stop: () => void setJobTracer(previous) };
}
