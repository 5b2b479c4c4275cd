/**
 * Enqueue latency on the deployed benchmark stack: p50/p99 of `enqueue` against the raw SDK
 * calls it needs (one DynamoDB write of the same record, then one SQS send of the same body),
 * interleaved call by call so both see the same emulator; and the rate of `enqueueMany`
 * against the raw batch calls (BatchWriteItem of 25, SendMessageBatch of 10, all in flight at
 * once). The worker's event source is paused meanwhile, so the worker's load is not in it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { PurgeQueueCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { JobClient } from 'jobline';
import { benchFull, benchJobs } from '../functions/bench/definitions.js';
import type { DeployedStack } from '../scripts/lib/deploy.js';
import { mappingsOf, setMappings } from './lib/deployed.js';
import { percentile } from './lib/stats.js';
import { round, type BenchOptions, type BenchSection } from './lib/result.js';
import { jobKey } from '../lib/store/dynamo/job-item.js';

const PAYLOAD = { data: 'x'.repeat(1024 - '{"data":""}'.length) };

export async function run(options: BenchOptions & { readonly stack: DeployedStack }): Promise<BenchSection> {
  const { stack } = options;
  const calls = options.quick ? 100 : 400;
  const batches = options.quick ? 10 : 60;
  const sqs = new SQSClient({});
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const client = new JobClient({ jobs: [...benchJobs], config: stack.config, createdBy: 'bench' });
  const { tableName } = stack.config;
  const queueUrl = stack.config.lanes.default!.queueUrl;
  const mappings = await mappingsOf(stack.workerFunctionName);
  await setMappings(mappings, false);
  try {
    // The raw calls write what enqueue writes: its record item (under another key) and its message body.
    const sample = await client.enqueue(benchFull, PAYLOAD);
    const { Item: item } = await doc.send(new GetCommand({ TableName: tableName, Key: jobKey(sample.id) }));
    if (!item) throw new Error(`latency: the sample job ${sample.id} has no record`);
    const body = JSON.stringify({ v: 1, id: sample.id, kind: benchFull.kind, payload: PAYLOAD });
    let n = 0;
    // Same partition, a sort key of its own.
    const rawItem = () => ({ ...item, sk: `${String(item.sk)}-raw-${n++}` });

    const jobline: number[] = [];
    const raw: number[] = [];
    for (let i = 0; i < calls; i++) {
      // Alternate which goes first, so neither always follows the other.
      const order = i % 2 === 0 ? ['jobline', 'raw'] : ['raw', 'jobline'];
      for (const which of order) {
        const started = performance.now();
        if (which === 'jobline') {
          await client.enqueue(benchFull, PAYLOAD);
          jobline.push(performance.now() - started);
        } else {
          await doc.send(new PutCommand({ TableName: tableName, Item: rawItem(), ConditionExpression: 'attribute_not_exists(pk)' }));
          await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
          raw.push(performance.now() - started);
        }
      }
    }

    const manyJobline: number[] = [];
    const manyRaw: number[] = [];
    for (let b = 0; b < batches; b++) {
      let started = performance.now();
      await client.enqueueMany(Array.from({ length: 100 }, () => ({ job: benchFull, payload: PAYLOAD })));
      manyJobline.push(performance.now() - started);
      started = performance.now();
      const items = Array.from({ length: 100 }, rawItem);
      await Promise.all([
        ...[0, 25, 50, 75].map((i) => doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }))),
      ]);
      await Promise.all(Array.from({ length: 10 }, (_, i) => sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: String(j), MessageBody: body.replace(sample.id, `${i}-${j}`) })) }))));
      manyRaw.push(performance.now() - started);
    }
    // Jobs/s at the median batch: one pause of the emulator's (seen: a second) would otherwise decide the figure.
    const rate = (durations: number[]) => 100 / (percentile(durations, 50) / 1000);
    const p50 = percentile(jobline, 50) / percentile(raw, 50);
    return {
      id: 'latency',
      title: `Enqueue latency on the emulator: ${calls} enqueue calls and ${batches} enqueueMany batches of 100, each against the raw SDK calls it needs`,
      rows: [
        { call: 'enqueue (1 KB)', 'p50 ms': round(percentile(jobline, 50)), 'p99 ms': round(percentile(jobline, 99)), 'jobs/s': '-' },
        { call: 'raw: PutItem, then SendMessage', 'p50 ms': round(percentile(raw, 50)), 'p99 ms': round(percentile(raw, 99)), 'jobs/s': '-' },
        { call: 'enqueueMany, batches of 100', 'p50 ms': round(percentile(manyJobline, 50)), 'p99 ms': round(percentile(manyJobline, 99)), 'jobs/s': round(rate(manyJobline)) },
        { call: 'raw: 4 BatchWriteItem at once, then 10 SendMessageBatch at once', 'p50 ms': round(percentile(manyRaw, 50)), 'p99 ms': round(percentile(manyRaw, 99)), 'jobs/s': round(rate(manyRaw)) },
      ],
      targets: [
        { name: 'enqueue p50 ÷ raw calls p50', value: p50, comparison: '<=', limit: 1.2, unit: '×' },
        { name: 'enqueueMany rate ÷ raw batch calls rate', value: rate(manyJobline) / rate(manyRaw), comparison: '>=', limit: 1 / 1.2, unit: '×' },
      ],
      notes: [
        'Interleaved call by call (the order alternating), from one process, against the deployed stack\'s table and lane with the worker paused; the queue is purged afterwards.',
        'The raw calls write the same record item enqueue writes (its attributes copied under fresh keys) with a conditional PutItem, and send the same body; enqueue also validates the payload and builds the record.',
        'enqueueMany jobs/s is 100 jobs over the median batch\'s time. Its target (a rate within 1/1.2 of the raw calls\') mirrors the enqueue one; the issue sets no target for it.',
      ],
    };
  } finally {
    await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
    await setMappings(mappings, true);
  }
}
