/** A job message on its way to a lane's queue. */
export interface OutgoingMessage {
  readonly id: string;
  readonly kind: string;
  readonly body: string;
  /** Whole seconds, 0–900: SQS holds the message this long before delivering it. */
  readonly delaySeconds?: number | undefined;
}

/** What a dead-lettered message says about itself, as message attributes. */
export interface DeadLetterNote {
  readonly id?: string | undefined;
  readonly kind?: string | undefined;
  readonly attempt?: number | undefined;
  readonly error: string;
  readonly errorClass: string;
  readonly permanent: boolean;
}

/** Message transport: the SQS calls jobline makes, behind one narrow interface. */
export interface JobTransport {
  /** Sends messages to a lane, in as few requests as the batch limits allow. Returns the ids that could not be sent. */
  send(lane: string, messages: readonly OutgoingMessage[]): Promise<{ failedIds: string[] }>;
  /** Hides a received message for `seconds` from now (how a retry waits without a new message). */
  changeVisibility(lane: string, receiptHandle: string, seconds: number): Promise<void>;
  /** Puts a message body on the lane's dead-letter queue, with a note readable in the console. */
  sendToDeadLetter(lane: string, body: string, note: DeadLetterNote): Promise<void>;
}
