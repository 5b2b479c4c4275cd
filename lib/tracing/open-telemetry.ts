import {
  context, diag, propagation, SpanKind, SpanStatusCode, trace, TraceFlags,
  type Attributes, type Context, type Link, type Span, type SpanContext, type Tracer, type TracerProvider,
} from '@opentelemetry/api';
import { formatTraceparent, parseTraceparent } from './traceparent.js';
import type { BatchMessage, Creation, JobTracer, ProcessedJob, SpanAttributes, SpanOutcome } from './job-tracer.js';

/** Options of `useOpenTelemetry` (jobline/tracing). */
export interface OpenTelemetryOptions {
  /**
   * What a job's `process` span hangs under. `batch` (OpenTelemetry's messaging conventions):
   * the Lambda batch's `process` span — each job's span links to its creation context, and a
   * request's trace and its jobs' traces are joined by links. `creation`: the job's creation
   * context itself, so a request, every attempt of its jobs, their children and follow-ups are one
   * trace — what X-Ray and other tools that do not follow links show whole.
   * @default 'batch'
   */
  readonly parent?: 'batch' | 'creation';
  /** Where spans go. @default the global tracer provider (the OpenTelemetry Lambda layer's, ADOT's, or the one your code registered) */
  readonly tracerProvider?: TracerProvider;
  /** Flush the provider's spans at the end of each worker batch (a Lambda's process freezes once it returns). @default true */
  readonly flush?: boolean;
}

/** The name jobline's spans are made under (the instrumentation scope). */
export const TRACER_NAME = 'jobline';

const MESSAGING = { 'messaging.system': 'aws_sqs' } as const;

/** jobline's spans, made with OpenTelemetry's API: the messaging conventions' `create`, `send` and `process` spans. */
export class OpenTelemetryTracer implements JobTracer {
  readonly enabled = true;
  private readonly tracer: Tracer;

  constructor(private readonly options: OpenTelemetryOptions = {}) {
    this.tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(TRACER_NAME);
  }

  create(job: { id: string; kind: string; queue: string }): Creation {
    const span = this.tracer.startSpan(`create ${job.kind}`, {
      kind: SpanKind.PRODUCER,
      attributes: { ...MESSAGING, 'messaging.operation.type': 'create', 'messaging.operation.name': 'create', 'messaging.destination.name': job.queue, 'jobline.job.id': job.id, 'jobline.job.kind': job.kind },
    });
    const spanContext = span.spanContext();
    return {
      trace: trace.isSpanContextValid(spanContext) ? formatTraceparent({ traceId: spanContext.traceId, spanId: spanContext.spanId, flags: spanContext.traceFlags }) : undefined,
      end: (error?: unknown) => endSpan(span, error),
    };
  }

  async send<T>(queue: string, traces: readonly (string | undefined)[], send: () => Promise<T>): Promise<T> {
    const links = linksOf(traces);
    return this.inSpan(`send ${queue}`, {
      kind: SpanKind.CLIENT,
      links,
      attributes: { ...MESSAGING, 'messaging.operation.type': 'send', 'messaging.operation.name': 'send', 'messaging.destination.name': queue, 'messaging.batch.message_count': traces.length },
    }, context.active(), send);
  }

  async processBatch<T>(queue: string, messages: readonly BatchMessage[], work: () => Promise<T>): Promise<T> {
    const attributes: Attributes = { ...MESSAGING, 'messaging.operation.type': 'process', 'messaging.operation.name': 'process', 'messaging.destination.name': queue, 'messaging.batch.message_count': messages.length };
    const links = linksOf(messages.map((m) => m.trace));
    // The OpenTelemetry Lambda instrumentation's invocation span is the batch's already: it gets the links.
    const invocation = trace.getActiveSpan();
    if (invocation?.isRecording()) {
      invocation.setAttributes(attributes);
      // Spans of an SDK older than the API's 1.9 have no addLinks: the attributes still say what the batch was.
      (invocation as Partial<Pick<Span, 'addLinks'>>).addLinks?.(links);
      return work();
    }
    return this.inSpan(`process ${queue}`, { kind: SpanKind.CONSUMER, links, attributes }, context.active(), work);
  }

