/** A job message on its way to a lane's queue. */
export interface OutgoingMessage {
  readonly id: string;
  readonly kind: string;
  readonly body: string;
  /** Whole seconds, 0–900: SQS holds the message this long before delivering it. */
  readonly delaySeconds?: number | undefined;
  /** The message group (a tenant, for SQS fair queues on standard queues). */
  readonly groupId?: string | undefined;
}

/**
 * A job's message as every sender makes it: id, kind and message group from the job itself —
 * the group written on its record at enqueue, or carried by the message being sent again — so
 * no send (enqueue, dispatch, sweep, children, follow-ups, a wait, a retry, a redrive) can
 * leave the group behind.
 */
export function jobMessage(job: { readonly id: string; readonly kind: string; readonly groupId?: string | undefined }, body: string, delaySeconds?: number): OutgoingMessage {
  return { id: job.id, kind: job.kind, body, groupId: job.groupId, ...(delaySeconds === undefined ? {} : { delaySeconds }) };
}

/** What a dead-lettered message says about itself, as message attributes. */
export interface DeadLetterNote {
  readonly id?: string | undefined;
  readonly kind?: string | undefined;
  readonly attempt?: number | undefined;
  readonly error: string;
  readonly errorClass: string;
  readonly permanent: boolean;
  /** The claim token of the attempt whose failure made this copy (see `JobRecord.claimToken`): a redrive moves the copy only while the record still shows that failure. */
  readonly claimToken?: string | undefined;
  /** The job's message group (its fair-queue tenant), kept so a redrive sends it back in its group. */
  readonly groupId?: string | undefined;
}

/** A message the transport could not send, and why. */
export interface SendFailure {
  readonly id: string;
  /** What SQS said, e.g. `InvalidParameterValue: … Message must be shorter than 1024 bytes.`, or why the request failed. */
  readonly reason: string;
}

/** What a send came to. */
export interface SendResult {
  /** Ids of the messages that were not sent (the caller keeps their payload for the sweeper). */
  readonly failedIds: string[];
  /** The same messages with the reason each was not sent, where the transport knows it (SqsTransport always does). */
  readonly failures?: readonly SendFailure[] | undefined;
}

/** Message transport: the SQS calls jobline makes, behind one narrow interface. */
export interface JobTransport {
  /**
   * Sends messages to a lane, in as few requests as the batch limits allow. Returns the ids
   * that could not be sent, and why; a refused message never fails the others. Throws only
   * for a lane that is not configured.
   */
  send(lane: string, messages: readonly OutgoingMessage[]): Promise<SendResult>;
  /** Hides a received message for `seconds` from now (how a retry waits without a new message). */
  changeVisibility(lane: string, receiptHandle: string, seconds: number): Promise<void>;
  /** Puts a message body on the lane's dead-letter queue, with a note readable in the console. */
  sendToDeadLetter(lane: string, body: string, note: DeadLetterNote): Promise<void>;
}
