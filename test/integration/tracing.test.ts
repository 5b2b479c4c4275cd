import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_OTLP_TRACES_URL } from '../../functions/testing/definitions.js';
import { childJobId } from '../../lib/continuations/children.js';
import { queueNameOf } from '../../lib/tracing/job-tracer.js';
import { api, client, lane, stack, unique, waitForStatus, workerLogLines } from './support/deployed.js';
import { OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.js';
import { waitFor } from './support/wait.js';
import { jobline } from './support/jobline-cli.js';

// The test stack's worker and API export over OTLP/HTTP to TEST_OTLP_TRACES_URL the traces a
// request starts with a sampled traceparent (functions/testing/tracing.ts); this receiver is there.
let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await OtlpReceiver.start(Number(new URL(TEST_OTLP_TRACES_URL).port));
});
afterAll(async () => {
  await receiver?.stop();
});

const QUEUE = queueNameOf(lane.queueUrl);
const PRODUCER = 4;
const CONSUMER = 5;
const ERROR = 2;

const linksTo = (span: ReceivedSpan, target: ReceivedSpan) => span.links.some((l) => l.traceId === target.traceId && l.spanId === target.spanId);
const ofJob = (spans: readonly ReceivedSpan[], name: string, jobId: string) => spans.filter((s) => s.name === name && s.attributes['jobline.job.id'] === jobId);

