import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RateRequest, RateStore } from './rate-store.js';

/** Rate items outlive their last turn by this long (TTL reaps them), in seconds. */
const RATE_TTL_SECONDS = 86_400;
/** Tries before giving up when other workers keep moving the key's turns between two writes. */
const MAX_TRIES = 8;

/**
 * {@link RateStore} on the idempotency table: one item per key (`rate#<kind>#<key>`) holding the
 * time of its next free turn (`nextAt`, ms). A reservation is one conditional update: move the
 * turn on by an interval when it is in the future (the reservation is the old turn), or set it
 * to now + an interval when the key was idle (the reservation is now).
 */
export class DynamoRateStore implements RateStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async reserve(request: RateRequest): Promise<Date> {
    const pk = `rate#${request.kind}#${request.key}`;
    const now = request.now.getTime();
    const interval = Math.ceil(request.intervalMs);
    const expiresAt = Math.floor(now / 1000) + RATE_TTL_SECONDS;
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      try {
        const output = await this.doc.send(new UpdateCommand({
          TableName: this.tableName,
          Key: { pk },
          UpdateExpression: 'SET nextAt = nextAt + :interval, expiresAt = :expiresAt',
          ConditionExpression: 'nextAt > :now',
          ExpressionAttributeValues: { ':interval': interval, ':now': now, ':expiresAt': expiresAt },
          ReturnValues: 'UPDATED_NEW',
        }));
        return new Date(Number(output.Attributes!.nextAt) - interval);
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      try {
        await this.doc.send(new UpdateCommand({
          TableName: this.tableName,
          Key: { pk },
          UpdateExpression: 'SET nextAt = :next, expiresAt = :expiresAt',
          ConditionExpression: 'attribute_not_exists(nextAt) OR nextAt <= :now',
          ExpressionAttributeValues: { ':next': now + interval, ':now': now, ':expiresAt': expiresAt },
        }));
        return request.now;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    throw new Error(`could not reserve a turn of the rate limit of ${request.kind} (${request.key}) after ${MAX_TRIES} tries`);
  }
}
