import { context, propagation, trace, type Attributes, type Context, type Link, type SpanKind } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SamplingDecision, TracerProvider, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';
import { useOpenTelemetry } from 'jobline/tracing';

/**
 * Records a span when its parent or one of its links was sampled, and nothing else: only the
 * traces a test starts (with a sampled `traceparent`) are exported. Every other test's jobs make
 * non-recording spans, and no batch sends anything to a receiver that is not there.
 */
class SampledByParentOrLink implements Sampler {
  shouldSample(parent: Context, _traceId: string, _name: string, _kind: SpanKind, _attributes: Attributes, links: Link[]): SamplingResult {
    const sampled = (flags: number | undefined) => flags !== undefined && (flags & 1) === 1;
    const decision = sampled(trace.getSpanContext(parent)?.traceFlags) || links.some((l) => sampled(l.context.traceFlags)) ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD;
    return { decision };
  }

  toString(): string {
    return 'SampledByParentOrLink';
  }
}

/**
 * Registers the tracer provider, context manager and propagator, and turns jobline's tracing on,
 * when the function has an OTLP endpoint (the test stack gives it `TEST_OTLP_TRACES_URL`, where
 * `test/integration/tracing.test.ts` runs a receiver) — the setup docs/tracing.md describes for an
 * app that registers its own provider. Attempts hang under their creation context (`parent:
 * 'creation'`), so a request and everything it leads to is one trace.
 */
export function traceToTestReceiver(service: string): void {
  const url = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!url) return;
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    sampler: new SampledByParentOrLink(),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }) })],
  });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  useOpenTelemetry({ parent: 'creation' });
}
