import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, diag, DiagLogLevel, SpanKind, SpanStatusCode, trace, type DiagLogger } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createEnqueueApi } from '../../lib/api/enqueue-api.js';
import { JobClient } from '../../lib/client/job-client.js';
import { defineJob } from '../../lib/job-definition.js';
import { PermanentError } from '../../lib/errors.js';
import { decodeJobMessage, encodeJobMessage } from '../../lib/job-message.js';
import { newJobId } from '../../lib/job-id.js';
import { memoryBackends, type MemoryBackends } from '../../lib/testing/memory-backends.js';
import { testConfig } from '../../lib/testing/test-config.js';
import { useOpenTelemetry, type TracingHandle } from '../../lib/tracing/index.js';
import { jobTracer, NO_TRACER } from '../../lib/tracing/job-tracer.js';
import { parseTraceparent, traceInBody } from '../../lib/tracing/traceparent.js';
import { createWorker } from '../../lib/worker/create-worker.js';
import { retryJob } from '../../lib/inspector/retry-job.js';
import { dispatchKept } from '../../lib/dispatcher/dispatch-kept.js';
import { defineHandler } from '../../lib/worker/job-handler.js';

const config = testConfig();
const QUEUE = 'jobs-default';
const flaky = defineJob({ kind: 'trace.flaky', schema: z.object({ failures: z.number() }), retry: { maxAttempts: 3, backoffBaseSeconds: 1, jitter: 0 } });
const child = defineJob({ kind: 'trace.child', schema: z.object({ n: z.number() }) });
const parent = defineJob({ kind: 'trace.parent', schema: z.object({}) });
const next = defineJob({ kind: 'trace.next', schema: z.object({}) });
const doomed = defineJob({ kind: 'trace.doomed', schema: z.object({}), retry: { maxAttempts: 1 } });
const light = defineJob({ kind: 'trace.light', schema: z.object({}), tracking: 'from-claim' });
const refused = defineJob({ kind: 'trace.refused', schema: z.object({}) });
const slow = defineJob({ kind: 'trace.slow', schema: z.object({}), timeoutSeconds: 1, retry: { maxAttempts: 2, backoffBaseSeconds: 1, jitter: 0 } });
const kinds = [flaky, child, parent, next, doomed, light, refused, slow];

const exporter = new InMemorySpanExporter();
const silentDiag: DiagLogger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined, verbose: () => undefined };
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const contextManager = new AsyncLocalStorageContextManager();
const appTracer = provider.getTracer('app');

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

let backends: MemoryBackends;
let client: JobClient;
let tracing: TracingHandle | undefined;
/** The client's and the worker's clock, moved past a retry's backoff. */
let clock = Date.now();
const now = () => new Date(clock);
const logger = new Logger({ logLevel: 'SILENT' });

beforeEach(() => {
  backends = memoryBackends();
  client = new JobClient({ jobs: kinds, config, backends, createdBy: 'test', now });
  exporter.reset();
});
afterEach(() => {
  tracing?.stop();
  tracing = undefined;
  vi.restoreAllMocks();
});

function traced(options: Parameters<typeof useOpenTelemetry>[0] = {}): void {
  tracing = useOpenTelemetry({ tracerProvider: provider, ...options });
}

