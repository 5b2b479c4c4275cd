/**
 * bench/tracing-off.ts builds this once per checkout, its imports of `../../lib/` pointed at that
 * checkout: `run()` enqueues 5,000 `full` jobs with JobClient and runs them through createWorker's
 * handler, on the in-memory backends, tracing off — jobline's own CPU per job, without AWS.
 */
import * as z from 'zod';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { JobClient } from '../../lib/client/job-client.js';
import { defineJob } from '../../lib/job-definition.js';
import { memoryBackends } from '../../lib/testing/memory-backends.js';
import { testConfig } from '../../lib/testing/test-config.js';
import { createWorker } from '../../lib/worker/create-worker.js';
import { defineHandler } from '../../lib/worker/job-handler.js';

const JOBS = 5000;
const config = testConfig();
const noop = defineJob({ kind: 'bench.noop', schema: z.object({ n: z.number() }) });
const lambda = { getRemainingTimeInMillis: () => 900_000 } as Parameters<ReturnType<typeof createWorker>>[1];

export async function run(): Promise<void> {
  const backends = memoryBackends();
  const client = new JobClient({ jobs: [noop], config, backends, createdBy: 'bench' });
  const handler = createWorker({ jobs: [defineHandler(noop, async () => undefined)], config, backends, logger: new Logger({ logLevel: 'SILENT' }), metrics: false });
  for (let i = 0; i < JOBS; i += 10) await client.enqueueMany(Array.from({ length: 10 }, (_, k) => ({ job: noop, payload: { n: i + k } })));
  const sent = backends.transport.sent;
  for (let i = 0; i < sent.length; i += 10) {
    const Records = sent.slice(i, i + 10).map((m) => ({
      messageId: m.id, receiptHandle: m.id, body: m.body, attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()) }, messageAttributes: {},
      md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:jobs-default', awsRegion: 'us-east-1',
    }) as unknown as SQSRecord);
    await handler({ Records } as SQSEvent, lambda);
  }
  const succeeded = [...backends.store.records.values()].filter((r) => r.status === 'succeeded').length;
  if (succeeded !== JOBS) throw new Error(`only ${succeeded} of ${JOBS} jobs succeeded`);
}
