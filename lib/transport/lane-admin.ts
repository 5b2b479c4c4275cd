import { ChangeMessageVisibilityCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { laneConfigOf, type LaneConfig } from '../config.js';
import { UnknownLaneError } from '../errors.js';

/** Messages on a lane's queue and its DLQ, as SQS approximates them. */
export interface LaneDepth {
  readonly lane: string;
  /** Waiting to be received. */
  readonly visible: number;
  /** Received and not yet deleted (running, retrying, or held by a long delay). */
  readonly inFlight: number;
  /** Held by DelaySeconds. */
  readonly delayed: number;
  /** In the dead-letter queue. */
  readonly deadLetters: number;
}

/** A message read from a DLQ. */
export interface DeadLetter {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** When the DLQ accepted the message (ms since the epoch), as SQS says. */
  readonly sentTimestamp?: number | undefined;
}


/** Reading and deleting a lane's DLQ messages (SQS through `SqsLaneAdmin`, or a test's queue in memory). */
export interface DeadLetterQueue {
  /** Up to 10 messages, hidden from other readers for `visibilitySeconds`. */
  receiveDeadLetters(lane: string, visibilitySeconds: number): Promise<DeadLetter[]>;
  deleteDeadLetter(lane: string, receiptHandle: string): Promise<void>;
  /** Makes a message visible again at once. */
  releaseDeadLetter(lane: string, receiptHandle: string): Promise<void>;
}

/** The SQS calls operators' tools make on lanes: depths, and reading and deleting DLQ messages. */
export class SqsLaneAdmin implements DeadLetterQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly lanes: Readonly<Record<string, LaneConfig>>,
  ) {}

  async depth(lane: string): Promise<LaneDepth> {
    const config = this.lane(lane);
    const names = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;
    const [queue, dlq] = await Promise.all([config.queueUrl, config.deadLetterQueueUrl].map((QueueUrl) => this.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: [...names] }))));
    const count = (attributes: Record<string, string> | undefined, name: string) => Number(attributes?.[name] ?? 0);
    return {
      lane,
      visible: count(queue!.Attributes, names[0]),
      inFlight: count(queue!.Attributes, names[1]),
      delayed: count(queue!.Attributes, names[2]),
      deadLetters: count(dlq!.Attributes, names[0]) + count(dlq!.Attributes, names[1]),
    };
  }

  /** Up to 10 DLQ messages, hidden from other readers for `visibilitySeconds`. */
  async receiveDeadLetters(lane: string, visibilitySeconds: number): Promise<DeadLetter[]> {
    const output = await this.sqs.send(new ReceiveMessageCommand({
      QueueUrl: this.lane(lane).deadLetterQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: visibilitySeconds, MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['SentTimestamp'],
    }));
    return (output.Messages ?? []).map((m) => ({
      messageId: m.MessageId!, receiptHandle: m.ReceiptHandle!, body: m.Body ?? '',
      attributes: Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue ?? ''])),
      sentTimestamp: m.Attributes?.SentTimestamp === undefined ? undefined : Number(m.Attributes.SentTimestamp),
    }));
  }

  async deleteDeadLetter(lane: string, receiptHandle: string): Promise<void> {
    await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.lane(lane).deadLetterQueueUrl, ReceiptHandle: receiptHandle }));
  }

  /** Makes a DLQ message visible again at once. */
  async releaseDeadLetter(lane: string, receiptHandle: string): Promise<void> {
    await this.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.lane(lane).deadLetterQueueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 }));
  }

  private lane(lane: string): LaneConfig {
    const config = laneConfigOf(this.lanes, lane);
    if (!config) throw new UnknownLaneError(lane, Object.keys(this.lanes));
    return config;
  }
}
