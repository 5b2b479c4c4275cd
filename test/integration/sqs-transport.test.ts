import {
  CreateQueueCommand, DeleteMessageBatchCommand, DeleteQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient,
  type Message, type SendMessageBatchCommandInput, type SendMessageCommandInput,
} from '@aws-sdk/client-sqs';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { LaneConfig } from '../../lib/config.js';
import { UnknownLaneError } from '../../lib/errors.js';
import { MESSAGE_ATTRIBUTES } from '../../lib/job-message.js';
import { SQS_BATCH_MAX_BYTES, SQS_BATCH_MAX_ENTRIES } from '../../lib/transport/batches.js';
import type { OutgoingMessage } from '../../lib/transport/job-transport.js';
import { SqsLaneAdmin, type DeadLetter } from '../../lib/transport/lane-admin.js';
import { SqsTransport } from '../../lib/transport/sqs-transport.js';
import { sqs, unique } from './support/deployed.js';
import { waitFor } from './support/wait.js';

// SqsTransport and SqsLaneAdmin on queues of their own, made through the SQS API in the
// emulator (no stack): what jobline sends, how SQS holds and hides it, and what lands in a DLQ.

/** A lane made for one test (a queue redriving to its DLQ), deleted after it. */
async function createLane(queueAttributes: Record<string, string> = {}): Promise<LaneConfig> {
  const name = unique('transport');
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqArn = await queueArn(dlq.QueueUrl!);
  const queue = await sqs.send(new CreateQueueCommand({
    QueueName: name,
    Attributes: { VisibilityTimeout: '30', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }), ...queueAttributes },
  }));
  onTestFinished(async () => {
    await Promise.all([queue.QueueUrl!, dlq.QueueUrl!].map((QueueUrl) => sqs.send(new DeleteQueueCommand({ QueueUrl }))));
  });
  return { queueUrl: queue.QueueUrl!, queueArn: await queueArn(queue.QueueUrl!), deadLetterQueueUrl: dlq.QueueUrl! };
}

async function queueArn(queueUrl: string): Promise<string> {
  const output = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  return output.Attributes!.QueueArn!;
}

/** One receive (waiting at most `waitSeconds`), with attributes; the messages stay in flight. */
async function receive(queueUrl: string, waitSeconds = 1): Promise<Message[]> {
  const output = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'],
  }));
  return output.Messages ?? [];
}

/** Receives and deletes until `count` messages have come; fails if more come. */
async function drain(queueUrl: string, count: number, timeoutMs = 20_000): Promise<Message[]> {
  const messages: Message[] = [];
  await waitFor(`${count} messages on ${queueUrl}`, async () => {
    const batch = await receive(queueUrl);
    if (batch.length > 0) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    messages.push(...batch);
    return messages.length >= count;
  }, { timeoutMs, intervalMs: 0 });
  expect(messages).toHaveLength(count);
  return messages;
}

const attribute = (message: Message, name: string) => message.MessageAttributes?.[name]?.StringValue;
/** The array when it has something in it (for waitFor, to which an empty array is an answer). */
const nonEmpty = <T>(items: T[]) => (items.length > 0 ? items : undefined);

/** An SQS client that records the send requests it makes, so the batching shows. */
function recordingClient() {
  const client = new SQSClient({});
  const requests: Array<{ command: string; entries: Array<{ MessageBody?: string | undefined }> }> = [];
  client.middlewareStack.add((next, context) => async (args) => {
    const input = args.input as SendMessageBatchCommandInput & SendMessageCommandInput;
    if (context.commandName === 'SendMessageBatchCommand') requests.push({ command: 'batch', entries: input.Entries ?? [] });
    if (context.commandName === 'SendMessageCommand') requests.push({ command: 'single', entries: [input] });
    return next(args);
  }, { step: 'initialize', name: 'recordSends' });
  return { client, requests };
}

