import { ifConditionHolds } from '../aws/conditional-write.js';
import { ContendedWriteError } from '../errors.js';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RateRequest, RateStore } from './rate-store.js';

/** Rate items outlive their last reserved turn by at least half of this, and at most this (TTL reaps them), in seconds. */
export const RATE_TTL_SECONDS = 86_400;
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
 * wrong guess costs one failed conditional write. The item's TTL never falls before its last
 * reserved turn: a busy key whose turns run far ahead (a long backlog) has its expiry moved on
 * once per half a TTL of turns, so the item is never reaped with turns still reserved.
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
    // An idle key's item outlives the turn after the one it hands out by a full TTL.
    const expiresAt = Math.ceil((now + interval) / 1000) + RATE_TTL_SECONDS;
    const branches = [() => this.next(pk, now, interval), () => this.idle(pk, now, interval, expiresAt)];
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

  /**
   * The key's next turn when it is in the future (moving it on by an interval), else undefined.
   * Its expiry is left as it is, unless the turns now reach past half a TTL before it: then it
   * is moved on to a full TTL past the last turn (one more write, once per half a TTL of turns).
   */
  private async next(pk: string, now: number, interval: number): Promise<number | undefined> {
    const output = await ifConditionHolds(this.doc.send(new UpdateCommand({
      TableName: this.tableName,
      Key: { pk },
      UpdateExpression: 'SET nextAt = nextAt + :interval',
      ConditionExpression: 'nextAt > :now',
      ExpressionAttributeValues: { ':interval': interval, ':now': now },
      ReturnValues: 'ALL_NEW',
    })));
    if (!output) return undefined;
    const nextAt = Number(output.Attributes!.nextAt);
    const lastTurnSeconds = Math.ceil(nextAt / 1000);
    if (lastTurnSeconds + RATE_TTL_SECONDS / 2 > Number(output.Attributes!.expiresAt ?? 0)) await this.outlive(pk, lastTurnSeconds + RATE_TTL_SECONDS);
    return nextAt - interval;
  }

  /** Moves the item's expiry on to `expiresAt`, unless another worker moved it further already. */
  private async outlive(pk: string, expiresAt: number): Promise<void> {
    await ifConditionHolds(this.doc.send(new UpdateCommand({
      TableName: this.tableName,
      Key: { pk },
      UpdateExpression: 'SET expiresAt = :expiresAt',
      ConditionExpression: 'attribute_not_exists(expiresAt) OR expiresAt < :expiresAt',
      ExpressionAttributeValues: { ':expiresAt': expiresAt },
    })));
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