  async processJob<T>(job: ProcessedJob, work: () => Promise<T>): Promise<T> {
    const links = linksOf([job.trace]);
    const created = links[0]?.context;
    const parent = this.options.parent === 'creation' && created ? trace.setSpanContext(context.active(), created) : context.active();
    return this.inSpan(`process ${job.kind}`, {
      kind: SpanKind.CONSUMER,
      links,
      attributes: {
        ...MESSAGING, 'messaging.operation.type': 'process', 'messaging.operation.name': 'process', 'messaging.destination.name': job.queue,
        'messaging.message.id': job.messageId, 'jobline.job.id': job.id, 'jobline.job.kind': job.kind, 'jobline.lane': job.lane,
      },
    }, parent, work);
  }

  annotate(attributes: SpanAttributes): void {
    trace.getActiveSpan()?.setAttributes(defined(attributes));
  }

  event(name: string, attributes: SpanAttributes = {}): void {
    trace.getActiveSpan()?.addEvent(name, defined(attributes));
  }

  settle({ outcome, errorType }: SpanOutcome): void {
    const span = trace.getActiveSpan();
    if (!span) return;
    span.setAttribute('jobline.outcome', outcome);
    if (errorType === undefined) return;
    span.setAttribute('error.type', errorType);
    span.setStatus({ code: SpanStatusCode.ERROR, message: outcome === 'retried' ? `${errorType} failure; the job will retry` : `${errorType} failure; the job failed` });
  }

  async incoming<T>(headers: Readonly<Record<string, string | undefined>> | null | undefined, work: () => Promise<T>): Promise<T> {
    if (trace.getActiveSpan() || !headers) return work();
    const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
    let carried = propagation.extract(context.active(), lower);
    // No propagator registered (a provider set up by hand): read the W3C header itself.
    if (!trace.getSpanContext(carried)) {
      const parent = remoteContextOf(lower.traceparent);
      if (parent) carried = trace.setSpanContext(carried, parent);
    }
    return context.with(carried, work);
  }

  ids(): { trace_id: string; span_id: string } | undefined {
    const spanContext = trace.getActiveSpan()?.spanContext();
    return spanContext && trace.isSpanContextValid(spanContext) ? { trace_id: spanContext.traceId, span_id: spanContext.spanId } : undefined;
  }

  async flush(): Promise<void> {
    if (this.options.flush === false) return;
    const provider = (this.options.tracerProvider ?? trace.getTracerProvider()) as TracerProvider & { getDelegate?: () => TracerProvider };
    const target = (provider.getDelegate?.() ?? provider) as TracerProvider & { forceFlush?: () => Promise<void> };
    try {
      await target.forceFlush?.();
    } catch (error) {
      // Spans that could not be exported never fail the batch or the request they describe: told to
      // OpenTelemetry's own diagnostic logger (`diag.setLogger`), as its exporters report their errors.
      diag.warn(`jobline: the tracer provider could not flush its spans: ${(error as Error)?.message ?? String(error)}`);
    }
  }

  private async inSpan<T>(name: string, options: Parameters<Tracer['startSpan']>[1], parent: Context, work: () => Promise<T>): Promise<T> {
    const span = this.tracer.startSpan(name, options, parent);
    try {
      const result = await context.with(trace.setSpan(parent, span), work);
      span.end();
      return result;
    } catch (error) {
      endSpan(span, error);
      throw error;
    }
  }
}

/** Links to each valid creation context, once each. */
function linksOf(traces: readonly (string | undefined)[]): Link[] {
  const seen = new Set<string>();
  const links: Link[] = [];
  for (const value of traces) {
    if (value === undefined || seen.has(value)) continue;
    seen.add(value);
    const spanContext = remoteContextOf(value);
    if (spanContext) links.push({ context: spanContext });
  }
  return links;
}

function remoteContextOf(value: string | undefined): SpanContext | undefined {
  const parent = parseTraceparent(value);
  return parent && { traceId: parent.traceId, spanId: parent.spanId, traceFlags: parent.flags & TraceFlags.SAMPLED, isRemote: true };
}

function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.setAttribute('error.type', error instanceof Error ? error.name : 'Error');
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}

function defined(attributes: SpanAttributes): Attributes {
  return Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== undefined)) as Attributes;
}