/** The worker as Lambda runs it, over the same in-memory backends: handlers that fail, spawn, follow up and make spans of their own. */
function worker() {
  return createWorker({
    jobs: [
      defineHandler(flaky, async ({ failures }, ctx) => {
        appTracer.startSpan('handler work').end();
        if (ctx.attempt <= failures) throw new Error('not yet');
      }),
      defineHandler(child, async () => undefined),
      defineHandler(parent, async (_payload, ctx) => {
        await ctx.spawn(child, [{ n: 1 }, { n: 2 }]);
      }),
      defineHandler(next, async () => undefined),
      defineHandler(doomed, async () => {
        throw new Error('never works');
      }),
      defineHandler(light, async (_payload, ctx) => {
        ctx.then(next, {});
      }),
      defineHandler(refused, async () => {
        throw new PermanentError('refused for good');
      }),
      defineHandler(slow, (_payload, ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', resolve))),
    ],
    config, backends, logger, now,
  });
}

function sqsRecord(body: string, receiveCount = 1): SQSRecord {
  return {
    messageId: `m-${Math.random()}`, receiptHandle: `r-${Math.random()}`, body, attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: String(Date.now()) } as SQSRecord['attributes'],
    messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${QUEUE}`, awsRegion: 'us-east-1',
  };
}

const lambda = { getRemainingTimeInMillis: () => 30_000 } as Context;

/** Delivers the latest message of each job to the worker, in one batch. */
async function deliver(handler: ReturnType<typeof worker>, ids: readonly string[], receiveCount = 1): Promise<SQSRecord[]> {
  const records = ids.map((id) => sqsRecord(backends.transport.sent.filter((m) => m.id === id).at(-1)!.body, receiveCount));
  await handler({ Records: records } as SQSEvent, lambda);
  return records;
}

/** The finished spans of that name, once the processor has exported them. */
const spans = async (name: string): Promise<ReadableSpan[]> => {
  await provider.forceFlush();
  return exporter.getFinishedSpans().filter((s) => s.name === name);
};
const one = async (name: string): Promise<ReadableSpan> => {
  const found = await spans(name);
  expect(found.map((s) => s.name)).toEqual([name]);
  return found[0]!;
};
const contextOf = (value: string | undefined) => {
  const parsed = parseTraceparent(value);
  return parsed && { traceId: parsed.traceId, spanId: parsed.spanId };
};
const idsOf = (span: ReadableSpan) => ({ traceId: span.spanContext().traceId, spanId: span.spanContext().spanId });
const linked = (span: ReadableSpan) => span.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId }));

describe('tracing off', () => {
  it('writes no creation context on records or messages, and makes no spans, when no app turned it on', async () => {
    expect(jobTracer()).toBe(NO_TRACER);
    const { id } = await appTracer.startActiveSpan('request', async (span) => {
      try {
        return await client.enqueue(flaky, { failures: 0 });
      } finally {
        span.end();
      }
    });
    expect(backends.transport.sent[0]!.body).not.toContain('"trace"');
    expect((await backends.store.get(id))!.trace).toBeUndefined();
    await deliver(worker(), [id]);
    await provider.forceFlush();
    // Only the app's own spans: the request, and the handler's work.
    expect(exporter.getFinishedSpans().map((s) => s.instrumentationScope.name)).toEqual(['app', 'app']);
  });

  it('writes nothing either when tracing is on but no tracer provider records (the global one is a no-op)', async () => {
    tracing = useOpenTelemetry();
    const { id } = await client.enqueue(flaky, { failures: 0 });
    expect(backends.transport.sent[0]!.body).not.toContain('"trace"');
    expect((await backends.store.get(id))!.trace).toBeUndefined();
  });
});

describe('tracing on', () => {
  it('makes a create span per job in the caller\'s trace and keeps its context on the record and the message', async () => {
    traced();
    const request = appTracer.startSpan('request');
    const { id } = await context.with(trace.setSpan(context.active(), request), () => client.enqueue(flaky, { failures: 0 }));
    request.end();
    const create = await one('create trace.flaky');
    expect(create.kind).toBe(SpanKind.PRODUCER);
    expect(create.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(create.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(create.attributes).toMatchObject({
      'messaging.system': 'aws_sqs', 'messaging.operation.type': 'create', 'messaging.operation.name': 'create', 'messaging.destination.name': QUEUE,
      'jobline.job.id': id, 'jobline.job.kind': 'trace.flaky',
    });
    const kept = (await backends.store.get(id))!.trace;
    expect(contextOf(kept)).toEqual(idsOf(create));
    expect(traceInBody(backends.transport.sent[0]!.body)).toBe(kept);
  });

  it('sends a batch under one send span that links every job\'s create span', async () => {
    traced();
    await client.enqueueMany([{ job: flaky, payload: { failures: 0 } }, { job: flaky, payload: { failures: 0 } }]);
    const send = await one(`send ${QUEUE}`);
    expect(send.kind).toBe(SpanKind.CLIENT);
    expect(send.attributes).toMatchObject({ 'messaging.operation.type': 'send', 'messaging.batch.message_count': 2, 'messaging.destination.name': QUEUE });
    expect(linked(send)).toEqual((await spans('create trace.flaky')).map(idsOf));
  });

  it('ends the create spans already started as failed when a later job of the batch is refused, and writes nothing', async () => {
    traced();
    await expect(client.enqueueMany([{ job: flaky, payload: { failures: 0 } }, { job: flaky, payload: { failures: 'x' } as never }])).rejects.toThrow('job 1');
    const [create] = await spans('create trace.flaky');
    expect(create!.status.code).toBe(SpanStatusCode.ERROR);
    expect(backends.transport.sent).toEqual([]);
  });

  it('runs each attempt in a process span under the batch span, linked to the creation context; a retry is a second process span', async () => {
    traced();
    const { id } = await client.enqueue(flaky, { failures: 1 });
    const created = idsOf(await one('create trace.flaky'));
    const handler = worker();
    const infos = vi.spyOn(logger, 'info');
    await deliver(handler, [id]);
    clock += 1_000;
    await deliver(handler, [id], 2);

    const batches = await spans(`process ${QUEUE}`);
    expect(batches).toHaveLength(2);
    for (const batch of batches) {
      expect(batch.kind).toBe(SpanKind.CONSUMER);
      expect(batch.attributes).toMatchObject({ 'messaging.system': 'aws_sqs', 'messaging.operation.type': 'process', 'messaging.batch.message_count': 1 });
      expect(linked(batch)).toEqual([created]);
    }
    const [first, second] = await spans('process trace.flaky');
    expect(first!.parentSpanContext?.spanId).toBe(batches[0]!.spanContext().spanId);
    expect(linked(first!)).toEqual([created]);
    expect(linked(second!)).toEqual([created]);
    expect(first!.kind).toBe(SpanKind.CONSUMER);
    expect(first!.attributes).toMatchObject({
      'messaging.operation.type': 'process', 'messaging.destination.name': QUEUE, 'jobline.job.id': id, 'jobline.job.attempt': 1, 'jobline.lane': 'default',
      'jobline.tracking': 'full', 'jobline.outcome': 'retried', 'error.type': 'transient',
    });
    expect(first!.status.code).toBe(SpanStatusCode.ERROR);
    expect(second!.attributes).toMatchObject({ 'jobline.job.attempt': 2, 'jobline.outcome': 'succeeded' });
    expect(second!.attributes['error.type']).toBeUndefined();
    // The handler's own spans nest under its attempt's.
    const work = await spans('handler work');
    expect(work.map((s) => s.parentSpanContext?.spanId)).toEqual([first!.spanContext().spanId, second!.spanContext().spanId]);
    // The worker's log lines carry the attempt's trace and span ids.
    const retryLine = infos.mock.calls.find(([message]) => message === 'job will retry');
    expect(retryLine?.[1]).toMatchObject({ trace_id: first!.spanContext().traceId, span_id: first!.spanContext().spanId });
  });

  it('hangs an attempt under its creation context with parent "creation": the request and every attempt are one trace', async () => {
    traced({ parent: 'creation' });
    const request = appTracer.startSpan('request');
    const { id } = await context.with(trace.setSpan(context.active(), request), () => client.enqueue(flaky, { failures: 0 }));
    request.end();
    await deliver(worker(), [id]);
    const create = await one('create trace.flaky');
    const attempt = await one('process trace.flaky');
    expect(attempt.parentSpanContext?.spanId).toBe(create.spanContext().spanId);
    expect(attempt.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(linked(attempt)).toEqual([idsOf(create)]);
  });

  it('gives children and follow-ups the running attempt\'s span as their creation context', async () => {
    traced();
    const { id: parentId } = await client.enqueue(parent, {});
    const handler = worker();
    await deliver(handler, [parentId]);
    const parentAttempt = await one('process trace.parent');
    expect(parentAttempt.attributes['jobline.outcome']).toBe('waiting');
    const childCreates = await spans('create trace.child');
    expect(childCreates).toHaveLength(2);
    for (const create of childCreates) expect(create.parentSpanContext?.spanId).toBe(parentAttempt.spanContext().spanId);
    // The two children's messages went in one send, linking both.
    const childrenSent = await one(`send ${QUEUE}`);
    expect(childrenSent.parentSpanContext?.spanId).toBe(parentAttempt.spanContext().spanId);
    expect(linked(childrenSent)).toEqual(childCreates.map(idsOf));
    const childIds = backends.transport.sent.filter((m) => m.kind === 'trace.child').map((m) => m.id);
    for (const childId of childIds) expect(contextOf((await backends.store.get(childId))!.trace)).toEqual(idsOf(childCreates.find((c) => c.attributes['jobline.job.id'] === childId)!));
    await deliver(handler, childIds);
    expect((await spans('process trace.child')).map((s) => linked(s)[0])).toEqual(expect.arrayContaining(childCreates.map(idsOf)));

    const { id: lightId } = await client.enqueue(light, {});
    expect((await backends.store.get(lightId))).toBeUndefined();
    await deliver(handler, [lightId]);
    const lightAttempt = await one('process trace.light');
    // The claim that made its record kept the creation context its message carried.
    expect((await backends.store.get(lightId))!.trace).toBe(traceInBody(backends.transport.sent.find((m) => m.id === lightId)!.body));
    expect(lightAttempt.attributes['jobline.tracking']).toBe('from-claim');
    expect(linked(lightAttempt)).toEqual([idsOf(await one('create trace.light'))]);
    const followUpCreate = await one('create trace.next');
    expect(followUpCreate.parentSpanContext?.spanId).toBe(lightAttempt.spanContext().spanId);
    const followUp = backends.transport.sent.find((m) => m.kind === 'trace.next')!;
    expect(contextOf(traceInBody(followUp.body))).toEqual(idsOf(followUpCreate));
  });

  it('tells a permanent failure and an attempt past its deadline apart by error.type', async () => {
    traced();
    const handler = worker();
    const { id: refusedId } = await client.enqueue(refused, {});
    const { id: slowId } = await client.enqueue(slow, {});
    await deliver(handler, [refusedId, slowId]);
    expect((await one('process trace.refused')).attributes).toMatchObject({ 'jobline.outcome': 'failed', 'error.type': 'permanent' });
    expect((await one('process trace.slow')).attributes).toMatchObject({ 'jobline.outcome': 'retried', 'error.type': 'deadline' });
  });

  it('marks a failure that used up its attempts and its DLQ move, and a duplicate delivery as an event', async () => {
    traced();
    const { id } = await client.enqueue(doomed, {});
    const handler = worker();
    await deliver(handler, [id]);
    const failed = await one('process trace.doomed');
    expect(failed.attributes).toMatchObject({ 'jobline.outcome': 'failed', 'error.type': 'transient' });
    expect(failed.events.map((e) => [e.name, e.attributes])).toEqual([['jobline.dead_letter', { 'error.type': 'transient' }]]);
    exporter.reset();
    await deliver(handler, [id], 2);
    const duplicate = await one('process trace.doomed');
    expect(duplicate.events.map((e) => [e.name, e.attributes])).toEqual([['jobline.duplicate', { 'jobline.claim': 'skip', 'jobline.status': 'failed' }]]);
  });

  it('adds the links to the Lambda instrumentation\'s invocation span instead of making a batch span of its own', async () => {
    traced();
    const { id } = await client.enqueue(flaky, { failures: 0 });
    const handler = worker();
    const invocation = appTracer.startSpan('lambda invocation');
    await context.with(trace.setSpan(context.active(), invocation), () => deliver(handler, [id]));
    invocation.end();
    expect(await spans(`process ${QUEUE}`)).toEqual([]);
    const [lambdaSpan] = await spans('lambda invocation');
    expect(linked(lambdaSpan!)).toEqual([idsOf(await one('create trace.flaky'))]);
    expect(lambdaSpan!.attributes).toMatchObject({ 'messaging.operation.type': 'process', 'messaging.batch.message_count': 1 });
    expect((await one('process trace.flaky')).parentSpanContext?.spanId).toBe(invocation.spanContext().spanId);
  });

  it('says on an operator\'s span that a job was retried, and its message keeps the job\'s creation context', async () => {
    traced();
    const { id } = await client.enqueue(doomed, {});
    const kept = (await backends.store.get(id))!.trace;
    await deliver(worker(), [id]);
    const operator = appTracer.startSpan('operator retries');
    await context.with(trace.setSpan(context.active(), operator), () => retryJob({ store: backends.store, transport: backends.transport, now }, id));
    operator.end();
    const [retried] = await spans('operator retries');
    expect(retried!.events.map((e) => [e.name, e.attributes])).toEqual([['jobline.retry', { 'jobline.job.id': id }]]);
    expect(traceInBody(backends.transport.sent.at(-1)!.body)).toBe(kept);
  });

  it('sends a job whose first send failed with its creation context when the sweeper sends it from the record', async () => {
    traced();
    vi.spyOn(backends.transport, 'send').mockImplementationOnce(async (_lane, messages) => ({ failedIds: messages.map((m) => m.id) }));
    const { id } = await client.enqueue(flaky, { failures: 0 });
    const record = (await backends.store.get(id))!;
    expect(record.payload).toEqual({ failures: 0 });
    expect(contextOf(record.trace)).toEqual(idsOf(await one('create trace.flaky')));
    await dispatchKept([{ record, payloadJson: JSON.stringify(record.payload) }], now(), { transport: backends.transport, scheduler: backends.scheduler, thresholdSeconds: 900, logger });
    expect(traceInBody(backends.transport.sent.at(-1)!.body)).toBe(record.trace);
  });

  it('never fails a worker batch or an API request because its spans could not be exported (the collector is down)', async () => {
    const refused = Object.assign(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }), {
      forceFlush: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:4318')),
    });
    const warnings: string[] = [];
    diag.setLogger({ ...silentDiag, warn: (message: string) => void warnings.push(message) }, DiagLogLevel.WARN);
    try {
      tracing = useOpenTelemetry({ tracerProvider: refused });
      const api = createEnqueueApi(client, { kinds: [flaky] });
      const response = await api({
        rawPath: '/jobs', headers: {}, body: JSON.stringify({ kind: 'trace.flaky', payload: { failures: 0 } }), isBase64Encoded: false,
        requestContext: { http: { method: 'POST' }, requestId: 'r', authorizer: { iam: { userArn: 'arn:aws:iam::1:user/ada' } } },
      } as never) as { statusCode: number; body: string };
      expect(response.statusCode).toBe(202);
      const { id } = JSON.parse(response.body) as { id: string };
      const records = await deliver(worker(), [id]);
      expect(records).toHaveLength(1);
      expect((await backends.store.get(id))!.status).toBe('succeeded');
      expect(warnings).toEqual([
        'jobline: the tracer provider could not flush its spans: connect ECONNREFUSED 127.0.0.1:4318',
        'jobline: the tracer provider could not flush its spans: connect ECONNREFUSED 127.0.0.1:4318',
      ]);
    } finally {
      diag.disable();
    }
  });

  it('continues the trace an HTTP request carries in its traceparent header', async () => {
    traced();
    const api = createEnqueueApi(client, { kinds: [flaky] });
    const caller = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const response = await api({
      rawPath: '/jobs', headers: { traceparent: caller }, body: JSON.stringify({ kind: 'trace.flaky', payload: { failures: 0 } }), isBase64Encoded: false,
      requestContext: { http: { method: 'POST' }, requestId: 'r', authorizer: { iam: { userArn: 'arn:aws:iam::1:user/ada' } } },
    } as never) as { statusCode: number };
    expect(response.statusCode).toBe(202);
    const create = await one('create trace.flaky');
    expect(create.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(create.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
  });

  it('runs a message whose creation context is not one, without a link; a payload\'s own trace field is never taken for it', async () => {
    traced();
    const id = newJobId(4);
    const forged = `{"v":1,"id":"${id}","kind":"trace.flaky","recorded":true,"trace":"not-a-traceparent","payload":{"failures":0}}`;
    backends.transport.sent.push({ id, kind: 'trace.flaky', lane: 'default', body: forged, delaySeconds: 0 } as never);
    expect(traceInBody(forged)).toBeUndefined();
    // Not a string at all: read as no context, the job still runs.
    const numbered = decodeJobMessage(forged.replace('"not-a-traceparent"', '5'));
    expect(numbered).toMatchObject({ ok: true, message: { id } });
    expect((numbered as { message: { trace?: unknown } }).message.trace).toBeUndefined();
    expect((decodeJobMessage(forged) as { message: { trace?: unknown } }).message.trace).toBeUndefined();
    const inPayload = encodeJobMessage(id, 'trace.flaky', '{"failures":0,"x":{"a":1},"trace":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}');
    expect(traceInBody(inPayload)).toBeUndefined();
    await backends.store.insert([{ id, kind: 'trace.flaky', lane: 'default', status: 'queued', maxAttempts: 3, payloadBytes: 14, createdAt: new Date() }]);
    await deliver(worker(), [id]);
    const attempt = await one('process trace.flaky');
    expect(attempt.links).toEqual([]);
    expect(attempt.attributes['jobline.outcome']).toBe('succeeded');
  });
});