const message = (i: number, overrides: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  id: `01TRANSPORT${String(i).padStart(15, '0')}`, kind: 'transport.test', body: JSON.stringify({ i }), ...overrides,
});

describe('SqsTransport on queues in the emulator', () => {
  it('sends many messages in batches of at most ten, and every one arrives with its body and jobline attributes', async () => {
    const lane = await createLane();
    const { client, requests } = recordingClient();
    const transport = new SqsTransport(client, { work: lane });
    const messages = Array.from({ length: 25 }, (_, i) => message(i));

    expect(await transport.send('work', messages)).toEqual({ failedIds: [], failures: [] });
    expect(requests.map((r) => [r.command, r.entries.length])).toEqual([['batch', 10], ['batch', 10], ['batch', 5]]);
    expect(requests.every((r) => r.entries.length <= SQS_BATCH_MAX_ENTRIES)).toBe(true);

    const received = await drain(lane.queueUrl, 25);
    const byId = new Map(received.map((m) => [attribute(m, MESSAGE_ATTRIBUTES.id), m]));
    for (const sent of messages) {
      expect(byId.get(sent.id)?.Body).toBe(sent.body);
      expect(attribute(byId.get(sent.id)!, MESSAGE_ATTRIBUTES.kind)).toBe('transport.test');
    }
  });

  it('splits a batch whose bytes would pass one SendMessageBatch\'s limit, and the large bodies arrive whole', async () => {
    const lane = await createLane();
    const { client, requests } = recordingClient();
    const transport = new SqsTransport(client, { work: lane });
    // Three 100 KiB bodies: two fit in one request's 256 KiB, the third goes on its own.
    const messages = [0, 1, 2].map((i) => message(i, { body: JSON.stringify({ i, pad: String(i).repeat(100 * 1024) }) }));

    expect((await transport.send('work', messages)).failedIds).toEqual([]);
    expect(requests.map((r) => [r.command, r.entries.length])).toEqual([['batch', 2], ['single', 1]]);
    for (const request of requests) {
      expect(request.entries.reduce((bytes, e) => bytes + Buffer.byteLength(e.MessageBody ?? ''), 0)).toBeLessThanOrEqual(SQS_BATCH_MAX_BYTES);
    }

    const received = await drain(lane.queueUrl, 3);
    for (const sent of messages) expect(received.find((m) => attribute(m, MESSAGE_ATTRIBUTES.id) === sent.id)?.Body).toBe(sent.body);
  });

  it('sends a message group id on a standard queue (SQS fair queues); the emulator keeps it and still delivers oldest first', async () => {
    const lane = await createLane();
    const transport = new SqsTransport(sqs, { default: lane });
    // A noisy tenant's backlog, then one message of a quiet tenant.
    const messages: OutgoingMessage[] = [
      ...Array.from({ length: 5 }, (_, i) => ({ id: `noisy-${i}`, kind: 'test.kind', body: `{"n":${i}}`, groupId: 'noisy' })),
      { id: 'quiet-0', kind: 'test.kind', body: '{"n":5}', groupId: 'quiet' },
    ];
    for (const message of messages) expect((await transport.send('default', [message])).failedIds).toEqual([]);
    const received = await drain(lane.queueUrl, 6);
    expect(received.map((m) => m.Attributes?.MessageGroupId)).toEqual(['noisy', 'noisy', 'noisy', 'noisy', 'noisy', 'quiet']);
  });

  it('honours each message\'s DelaySeconds: a delayed message is not receivable until its delay is over', async () => {
    const lane = await createLane();
    const transport = new SqsTransport(sqs, { work: lane });
    const now = message(0);
    const later = message(1, { delaySeconds: 3 });
    const sentAt = Date.now();
    expect((await transport.send('work', [now, later])).failedIds).toEqual([]);

    const first = await drain(lane.queueUrl, 1);
    expect(attribute(first[0]!, MESSAGE_ATTRIBUTES.id)).toBe(now.id);
    expect(await receive(lane.queueUrl, 0)).toEqual([]);
    const [delayed] = await drain(lane.queueUrl, 1);
    expect(attribute(delayed!, MESSAGE_ATTRIBUTES.id)).toBe(later.id);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(2500);
  });

  it('reports the messages SQS refused, with its reason, and sends the rest', async () => {
    // SQS's smallest MaximumMessageSize (1 KiB) makes refusals easy to cause (the emulator enforces it).
    const lane = await createLane({ MaximumMessageSize: '1024' });
    const missing = { ...lane, queueUrl: `${lane.queueUrl}-missing` };
    const transport = new SqsTransport(sqs, { small: lane, missing });
    const [ok, tooBig, unsendable, alsoOk] = [
      message(0), message(1, { body: 'x'.repeat(2000) }), message(2, { body: 'NUL \u0000 is not allowed' }), message(3),
    ];

    // Refused entries of one batch.
    const batch = await transport.send('small', [ok, tooBig, unsendable, alsoOk]);
    expect(batch.failedIds.sort()).toEqual([tooBig.id, unsendable.id].sort());
    expect(batch.failures).toEqual(expect.arrayContaining([
      { id: tooBig.id, reason: expect.stringMatching(/^InvalidParameterValue: .*1024 bytes/) },
      { id: unsendable.id, reason: expect.stringMatching(/^InvalidMessageContents: /) },
    ]));
    expect((await drain(lane.queueUrl, 2)).map((m) => attribute(m, MESSAGE_ATTRIBUTES.id)).sort()).toEqual([ok.id, alsoOk.id].sort());

    // A message sent alone (SendMessage, which throws rather than reporting an entry).
    expect(await transport.send('small', [tooBig])).toEqual({ failedIds: [tooBig.id], failures: [{ id: tooBig.id, reason: expect.stringMatching(/^InvalidParameterValue: /) }] });

    // A request that fails as a whole: every message of the batch is reported.
    const gone = await transport.send('missing', [ok, alsoOk]);
    expect(gone.failedIds.sort()).toEqual([ok.id, alsoOk.id].sort());
    expect(gone.failures?.[0]?.reason).toMatch(/QueueDoesNotExist|NonExistentQueue/);

    // A lane that is not configured is a programming error, not a refusal.
    await expect(transport.send('nope', [ok])).rejects.toMatchObject({ name: 'UnknownLaneError', lane: 'nope', lanes: ['small', 'missing'] });
    expect(await transport.send('small', [])).toEqual({ failedIds: [], failures: [] });
  });

  it('hides a received message for the given seconds (not the queue\'s 30), then it comes back counted', async () => {
    const lane = await createLane();
    const transport = new SqsTransport(sqs, { work: lane });
    await transport.send('work', [message(0)]);
    const first = await waitFor('the message', async () => (await receive(lane.queueUrl)).at(0));
    expect(first.Attributes?.ApproximateReceiveCount).toBe('1');

    const hiddenAt = Date.now();
    await transport.changeVisibility('work', first.ReceiptHandle!, 3);
    expect(await receive(lane.queueUrl, 1)).toEqual([]);
    const again = await waitFor('the message to come back', async () => (await receive(lane.queueUrl)).at(0), { timeoutMs: 15_000, intervalMs: 0 });
    const hiddenMs = Date.now() - hiddenAt;
    expect(again.MessageId).toBe(first.MessageId);
    expect(again.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(hiddenMs).toBeGreaterThanOrEqual(2500);
    expect(hiddenMs).toBeLessThan(15_000);
  });

  it('dead-letters a body with the jobline.* attributes of its note, readable in the console', async () => {
    const lane = await createLane();
    const transport = new SqsTransport(sqs, { work: lane });
    const id = '01TRANSPORTDEADLETTER00001';
    await transport.sendToDeadLetter('work', '{"id":"x","payload":{"to":"ada"}}', {
      id, kind: 'email.send', attempt: 3, error: 'mailbox full', errorClass: 'SmtpError', permanent: true,
    });
    const [dead] = await drain(lane.deadLetterQueueUrl, 1);
    expect(dead!.Body).toBe('{"id":"x","payload":{"to":"ada"}}');
    expect(dead!.MessageAttributes).toEqual({
      [MESSAGE_ATTRIBUTES.id]: { DataType: 'String', StringValue: id },
      [MESSAGE_ATTRIBUTES.kind]: { DataType: 'String', StringValue: 'email.send' },
      [MESSAGE_ATTRIBUTES.attempt]: { DataType: 'Number', StringValue: '3' },
      [MESSAGE_ATTRIBUTES.error]: { DataType: 'String', StringValue: 'mailbox full' },
      [MESSAGE_ATTRIBUTES.errorClass]: { DataType: 'String', StringValue: 'SmtpError' },
      [MESSAGE_ATTRIBUTES.permanent]: { DataType: 'String', StringValue: 'true' },
    });
    expect(await receive(lane.queueUrl, 0)).toEqual([]);
  });

  it('dead-letters what it can of a bare note: no id, empty texts, a long error, characters SQS refuses', async () => {
    const lane = await createLane();
    const transport = new SqsTransport(sqs, { work: lane });
    // An unreadable message: no id, kind or attempt; nothing to say but that.
    await transport.sendToDeadLetter('work', '', { error: '', errorClass: '', permanent: true });
    const [bare] = await drain(lane.deadLetterQueueUrl, 1);
    expect(bare!.Body).toBe('(empty body)');
    expect(Object.keys(bare!.MessageAttributes!).sort()).toEqual([MESSAGE_ATTRIBUTES.error, MESSAGE_ATTRIBUTES.errorClass, MESSAGE_ATTRIBUTES.permanent].sort());
    expect(attribute(bare!, MESSAGE_ATTRIBUTES.error)).toBe('(no message)');
    expect(attribute(bare!, MESSAGE_ATTRIBUTES.errorClass)).toBe('Error');

    // Cut at 1000 characters right through an emoji, with a terminal's colour codes and a NUL:
    // SQS refuses such attribute values (the same characters as in a body), and the note must not lose the body.
    const error = `\u001b[31mfailed\u001b[0m \u0000${'x'.repeat(982)}🙂 and more`;
    await transport.sendToDeadLetter('work', '{"id":"y"}', { id: '01TRANSPORTDEADLETTER00002', attempt: 1, error, errorClass: 'Error', permanent: false });
    const [long] = await drain(lane.deadLetterQueueUrl, 1);
    const kept = attribute(long!, MESSAGE_ATTRIBUTES.error)!;
    expect(kept).toHaveLength(1000);
    expect(kept).toBe(`\uFFFD[31mfailed\uFFFD[0m \uFFFD${'x'.repeat(982)}\uFFFD`);
    expect(attribute(long!, MESSAGE_ATTRIBUTES.permanent)).toBe('false');
  });
});

describe('SqsLaneAdmin on queues in the emulator', () => {
  // Peeking and redriving through the inspector and the CLI run in inspector.test.ts and
  // cli.test.ts on the deployed stack; here, the exact counts and each DLQ call alone.
  it('counts visible, in-flight and delayed messages, and the DLQ\'s visible and in-flight ones together', async () => {
    const lane = await createLane();
    const transport = new SqsTransport(sqs, { work: lane });
    const admin = new SqsLaneAdmin(sqs, { work: lane });
    expect(await admin.depth('work')).toEqual({ lane: 'work', visible: 0, inFlight: 0, delayed: 0, deadLetters: 0 });

    await transport.send('work', [message(0), message(1), message(2, { delaySeconds: 600 })]);
    await waitFor('one message in flight', async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: lane.queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }))).Messages?.length === 1);
    await transport.sendToDeadLetter('work', 'a', { error: 'a', errorClass: 'Error', permanent: true });
    await transport.sendToDeadLetter('work', 'b', { error: 'b', errorClass: 'Error', permanent: true });
    await waitFor('a dead letter to hold', async () => nonEmpty(await admin.receiveDeadLetters('work', 60)));
    // SQS's numbers are approximate on AWS; here they settle at once.
    expect(await waitFor('the exact depth', async () => {
      const depth = await admin.depth('work');
      return depth.visible === 1 && depth.inFlight === 1 && depth.delayed === 1 && depth.deadLetters === 2 ? depth : undefined;
    }, { timeoutMs: 10_000 })).toEqual({ lane: 'work', visible: 1, inFlight: 1, delayed: 1, deadLetters: 2 });
    await expect(admin.depth('nope')).rejects.toBeInstanceOf(UnknownLaneError);
  });

  it('reads dead letters with their attributes and hides them; releases, deletes, and sends a body back to the lane', async () => {
    const lane = await createLane();
    const transport = new SqsTransport(sqs, { work: lane });
    const admin = new SqsLaneAdmin(sqs, { work: lane });
    await transport.sendToDeadLetter('work', '{"n":1}', { id: '01TRANSPORTDEADLETTER00003', kind: 'k.one', attempt: 2, error: 'one', errorClass: 'Error', permanent: false, claimToken: 'claim-tok', groupId: 'tenant-a' });
    await transport.sendToDeadLetter('work', '{"n":2}', { kind: 'k.two', error: 'two', errorClass: 'TypeError', permanent: true });

    const read: DeadLetter[] = [];
    await waitFor('both dead letters', async () => {
      read.push(...await admin.receiveDeadLetters('work', 60));
      return read.length >= 2;
    }, { timeoutMs: 10_000 });
    expect(read).toHaveLength(2);
    const one = read.find((m) => m.body === '{"n":1}')!;
    const two = read.find((m) => m.body === '{"n":2}')!;
    expect(one).toEqual({
      messageId: expect.any(String), receiptHandle: expect.any(String), body: '{"n":1}', sentTimestamp: expect.any(Number),
      attributes: { 'jobline.id': '01TRANSPORTDEADLETTER00003', 'jobline.kind': 'k.one', 'jobline.attempt': '2', 'jobline.error': 'one', 'jobline.error-class': 'Error', 'jobline.permanent': 'false', 'jobline.claim': 'claim-tok', 'jobline.group': 'tenant-a' },
    });
    expect(two.attributes).toEqual({ 'jobline.kind': 'k.two', 'jobline.error': 'two', 'jobline.error-class': 'TypeError', 'jobline.permanent': 'true' });
    // Hidden for the 60 s asked for: nobody else reads them meanwhile.
    expect(await admin.receiveDeadLetters('work', 60)).toEqual([]);

    await admin.releaseDeadLetter('work', two.receiptHandle);
    const again = await waitFor('the released dead letter', async () => (await admin.receiveDeadLetters('work', 60)).find((m) => m.messageId === two.messageId));
    expect(again.body).toBe('{"n":2}');

    expect(Math.abs(one.sentTimestamp! - Date.now())).toBeLessThan(60_000);
    await transport.send('work', [{ id: '01TRANSPORTDEADLETTER00003', kind: 'k.one', body: one.body }]);
    await admin.deleteDeadLetter('work', one.receiptHandle);
    await admin.deleteDeadLetter('work', again.receiptHandle);
    const [back] = await drain(lane.queueUrl, 1);
    expect(back!.Body).toBe('{"n":1}');
    expect(await waitFor('an empty DLQ', async () => {
      const depth = await admin.depth('work');
      return depth.deadLetters === 0 ? depth : undefined;
    }, { timeoutMs: 10_000 })).toMatchObject({ deadLetters: 0 });
    expect(await admin.receiveDeadLetters('work', 0)).toEqual([]);
  });
});
