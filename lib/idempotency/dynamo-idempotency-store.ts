import { ifConditionHolds, ownWriteToken } from '../aws/conditional-write.js';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient} from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { IdempotencyRecord, IdempotencyStore, StartResult } from './idempotency-store.js';
import { documentClient } from '../aws/document-client.js';

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** {@link IdempotencyStore} on a DynamoDB table with partition key `pk` and TTL `expiresAt`. */
export class DynamoIdempotencyStore implements IdempotencyStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(client: DynamoDBClient, private readonly tableName: string) {
    this.doc = documentClient(client);
  }

  async start(key: string, jobId: string, now: Date, leaseUntil: Date, expiresAt: Date): Promise<StartResult> {
    // Kept on the marker, so that a start whose response was lost knows its own write when the SDK retries it.
    const token = ownWriteToken();
    try {
      await this.doc.send(new PutCommand({
        TableName: this.tableName,
        Item: { pk: key, status: 'in_progress', jobId, leaseUntil: leaseUntil.toISOString(), expiresAt: epochSeconds(expiresAt), token },
        // Free, expired (TTL not yet reaped), or abandoned by an attempt whose lease ran out.
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :nowSeconds OR (#status = :inProgress AND leaseUntil < :now)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':nowSeconds': epochSeconds(now), ':inProgress': 'in_progress', ':now': now.toISOString() },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return { started: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) || !error.Item) throw error;
      const item = unmarshall(error.Item);
      if (item.status === 'in_progress' && item.token === token) return { started: true };
      const existing: IdempotencyRecord = { key, status: item.status, leaseUntil: item.leaseUntil, resultJson: item.resultJson, jobId: item.jobId };
      return { started: false, existing };
    }
  }

  async complete(key: string, jobId: string, resultJson: string, expiresAt: Date): Promise<void> {
    await this.doc.send(new UpdateCommand({
      TableName: this.tableName,
      Key: { pk: key },
      UpdateExpression: 'SET #status = :done, resultJson = :result, expiresAt = :expires REMOVE leaseUntil',
      ConditionExpression: 'jobId = :jobId',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':done': 'done', ':result': resultJson, ':expires': epochSeconds(expiresAt), ':jobId': jobId },
    }));
  }

  async release(key: string, jobId: string): Promise<void> {
    await ifConditionHolds(this.doc.send(new DeleteCommand({
      TableName: this.tableName,
      Key: { pk: key },
      ConditionExpression: 'jobId = :jobId AND #status = :inProgress',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':jobId': jobId, ':inProgress': 'in_progress' },
    })));
  }
}
