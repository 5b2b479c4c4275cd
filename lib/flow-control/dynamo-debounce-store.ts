import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ifConditionHolds } from '../aws/conditional-write.js';
import { ContendedWriteError } from '../errors.js';
import { DEBOUNCE_ABANDONED_MS, type DebounceFire, type DebounceJoin, type DebounceStore, type FireOutcome } from './debounce-store.js';

/** Debounce items outlive their last enqueue by this long (TTL reaps them), in seconds. */
const DEBOUNCE_TTL_SECONDS = 86_400;
/** Tries before giving up when enqueues and a firing keep racing for the key. */
const MAX_TRIES = 8;

/**
 * {@link DebounceStore} on the idempotency table: one item per key (`debounce#<kind>#<key>`)
 * holding its pending job's id, the latest payload and the time of the latest enqueue. Joining
 * is one conditional update; opening, one conditional put; firing, one conditional update (and
 * a strongly consistent read when the key was not quiet).
 */
export class DynamoDebounceStore implements DebounceStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async join(request: DebounceJoin): Promise<{ opened: boolean; jobId: string }> {
    const pk = debounceKey(request.kind, request.key);
    const now = request.now.getTime();
    const abandonedBefore = now - request.windowMs - DEBOUNCE_ABANDONED_MS;
    const values = { ':payload': request.payloadJson, ':now': now, ':pending': 'pending', ':expiresAt': Math.floor(now / 1000) + DEBOUNCE_TTL_SECONDS };
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const joined = await ifConditionHolds(this.doc.send(new UpdateCommand({
        TableName: this.tableName,
        Key: { pk },
        UpdateExpression: 'SET payloadJson = :payload, lastAt = :now, expiresAt = :expiresAt',
        ConditionExpression: '#state = :pending AND lastAt > :abandoned',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ...values, ':abandoned': abandonedBefore },
        ReturnValues: 'ALL_NEW',
      })));
      if (joined) return { opened: false, jobId: String(joined.Attributes!.jobId) };
      const opened = await ifConditionHolds(this.doc.send(new PutCommand({
        TableName: this.tableName,
        Item: { pk, jobId: request.jobId, payloadJson: request.payloadJson, lastAt: now, state: 'pending', expiresAt: values[':expiresAt'] },
        ConditionExpression: 'attribute_not_exists(pk) OR #state <> :pending OR lastAt <= :abandoned',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':pending': 'pending', ':abandoned': abandonedBefore },
      })));
      if (opened) return { opened: true, jobId: request.jobId };
    }
    throw new ContendedWriteError(`could not debounce ${request.kind} (${request.key}) after ${MAX_TRIES} tries`);
  }

  async fire(request: DebounceFire): Promise<FireOutcome> {
    const now = request.now.getTime();
    try {
      const output = await this.doc.send(new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: debounceKey(request.kind, request.key) },
        UpdateExpression: 'SET #state = :started',
        ConditionExpression: 'jobId = :id AND (#state = :started OR lastAt <= :quietSince)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':id': request.jobId, ':started': 'started', ':quietSince': now - request.windowMs },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return { outcome: 'fire', payloadJson: String(output.Attributes!.payloadJson) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (!error.Item) return { outcome: 'gone' };
      const item = unmarshall(error.Item);
      if (item.jobId !== request.jobId) return { outcome: 'superseded', byJobId: String(item.jobId) };
      return { outcome: 'wait', quietAt: new Date(Number(item.lastAt) + request.windowMs) };
    }
  }

  async abandon(kind: string, key: string, jobId: string): Promise<void> {
    await ifConditionHolds(this.doc.send(new DeleteCommand({
      TableName: this.tableName,
      Key: { pk: debounceKey(kind, key) },
      ConditionExpression: 'jobId = :id',
      ExpressionAttributeValues: { ':id': jobId },
    })));
  }
}

function debounceKey(kind: string, key: string): string {
  return `debounce#${kind}#${key}`;
}
