import type { DeadLetterNote, JobTransport, OutgoingMessage } from '../transport/job-transport.js';

/** A `JobTransport` that keeps what it was asked to do, for unit tests. */
export class MemoryTransport implements JobTransport {
  readonly sent: Array<OutgoingMessage & { lane: string }> = [];
  readonly visibilityChanges: Array<{ lane: string; receiptHandle: string; seconds: number }> = [];
  readonly deadLetters: Array<{ lane: string; body: string; note: DeadLetterNote }> = [];
  /** Ids whose send should fail, to test what happens when SQS refuses a message. */
  readonly failSendFor = new Set<string>();

  async send(lane: string, messages: readonly OutgoingMessage[]): Promise<{ failedIds: string[] }> {
    const failedIds = messages.filter((m) => this.failSendFor.has(m.id)).map((m) => m.id);
    this.sent.push(...messages.filter((m) => !this.failSendFor.has(m.id)).map((m) => ({ ...m, lane })));
    return { failedIds };
  }

  async changeVisibility(lane: string, receiptHandle: string, seconds: number): Promise<void> {
    this.visibilityChanges.push({ lane, receiptHandle, seconds });
  }

  async sendToDeadLetter(lane: string, body: string, note: DeadLetterNote): Promise<void> {
    this.deadLetters.push({ lane, body, note });
  }
}