describe('a request followed through the queue (OpenTelemetry, OTLP/HTTP)', () => {
  it('is one trace: its job\'s create span, both attempts linked to it, the children and the follow-up under the attempts that made them', async () => {
    const traceId = randomBytes(16).toString('hex');
    const requestSpanId = randomBytes(8).toString('hex');
    const since = new Date();
    const reply = await api.enqueue({ kind: 'test.traced', payload: { run: unique('traced') } }, { traceparent: `00-${traceId}-${requestSpanId}-01` });
    expect(reply.status).toBe(202);
    const { id } = reply.body as { id: string };
    await waitForStatus(id, 'succeeded', 90_000);
    const count = (spans: readonly ReceivedSpan[], name: string) => spans.filter((s) => s.name === name).length;
    const spans = await waitFor('every span of the request to reach the receiver', async () => {
      const all = receiver.trace(traceId);
      return count(all, 'process test.traced') === 2 && count(all, 'process test.traced-child') === 2 && count(all, 'process test.traced-next') === 1 ? all : undefined;
    }, { timeoutMs: 60_000 });

    // Exactly these spans, named by the messaging conventions, all jobline's, all in the request's trace.
    expect(spans.map((s) => s.name).sort()).toEqual([
      'create test.traced', 'create test.traced-child', 'create test.traced-child', 'create test.traced-next',
      'process test.traced', 'process test.traced', 'process test.traced-child', 'process test.traced-child', 'process test.traced-next',
      `send ${QUEUE}`,
    ]);
    expect(new Set(spans.map((s) => s.scope))).toEqual(new Set(['jobline']));

    // The enqueue: a create span of the API's, under the caller's span, whose context the record keeps.
    const [create] = ofJob(spans, 'create test.traced', id);
    expect(create).toMatchObject({ service: 'jobline-test-api', kind: PRODUCER, parentSpanId: requestSpanId });
    expect(create!.attributes).toMatchObject({ 'messaging.system': 'aws_sqs', 'messaging.operation.type': 'create', 'messaging.operation.name': 'create', 'messaging.destination.name': QUEUE, 'jobline.job.kind': 'test.traced' });
    expect((await client.get(id))?.trace).toBe(`00-${traceId}-${create!.spanId}-01`);
    // An operator finds the trace to look up from the job.
    expect((await jobline('jobs', 'show', id)).stdout).toContain(`  trace     ${traceId} (enqueued in span ${create!.spanId})`);

    // Two attempts, each a process span linked to (and here, parented by) the creation context; the first failed transiently.
    const attempts = ofJob(spans, 'process test.traced', id).sort((a, b) => Number(a.attributes['jobline.job.attempt']) - Number(b.attributes['jobline.job.attempt']));
    expect(attempts.map((a) => a.attributes['jobline.job.attempt'])).toEqual([1, 2]);
    for (const attempt of attempts) {
      expect(attempt).toMatchObject({ service: 'jobline-test-worker', kind: CONSUMER, parentSpanId: create!.spanId });
      expect(linksTo(attempt, create!)).toBe(true);
      expect(attempt.attributes).toMatchObject({ 'messaging.system': 'aws_sqs', 'messaging.operation.type': 'process', 'messaging.destination.name': QUEUE, 'jobline.lane': 'default', 'jobline.tracking': 'full' });
      expect(typeof attempt.attributes['messaging.message.id']).toBe('string');
    }
    expect(attempts[0]).toMatchObject({ statusCode: ERROR, attributes: expect.objectContaining({ 'error.type': 'transient', 'jobline.outcome': 'retried' }) });
    expect(attempts[1]!.attributes).toMatchObject({ 'jobline.outcome': 'waiting' });
    expect(attempts[1]!.attributes['error.type']).toBeUndefined();

    // Each attempt ran in its Lambda batch's process span, which links the record's creation context.
    const batches = await waitFor('the batch spans of both attempts', async () => {
      const found = receiver.spans.filter((s) => s.name === `process ${QUEUE}` && linksTo(s, create!));
      return found.length >= 2 ? found : undefined;
    }, { timeoutMs: 30_000 });
    for (const batch of batches) {
      expect(batch).toMatchObject({ service: 'jobline-test-worker', kind: CONSUMER });
      expect(batch.attributes).toMatchObject({ 'messaging.system': 'aws_sqs', 'messaging.operation.type': 'process', 'messaging.destination.name': QUEUE });
      expect(Number(batch.attributes['messaging.batch.message_count'])).toBeGreaterThanOrEqual(1);
    }

    // The children: made under the second attempt's span, each attempt linked to its own creation.
    for (const index of [0, 1]) {
      const childId = childJobId(id, index, stack.config.shardCount);
      const [childCreate] = ofJob(spans, 'create test.traced-child', childId);
      expect(childCreate).toMatchObject({ kind: PRODUCER, parentSpanId: attempts[1]!.spanId });
      expect((await client.get(childId))?.trace).toBe(`00-${traceId}-${childCreate!.spanId}-01`);
      const [childRun] = ofJob(spans, 'process test.traced-child', childId);
      expect(childRun).toMatchObject({ kind: CONSUMER, parentSpanId: childCreate!.spanId });
      expect(linksTo(childRun!, childCreate!)).toBe(true);
    }

    // The children's messages went in one send, under the second attempt, linking both.
    const [childrenSent] = spans.filter((s) => s.name === `send ${QUEUE}`);
    expect(childrenSent).toMatchObject({ kind: 3, parentSpanId: attempts[1]!.spanId, attributes: expect.objectContaining({ 'messaging.operation.type': 'send', 'messaging.batch.message_count': 2 }) });
    expect(ofJob(spans, 'create test.traced-child', childJobId(id, 0, stack.config.shardCount)).concat(ofJob(spans, 'create test.traced-child', childJobId(id, 1, stack.config.shardCount))).every((c) => linksTo(childrenSent!, c))).toBe(true);

    // The follow-up of the first child: made under that child's span, its attempt linked to it.
    const firstChildRun = ofJob(spans, 'process test.traced-child', childJobId(id, 0, stack.config.shardCount))[0]!;
    const [nextCreate] = spans.filter((s) => s.name === 'create test.traced-next');
    expect(nextCreate).toMatchObject({ kind: PRODUCER, parentSpanId: firstChildRun.spanId });
    const [nextRun] = spans.filter((s) => s.name === 'process test.traced-next');
    expect(nextRun).toMatchObject({ kind: CONSUMER, parentSpanId: nextCreate!.spanId, attributes: expect.objectContaining({ 'jobline.job.id': nextCreate!.attributes['jobline.job.id'], 'jobline.outcome': 'succeeded' }) });
    expect(linksTo(nextRun!, nextCreate!)).toBe(true);

    // The worker's log line of the failed attempt carries its trace and span ids.
    const retryLines = await waitFor('the retry\'s log line', async () => {
      const lines = (await workerLogLines(traceId, since)).filter((line) => line.includes('job will retry'));
      return lines.length > 0 ? lines : undefined;
    }, { timeoutMs: 30_000 });
    expect(JSON.parse(retryLines[0]!.slice(retryLines[0]!.indexOf('{')))).toMatchObject({ trace_id: traceId, span_id: attempts[0]!.spanId, jobId: id });
  }, 180_000);
});
