/**
 * SQS in memory, behind a real `SQSClient`: a middleware at the `initialize` step takes the
 * sends and visibility changes the transport makes (nothing reaches the network), and the
 * simulation plays Lambda's event source on the queues (receive, then delete what the worker
 * acknowledged). Time is the simulated clock's: delays and visibility timeouts are honoured.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SimClock } from './sim-clock.js';
import { trimStack } from './trim-stack.js';

/** A message on a queue. */
export interface SimMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentTimestamp: number;
  readonly groupId?: string | undefined;
  readonly attributes: Readonly<Record<string, string>>;
  receiveCount: number;
  visibleAt: number;
  receiptHandle: string;
  /** Bumped at each visibility change: queued entries of an older version are stale. */
  version: number;
}

interface SendEntry {
  readonly MessageBody?: string;
  readonly DelaySeconds?: number;
  readonly MessageGroupId?: string;
  readonly MessageAttributes?: Record<string, { StringValue?: string }>;
}

class SimQueue {
  private readonly byHandle = new Map<string, SimMessage>();
  /** Messages by the slot (of `slotMs`) they become visible in; slots up to `drained` have been received. */
  private readonly slots = new Map<number, { message: SimMessage; version: number }[]>();
  private drained = -Infinity;

  constructor(private readonly slotMs: number) {}

  private place(message: SimMessage): void {
    const slot = Math.max(Math.ceil(message.visibleAt / this.slotMs), this.drained + 1);
    let entries = this.slots.get(slot);
    if (!entries) this.slots.set(slot, (entries = []));
    entries.push({ message, version: message.version });
  }

  add(message: SimMessage): void {
    this.byHandle.set(message.receiptHandle, message);
    this.place(message);
  }

  /** Every message visible at `now`, made invisible for `visibilitySeconds`. */
  receive(now: number, visibilitySeconds: number): SimMessage[] {
    const upTo = Math.floor(now / this.slotMs);
    const received: SimMessage[] = [];
    for (const slot of [...this.slots.keys()].filter((s) => s <= upTo).sort((a, b) => a - b)) {
      for (const { message, version } of this.slots.get(slot)!) {
        if (version !== message.version || !this.byHandle.has(message.receiptHandle)) continue;
        this.byHandle.delete(message.receiptHandle);
        message.receiveCount++;
        message.receiptHandle = `${message.messageId}#${message.receiveCount}`;
        message.version++;
        message.visibleAt = now + visibilitySeconds * 1000;
        this.byHandle.set(message.receiptHandle, message);
        this.place(message);
        received.push(message);
      }
      this.slots.delete(slot);
    }
    this.drained = Math.max(this.drained, upTo);
    return received;
  }

  changeVisibility(handle: string, seconds: number, now: number): void {
    const message = this.byHandle.get(handle);
    if (!message) throw Object.assign(new Error(`receipt handle ${handle} is not in flight`), { name: 'ReceiptHandleIsInvalid' });
    message.version++;
    message.visibleAt = now + seconds * 1000;
    this.place(message);
  }

  delete(handle: string): void {
    this.byHandle.delete(handle);
  }
}

/** The queues, by URL; sends to a URL not seen before open its queue. */
export class MemoryQueues {
  private readonly queues = new Map<string, SimQueue>();
  private nextId = 0;

  constructor(private readonly clock: SimClock, private readonly slotMs: number) {}

  queue(url: string): SimQueue {
    let queue = this.queues.get(url);
    if (!queue) this.queues.set(url, (queue = new SimQueue(this.slotMs)));
    return queue;
  }

  client(): SQSClient {
    const client = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'simulated', secretAccessKey: 'simulated' } });
    client.middlewareStack.add(
      (_next, context) => async (args) => ({ output: { ...this.answer(context.commandName ?? '', args.input as Record<string, unknown>), $metadata: {} }, response: {} }),
      { step: 'initialize', priority: 'high', name: 'simulatedSQS' },
    );
    trimStack(client);
    return client;
  }

  private send(url: string, entry: SendEntry): string {
    const now = this.clock.ms();
    const messageId = `m${++this.nextId}`;
    const attributes = Object.fromEntries(Object.entries(entry.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']));
    this.queue(url).add({
      messageId, body: entry.MessageBody ?? '', sentTimestamp: now, groupId: entry.MessageGroupId, attributes,
      receiveCount: 0, visibleAt: now + (entry.DelaySeconds ?? 0) * 1000, receiptHandle: `${messageId}#0`, version: 0,
    });
    return messageId;
  }

  private answer(command: string, input: Record<string, unknown>): Record<string, unknown> {
    const url = String(input.QueueUrl);
    switch (command) {
      case 'SendMessageCommand': return { MessageId: this.send(url, input as SendEntry) };
      case 'SendMessageBatchCommand': {
        const entries = input.Entries as (SendEntry & { Id: string })[];
        return { Successful: entries.map((e) => ({ Id: e.Id, MessageId: this.send(url, e), MD5OfMessageBody: '' })), Failed: [] };
      }
      case 'ChangeMessageVisibilityCommand':
        this.queue(url).changeVisibility(String(input.ReceiptHandle), Number(input.VisibilityTimeout), this.clock.ms());
        return {};
      case 'DeleteMessageCommand':
        this.queue(url).delete(String(input.ReceiptHandle));
        return {};
      default: throw new Error(`the simulated SQS does not answer ${command}`);
    }
  }
}
