/**
 * The one boundary between jobline and a tracing library. jobline's code calls the current
 * {@link JobTracer}; until an app turns tracing on (`useOpenTelemetry()` from `jobline/tracing`)
 * that is {@link NO_TRACER}, which makes no spans and writes no creation context anywhere: a job's
 * record and message stay as they were, and no tracing library is loaded or bundled.
 */

/** How an attempt that did not succeed failed, as its `process` span's `error.type` says. */
export type FailureType = 'transient' | 'permanent' | 'deadline';

/** The `create` span of one job being enqueued, and the creation context it gives the job. */
export interface Creation {
  /** The job's creation context (a W3C `traceparent`), kept with the job; undefined when not traced. */
  readonly trace: string | undefined;
  /** Ends the span; with an error, as failed. */
  end(error?: unknown): void;
}

/** What a job's `process` span says of the delivery it runs. */
export interface ProcessedJob {
  readonly id: string;
  readonly kind: string;
  readonly lane: string;
  /** The SQS queue's name (`messaging.destination.name`). */
  readonly queue: string;
  readonly messageId: string;
  /** The job's creation context, from its message. */
  readonly trace: string | undefined;
}

/** One message of a batch, as the batch's span links it. */
export interface BatchMessage {
  readonly messageId: string;
  readonly trace: string | undefined;
}

/** What an attempt came to, for its span. */
export interface SpanOutcome {
  readonly outcome: 'succeeded' | 'retried' | 'failed' | 'waiting' | 'delayed';
  readonly errorType?: FailureType | undefined;
}

/** Attribute values a span takes. */
export type SpanAttributes = Readonly<Record<string, string | number | boolean | undefined>>;

/** Makes jobline's spans: one implementation per tracing library, the current one set by {@link setJobTracer}. */
export interface JobTracer {
  /** False for {@link NO_TRACER}: callers skip the work of gathering what a span would say. */
  readonly enabled: boolean;
  /** Starts the `create {kind}` span of a job about to be enqueued, in the caller's context. */
  create(job: { readonly id: string; readonly kind: string; readonly queue: string }): Creation;
  /** Runs `send`, a batch of new jobs' messages going to one queue, in a `send {queue}` span linking each job's creation context (`traces`). */
  send<T>(queue: string, traces: readonly (string | undefined)[], send: () => Promise<T>): Promise<T>;
  /**
   * Runs a Lambda batch's processing in a `process {queue}` span linking each record's creation
   * context — or, when a span runs already (the OpenTelemetry Lambda instrumentation's invocation
   * span), adds the links and attributes to that one.
   */
  processBatch<T>(queue: string, messages: readonly BatchMessage[], work: () => Promise<T>): Promise<T>;
  /** Runs one delivery of a job in its `process {kind}` span (the handler's own calls nest under it). */
  processJob<T>(job: ProcessedJob, work: () => Promise<T>): Promise<T>;
  /** Adds attributes to the running job's span. */
  annotate(attributes: SpanAttributes): void;
  /** Adds an event to the running span: a job's (a flow-control wait, a duplicate dropped, a DLQ move), or an operator's (a redrive, a retry). */
  event(name: string, attributes?: SpanAttributes): void;
  /** Marks the running job's span with what its attempt came to. */
  settle(outcome: SpanOutcome): void;
  /** Runs `work` in the trace context an incoming request carries (its `traceparent` header), unless a span is already running. */
  incoming<T>(headers: Readonly<Record<string, string | undefined>> | null | undefined, work: () => Promise<T>): Promise<T>;
  /** The running span's trace and span ids, for log lines; undefined when none runs. */
  ids(): { readonly trace_id: string; readonly span_id: string } | undefined;
  /** Hands finished spans to the exporter before a Lambda invocation returns (its process freezes after); never throws: an export that fails is reported, not passed on. */
  flush(): Promise<void>;
}

/** The creation of a job while tracing is off: no span, no context. */
export const NOT_TRACED: Creation = { trace: undefined, end: () => undefined };

/** The tracer while tracing is off: no spans, nothing written. */
export const NO_TRACER: JobTracer = {
  enabled: false,
  create: () => NOT_TRACED,
  send: (_queue, _traces, send) => send(),
  processBatch: (_queue, _messages, work) => work(),
  processJob: (_job, work) => work(),
  annotate: () => undefined,
  event: () => undefined,
  settle: () => undefined,
  incoming: (_headers, work) => work(),
  ids: () => undefined,
  flush: () => Promise.resolve(),
};

let current: JobTracer = NO_TRACER;

/** The tracer jobline's code uses now. */
export function jobTracer(): JobTracer {
  return current;
}

/** Makes `tracer` the one jobline uses (NO_TRACER turns tracing off); returns the one it replaces. */
export function setJobTracer(tracer: JobTracer): JobTracer {
  const previous = current;
  current = tracer;
  return previous;
}

/** The queue's name at the end of its URL (`messaging.destination.name`). */
export function queueNameOf(queueUrl: string): string {
  return queueUrl.slice(queueUrl.lastIndexOf('/') + 1);
}
