import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import type { LaneConfig } from '../config.js';
import { MESSAGE_ATTRIBUTES } from '../job-message.js';
import { batchesOf } from './batches.js';
import type { DeadLetterNote, JobTransport, OutgoingMessage } from './job-transport.js';

/** Longest error text put in a DLQ message attribute. */
const MAX_ATTRIBUTE_TEXT = 1000;

/** {@link JobTransport} on SQS: one queue and one DLQ per lane. */
export class SqsTransport implements JobTransport {
  constructor(
    private readonly sqs: SQSClient,
    private readonly lanes: Readonly<Record<string, LaneConfig>>,
  ) {}

  async send(lane: string, messages: readonly OutgoingMessage[]): Promise<{ failedIds: string[] }> {
    const queueUrl = this.lane(lane).queueUrl;
    const failedIds: string[] = [];
    const batches = batchesOf(messages, messageSize);
    await Promise.all(batches.map(async (batch) => {
      try {
        if (batch.length === 1) {
          const [message] = batch as [OutgoingMessage];
          await this.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, ...entryOf(message) }));
          return;
        }
        const output = await this.sqs.send(new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((message, i) => ({ Id: String(i), ...entryOf(message) })),
        }));
        for (const failure of output.Failed ?? []) failedIds.push(batch[Number(failure.Id)]!.id);
      } catch {
        failedIds.push(...batch.map((m) => m.id));
      }
    }));
    return { failedIds };
  }

  async changeVisibility(lane: string, receiptHandle: string, seconds: number): Promise<void> {
    await this.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.lane(lane).queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }));
  }

  async sendToDeadLetter(lane: string, body: string, note: DeadLetterNote): Promise<void> {
    const attributes: Record<string, MessageAttributeValue> = {
      [MESSAGE_ATTRIBUTES.error]: text(note.error.slice(0, MAX_ATTRIBUTE_TEXT) || '(no message)'),
      [MESSAGE_ATTRIBUTES.errorClass]: text(note.errorClass || 'Error'),
      [MESSAGE_ATTRIBUTES.permanent]: text(String(note.permanent)),
    };
    if (note.id) attributes[MESSAGE_ATTRIBUTES.id] = text(note.id);
    if (note.kind) attributes[MESSAGE_ATTRIBUTES.kind] = text(note.kind);
    if (note.attempt !== undefined) attributes[MESSAGE_ATTRIBUTES.attempt] = { DataType: 'Number', StringValue: String(note.attempt) };
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.lane(lane).deadLetterQueueUrl, MessageBody: body || '(empty body)', MessageAttributes: attributes }));
  }

  private lane(lane: string): LaneConfig {
    const config = this.lanes[lane];
    if (!config) throw new Error(`lane "${lane}" is not configured; configured lanes: ${Object.keys(this.lanes).join(', ')}`);
    return config;
  }
}

function entryOf(message: OutgoingMessage) {
  return {
    MessageBody: message.body,
    DelaySeconds: message.delaySeconds || undefined,
    MessageAttributes: { [MESSAGE_ATTRIBUTES.id]: text(message.id), [MESSAGE_ATTRIBUTES.kind]: text(message.kind) },
  };
}

function text(value: string): MessageAttributeValue {
  return { DataType: 'String', StringValue: value };
}

/** Bytes a message counts against the batch limit: body plus attribute names, types and values. */
function messageSize(message: OutgoingMessage): number {
  return Buffer.byteLength(message.body, 'utf8') + 2 * 'String'.length + MESSAGE_ATTRIBUTES.id.length + MESSAGE_ATTRIBUTES.kind.length + message.id.length + Buffer.byteLength(message.kind);
}
