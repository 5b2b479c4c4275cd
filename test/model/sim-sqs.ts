import { MESSAGE_ATTRIBUTES } from '../../lib/job-message.js';
import type { DeadLetter, DeadLetterQueue } from '../../lib/transport/lane-admin.js';
import type { DeadLetterNote, JobTransport, OutgoingMessage, SendResult } from '../../lib/transport/job-transport.js';

/** A message on the simulated lane queue. */
export interface SimMessage {
  readonly messageId: string;
  readonly jobId: string;
  readonly body: string;
  readonly groupId?: string | undefined;
  readonly sentAt: number;
  visibleAt: number;
  receiveCount: number;
  receiptHandle?: string | undefined;
}

/** A message on the simulated DLQ. */
export interface SimDeadLetter {
  readonly messageId: string;
  readonly body: string;
  readonly attributes: Record<string, string>;
  readonly sentAt: number;
  visibleAt: number;
  receiptHandle?: string | undefined;
}

/**
 * One lane's SQS queue and DLQ as the model-based test needs them, on a clock the test moves:
 * visibility, receive counts, SQS's own redrive after `maxReceiveCount` receives (a copy with no
 * jobline attributes), and every send recorded, so the invariants can see what each command sent.
 */
export class SimSqs implements JobTransport, DeadLetterQueue {
  readonly queue: SimMessage[] = [];
  readonly dlq: SimDeadLetter[] = [];
  /** Every message sent to the lane, by job id, in order. */
  readonly sends: Array<{ jobId: string; groupId?: string | undefined }> = [];
  private next = 0;

  constructor(
    private readonly now: () => number,
    /** The queue's visibility timeout: how long a received message stays hidden unless the worker says otherwise, in s. */
    private readonly visibilitySeconds: number,
    private readonly maxReceiveCount: number,
  ) {}

  async send(_lane: string, messages: readonly OutgoingMessage[]): Promise<SendResult> {
    for (const m of messages) {
      this.queue.push({ messageId: `m${this.next++}`, jobId: m.id, body: m.body, groupId: m.groupId, sentAt: this.now(), visibleAt: this.now() + (m.delaySeconds ?? 0) * 1000, receiveCount: 0 });
      this.sends.push({ jobId: m.id, groupId: m.groupId });
    }
    return { failedIds: [] };
  }

  async changeVisibility(_lane: string, receiptHandle: string, seconds: number): Promise<void> {
    const message = this.queue.find((m) => m.receiptHandle === receiptHandle);
    if (message) message.visibleAt = this.now() + seconds * 1000;
  }

  async sendToDeadLetter(_lane: string, body: string, note: DeadLetterNote): Promise<void> {
    const attributes: Record<string, string> = { [MESSAGE_ATTRIBUTES.error]: note.error };
    if (note.id) attributes[MESSAGE_ATTRIBUTES.id] = note.id;
    if (note.claimToken) attributes[MESSAGE_ATTRIBUTES.claimToken] = note.claimToken;
    if (note.groupId) attributes[MESSAGE_ATTRIBUTES.group] = note.groupId;
    this.dlq.push({ messageId: `d${this.next++}`, body, attributes, sentAt: this.now(), visibleAt: this.now() });
  }

  /** The visible messages now, oldest first. */
  visible(): SimMessage[] {
    return this.queue.filter((m) => m.visibleAt <= this.now());
  }

  /**
   * Receives one message as the event source would: hidden for the visibility timeout, its
   * receive count up; past `maxReceiveCount` SQS moves it to the DLQ instead (undefined then).
   */
  receive(message: SimMessage): SimMessage | undefined {
    message.receiveCount++;
    if (message.receiveCount > this.maxReceiveCount) {
      this.remove(message);
      this.dlq.push({ messageId: `d${this.next++}`, body: message.body, attributes: {}, sentAt: message.sentAt, visibleAt: this.now() });
      return undefined;
    }
    message.receiptHandle = `r${this.next++}`;
    message.visibleAt = this.now() + this.visibilitySeconds * 1000;
    return message;
  }

  remove(message: SimMessage): void {
    const i = this.queue.indexOf(message);
    if (i >= 0) this.queue.splice(i, 1);
  }

  async receiveDeadLetters(_lane: string, visibilitySeconds: number): Promise<DeadLetter[]> {
    const batch = this.dlq.filter((m) => m.visibleAt <= this.now()).slice(0, 10);
    for (const m of batch) {
      m.receiptHandle = `r${this.next++}`;
      m.visibleAt = this.now() + visibilitySeconds * 1000;
    }
    return batch.map((m) => ({ messageId: m.messageId, receiptHandle: m.receiptHandle!, body: m.body, attributes: { ...m.attributes }, sentTimestamp: m.sentAt }));
  }

  async deleteDeadLetter(_lane: string, receiptHandle: string): Promise<void> {
    const i = this.dlq.findIndex((m) => m.receiptHandle === receiptHandle);
    if (i >= 0) this.dlq.splice(i, 1);
  }

  async releaseDeadLetter(_lane: string, receiptHandle: string): Promise<void> {
    const message = this.dlq.find((m) => m.receiptHandle === receiptHandle);
    if (message) message.visibleAt = this.now();
  }
}
