import { ifConditionHolds } from '../aws/conditional-write.js';
import { ContendedWriteError } from '../errors.js';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RateRequest, RateStore } from './rate-store.js';

/** Rate items outlive their last turn by this long (TTL reaps them), in seconds. */
const RATE_TTL_SECONDS = 86_400;
/** Tries before giving up when other workers keep moving the key's turns between two writes. */
const MAX_TRIES = 8;
/** Keys whose busy-or-idle hint a store keeps (the oldest is forgotten first). */
const MAX_HINTS = 1000;

/**
 * {@link RateStore} on the idempotency table: one item per key (`rate#<kind>#<key>`) holding the
 * time of its next free turn (`nextAt`, ms). A reservation is one conditional update: move the
 * turn on by an interval when it is in the future (the reservation is the old turn), or set it
 * to now + an interval when the key was idle (the reservation is now). The branch that worked
 * last for the key is tried first, so a busy key and an idle one each cost one write a turn; a
 * wrong guess costs one failed conditional write.
 */
export class DynamoRateStore implements RateStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Per key, whether it was busy at the last reservation: that branch is tried first, so a steady state costs one write. */
  private readonly busy = new Map<string, boolean>();

  async reserve(request: RateRequest): Promise<Date> {
    const pk = `rate#${request.kind}#${request.key}`;
    const now = request.now.getTime();
    const interval = Math.ceil(request.intervalMs);
    const expiresAt = Math.floor(now / 1000) + RATE_TTL_SECONDS;
    const branches = [() => this.next(pk, now, interval, expiresAt), () => this.idle(pk, now, interval, expiresAt)];
    if (!this.busy.get(pk)) branches.reverse();
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      for (const branch of branches) {
        const at = await branch();
        if (at === undefined) continue;
        this.busy.set(pk, at > now);
        if (this.busy.size > MAX_HINTS) this.busy.delete(this.busy.keys().next().value!);
        return new Date(at);
      }
    }
    throw new ContendedWriteError(`could not reserve a turn of the rate limit of ${request.kind} (${request.key}) after ${MAX_TRIES} tries`);
  }

  /** The key's next turn when it is in the future (moving it on by an interval), else undefined. */
  private async next(pk: string, now: number, interval: number, expiresAt: number): Promise<number | undefined> {
    const output = await ifConditionHolds(this.doc.send(new UpdateCommand({
      TableName: this.tableName,
      Key: { pk },
      UpdateExpression: 'SET nextAt = nextAt + :interval, expiresAt = :expiresAt',
      ConditionExpression: 'nextAt > :now',
      ExpressionAttributeValues: { ':interval': interval, ':now': now, ':expiresAt': expiresAt },
      ReturnValues: 'UPDATED_NEW',
    })));
    return output ? Number(output.Attributes!.nextAt) - interval : undefined;
  }

  /** Now, when the key is idle (its next turn has passed; the one after is an interval from now), else undefined. */
  private async idle(pk: string, now: number, interval: number, expiresAt: number): Promise<number | undefined> {
    const output = await ifConditionHolds(this.doc.send(new UpdateCommand({
      TableName: this.tableName,
      Key: { pk },
      UpdateExpression: 'SET nextAt = :next, expiresAt = :expiresAt',
      ConditionExpression: 'attribute_not_exists(nextAt) OR nextAt <= :now',
      ExpressionAttributeValues: { ':next': now + interval, ':now': now, ':expiresAt': expiresAt },
    })));
    return output ? now : undefined;
  }
}
