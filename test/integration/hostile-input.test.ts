import { ChangeMessageVisibilityBatchCommand, ReceiveMessageCommand, SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand as DocScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJobMessage, encodeJobMessage } from '../../lib/job-message.js';
import { newJobId } from '../../lib/job-id.js';
import { echo } from '../../functions/testing/definitions.js';
import { hostileApiBody, hostileMessageBody } from '../support/hostile.js';
import { api, client, dynamodb, lane, sqs, stack, unique } from './support/deployed.js';
import { waitFor } from './support/wait.js';
import { saveReliabilityFigures } from './support/reliability.js';

const doc = DynamoDBDocumentClient.from(dynamodb);

/** Runs `work` over `items`, `width` at a time. */
async function inBatches<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += width) results.push(...(await Promise.all(items.slice(i, i + width).map(work))));
  return results;
}

/** Every DLQ message whose body is one of `bodies`: reads the DLQ until all came (or time is up), then shows what it hid again. */
async function deadLettersOf(bodies: ReadonlySet<string>, timeoutMs: number): Promise<Map<string, Message>> {
  const found = new Map<string, Message>();
  const seen: Message[] = [];
  const deadline = Date.now() + timeoutMs;
  let empty = 0;
  // Until each one came, or every message on the DLQ was seen (two empty receives: all are hidden by this read).
  while (found.size < bodies.size && Date.now() < deadline && empty < 2) {
    const output = await sqs.send(new ReceiveMessageCommand({ QueueUrl: lane.deadLetterQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 30, MessageAttributeNames: ['All'] }));
    empty = output.Messages?.length ? 0 : empty + 1;
    for (const message of output.Messages ?? []) {
      seen.push(message);
      if (bodies.has(message.Body ?? '')) found.set(message.Body!, message);
    }
  }
  for (let i = 0; i < seen.length; i += 10) {
    const entries = seen.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }));
    await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: lane.deadLetterQueueUrl, Entries: entries })).catch(() => undefined);
  }
  return found;
}

describe('hostile input against the deployed stack', () => {
  it('answers 520 generated API bodies with no 5xx, writes records only for accepted ones, and good requests beside them run', async () => {
    const startedAt = new Date().toISOString();
    const bodies = fc.sample(hostileApiBody([echo.kind]), { numRuns: 520, seed: 20261201 });
    const good = Array.from({ length: 20 }, (_, i) => JSON.stringify({ kind: echo.kind, payload: { value: unique(`good-${i}`) } }));
    const replies = await inBatches([...bodies, ...good], 8, async (body) => ({ body, reply: await api.enqueue(body) }));

    const fiveHundreds = replies.filter((r) => r.reply.status >= 500);
    expect(fiveHundreds.map((r) => `${r.reply.status}: ${r.body.slice(0, 120)}`)).toEqual([]);
    const accepted = replies.filter((r) => r.reply.status === 202 || r.reply.status === 200).map((r) => (r.reply.body as { id: string }).id);
    const statuses = [...new Set(replies.map((r) => r.reply.status))].sort();
    console.log(`hostile API bodies: ${bodies.length} generated + ${good.length} good; statuses ${statuses.join(', ')}; ${accepted.length} accepted`);
    expect(statuses).toEqual(expect.arrayContaining([202, 400, 422]));

    // The good ones run.
    const goodIds = replies.slice(bodies.length).map((r) => (r.reply.body as { id: string }).id);
    await waitFor('the good requests\' jobs to succeed', async () => (await Promise.all(goodIds.map((id) => client.get(id)))).every((r) => r?.status === 'succeeded'), { timeoutMs: 60_000, intervalMs: 1000 });

    // Nothing but the accepted requests made a record: every record this caller created since the start is one of them.
    const createdBy = (await client.get(goodIds[0]!))!.createdBy!;
    const items: Array<{ sk: string }> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new DocScanCommand({ TableName: stack.config.tableName, FilterExpression: 'createdBy = :by AND createdAt >= :since', ExpressionAttributeValues: { ':by': createdBy, ':since': startedAt }, ExclusiveStartKey: start }));
      items.push(...((page.Items ?? []) as Array<{ sk: string }>));
      start = page.LastEvaluatedKey;
    } while (start);
    expect(new Set(items.map((i) => i.sk))).toEqual(new Set(accepted));
    saveReliabilityFigures('hostile-api', { generated: bodies.length, good: good.length, statuses, accepted: accepted.length, records: items.length });
  }, 300_000);

  it('dead-letters, with its reason, every generated message on the lane that is not a valid job, and runs the good ones beside them', async () => {
    // SQS itself refuses bodies over 256 KB, and characters outside its set.
    const bodies = [...new Set(fc.sample(hostileMessageBody([echo.kind]), { numRuns: 120, seed: 20261202 }))];
    const good = Array.from({ length: 10 }, (_, i) => { const id = newJobId(stack.config.shardCount); return { id, body: encodeJobMessage(id, echo.kind, JSON.stringify({ value: unique(`raw-${i}`) })) }; });
    const sent = await inBatches([...bodies, ...good.map((g) => g.body)], 8, async (body) => {
      try {
        await sqs.send(new SendMessageCommand({ QueueUrl: lane.queueUrl, MessageBody: body }));
        return body;
      } catch {
        return undefined;
      }
    });
    const hostile = sent.slice(0, bodies.length).filter((b): b is string => b !== undefined);
    const invalid = hostile.filter((body) => {
      const decoded = decodeJobMessage(body, { sentTimestamp: Date.now(), shardCount: stack.config.shardCount });
      return !decoded.ok || decoded.message.kind !== echo.kind || !echo.schema.safeParse(decoded.message.payload).success;
    });
    console.log(`hostile messages: ${bodies.length} generated, ${hostile.length} accepted by SQS, ${invalid.length} not valid jobs`);
    expect(invalid.length).toBeGreaterThan(60);

    await waitFor('the good messages\' jobs to succeed', async () => (await Promise.all(good.map((g) => client.get(g.id)))).every((r) => r?.status === 'succeeded'), { timeoutMs: 60_000, intervalMs: 1000 });
    const dead = await deadLettersOf(new Set(invalid), 90_000);
    const unaccounted: string[] = [];
    let duplicates = 0;
    for (const body of invalid) {
      const message = dead.get(body);
      if (message) {
        expect(message.MessageAttributes?.['jobline.error']?.StringValue?.length).toBeGreaterThan(0);
        continue;
      }
      // Several bodies may forge one id: the first one failed the job, the rest were duplicates of a failed job, dropped.
      const decoded = decodeJobMessage(body, { sentTimestamp: Date.now(), shardCount: stack.config.shardCount });
      const record = decoded.ok ? await client.get(decoded.message.id) : undefined;
      if (record?.status === 'failed' && record.lastError?.permanent) {
        duplicates++;
        continue;
      }
      unaccounted.push(body.slice(0, 200));
    }
    console.log(`hostile messages not valid: ${dead.size} found in the DLQ with a reason, ${duplicates} duplicates of a forged id whose job failed`);
    expect(unaccounted).toEqual([]);
    saveReliabilityFigures('hostile-messages', { generated: bodies.length, acceptedBySqs: hostile.length, invalid: invalid.length, deadLetteredWithReason: dead.size, duplicatesOfAFailedForgedId: duplicates, good: good.length });
  }, 300_000);
});
