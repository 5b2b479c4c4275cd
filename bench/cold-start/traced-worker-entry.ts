/**
 * Cold-start benchmark (bench/cold-start.ts), for information: the worker of worker-entry.ts with
 * tracing on, as docs/tracing.md sets it up by hand — jobline/tracing, OpenTelemetry's tracer
 * provider, context manager and propagator, and an OTLP/HTTP exporter made (spans go to an
 * in-memory exporter instead, so that the first call sends nothing over the network).
 */
import * as z from 'zod';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { defineJob } from 'jobline';
import { useOpenTelemetry } from 'jobline/tracing';
import { createWorker, defineHandler } from 'jobline/worker';

/** Made, as an app makes it, but not given the spans: its code is loaded and evaluated all the same. */
export const exporter = new OTLPTraceExporter({ url: 'http://127.0.0.1:4318/v1/traces' });
trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: new InMemorySpanExporter() })] }));
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
useOpenTelemetry();

const noop = defineJob({ kind: 'bench.noop', schema: z.object({ id: z.string() }) });

export const handler = createWorker({ jobs: [defineHandler(noop, async () => {})] });
