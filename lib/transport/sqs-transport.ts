import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import { laneConfigOf, type LaneConfig } from '../config.js';
import { UnknownLaneError } from '../errors.js';
import { MESSAGE_ATTRIBUTES } from '../job-message.js';
import { batchesOf } from './batches.js';
import type { Sender } from '../aws/sender.js';
import type { DeadLetterNote, JobTransport, OutgoingMessage, SendFailure, SendResult } from './job-transport.js';

/** Longest error text put in a DLQ message attribute. */
const MAX_ATTRIBUTE_TEXT = 1000;

/**
 * Characters SQS refuses in a message body and, the same, in a string attribute value: all
 * but #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF (with the `u` flag a
 * lone surrogate is one character, and refused too).
 */
const REFUSED_CHARACTERS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** {@link JobTransport} on SQS: one queue and one DLQ per lane. */
export class SqsTransport implements JobTransport {
  constructor(
    private readonly sqs: Sender<SQSClient>,
    private readonly lanes: Readonly<Record<string, LaneConfig>>,
  ) {}

  async send(lane: string, messages: readonly OutgoingMessage[]): Promise<SendResult> {
    const queueUrl = this.lane(lane).queueUrl;
    const failures: SendFailure[] = [];
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
        for (const failure of output.Failed ?? []) failures.push({ id: batch[Number(failure.Id)]!.id, reason: `${failure.Code}: ${failure.Message}` });
      } catch (error) {
        // The whole request failed (or SQS refused the one message): none of the batch was sent.
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        failures.push(...batch.map((m) => ({ id: m.id, reason })));
      }
    }));
    return { failedIds: failures.map((f) => f.id), failures };
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
    if (note.claimToken) attributes[MESSAGE_ATTRIBUTES.claimToken] = text(note.claimToken);
    if (note.groupId) attributes[MESSAGE_ATTRIBUTES.group] = text(note.groupId);
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.lane(lane).deadLetterQueueUrl, MessageBody: body || '(empty body)', MessageAttributes: attributes }));
  }

  private lane(lane: string): LaneConfig {
    const config = laneConfigOf(this.lanes, lane);
    if (!config) throw new UnknownLaneError(lane, Object.keys(this.lanes));
    return config;
  }
}

function entryOf(message: OutgoingMessage) {
  return {
    MessageBody: message.body,
    DelaySeconds: message.delaySeconds || undefined,
    MessageGroupId: message.groupId,
    MessageAttributes: { [MESSAGE_ATTRIBUTES.id]: text(message.id), [MESSAGE_ATTRIBUTES.kind]: text(message.kind) },
  };
}

/**
 * A string attribute SQS accepts: characters it would refuse the whole message for (a
 * terminal's colour codes in an error message, half of an emoji cut by truncation) become U+FFFD.
 */
function text(value: string): MessageAttributeValue {
  return { DataType: 'String', StringValue: value.replace(REFUSED_CHARACTERS, '\uFFFD') };
}

/** Bytes a message counts against the batch limit: body plus attribute names, types and values. */
function messageSize(message: OutgoingMessage): number {
  return Buffer.byteLength(message.body, 'utf8') + 2 * 'String'.length + MESSAGE_ATTRIBUTES.id.length + MESSAGE_ATTRIBUTES.kind.length + message.id.length + Buffer.byteLength(message.kind);
}
