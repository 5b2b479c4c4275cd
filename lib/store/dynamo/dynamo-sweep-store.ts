import { ifConditionHolds } from '../../aws/conditional-write.js';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient} from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { JobRecord } from '../../job-record.js';
import { markDispatched } from './job-writes.js';
import { jobKey, shardKey, STATE_INDEX, stateKey, SWEEPER_PARTITION, toJobRecord, WATCH_INDEX } from './job-item.js';
import { WATCHABLE_STATUSES, type JobStatus } from '../../job-status.js';
import { statusIn } from './status-condition.js';
import { documentClient } from '../../aws/document-client.js';

const WATCHABLE = statusIn(WATCHABLE_STATUSES);
const QUEUED = statusIn(['queued']);

/** A job record with the payload kept for the sweeper (its message was never sent). */
export interface UndispatchedJob {
  readonly record: JobRecord;
  readonly payloadJson: string;
}

/** The sweeper's reads and writes on the jobs table. */
export interface SweepStore {
  /** Jobs of a shard whose message could not be sent, with their kept payload. */
  undispatched(shard: number): Promise<UndispatchedJob[]>;
  /** Marks a job's message as sent: it leaves the undispatched index and drops its payload copy. */
  markDispatched(id: string, status?: JobStatus): Promise<void>;
  /** The id the shard's last sweep got to (exclusive lower bound of the next one). */
  cursor(shard: number): Promise<string | undefined>;
  saveCursor(shard: number, cursor: string): Promise<void>;
  /** Jobs of a shard with ids in (after, upTo], whose status is queued or running. */
  unfinishedBetween(shard: number, after: string, upTo: string): Promise<JobRecord[]>;
  /** Puts jobs into the watch index. */
  watch(ids: readonly string[]): Promise<void>;
  /** Watched jobs of a shard. */
  watched(shard: number): Promise<JobRecord[]>;
  /** Takes a finished job out of the watch index. */
  unwatch(id: string): Promise<void>;
  /**
   * Puts a queued job whose payload is kept in the undispatched index (a transactional job the
   * sweeper could not send): later sweeps send it from there. No-op once it was claimed.
   */
  markUndispatched(id: string): Promise<void>;
  /** Ids of the shard's parents waiting for their children. */
  waitingParents(shard: number): Promise<string[]>;
}

const pad = (shard: number) => shard.toString().padStart(2, '0');

/** {@link SweepStore} on the jobs table (layout in `job-item.ts`). */
export class DynamoSweepStore implements SweepStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(client: DynamoDBClient, private readonly tableName: string) {
    this.doc = documentClient(client);
  }

  async undispatched(shard: number): Promise<UndispatchedJob[]> {
    const items = await this.queryAll({ TableName: this.tableName, IndexName: STATE_INDEX.name, KeyConditionExpression: 'stateKey = :k', ExpressionAttributeValues: { ':k': `undispatched#${pad(shard)}` } });
    return items.filter((item) => typeof item.payloadJson === 'string').map((item) => ({ record: toJobRecord(item), payloadJson: item.payloadJson as string }));
  }

  async markDispatched(id: string, status?: JobStatus): Promise<void> {
    await markDispatched(this.doc, this.tableName, id, status);
  }

  async cursor(shard: number): Promise<string | undefined> {
    const output = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: SWEEPER_PARTITION, sk: `cursor#${pad(shard)}` }, ConsistentRead: true }));
    return output.Item?.cursor as string | undefined;
  }

  async saveCursor(shard: number, cursor: string): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: SWEEPER_PARTITION, sk: `cursor#${pad(shard)}`, cursor } }));
  }

  async unfinishedBetween(shard: number, after: string, upTo: string): Promise<JobRecord[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :after AND :upTo',
      FilterExpression: `${WATCHABLE.expression} AND sk > :after`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pk': shardKey(shard), ':after': after, ':upTo': upTo, ...WATCHABLE.values },
    });
    return items.map(toJobRecord);
  }

  async watch(ids: readonly string[]): Promise<void> {
    await Promise.all(ids.map((id) => this.doc.send(new UpdateCommand({
      TableName: this.tableName, Key: jobKey(id),
      UpdateExpression: 'SET watchKey = :watch',
      ConditionExpression: 'attribute_exists(sk)',
      ExpressionAttributeValues: { ':watch': `watch#${jobKey(id).pk.slice(2)}` },
    })).catch((error: unknown) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    })));
  }

  async watched(shard: number): Promise<JobRecord[]> {
    const items = await this.queryAll({ TableName: this.tableName, IndexName: WATCH_INDEX.name, KeyConditionExpression: 'watchKey = :k', ExpressionAttributeValues: { ':k': `watch#${pad(shard)}` } });
    return items.map(toJobRecord);
  }

  async markUndispatched(id: string): Promise<void> {
    await ifConditionHolds(this.doc.send(new UpdateCommand({
      TableName: this.tableName, Key: jobKey(id),
      UpdateExpression: 'SET stateKey = :undispatched',
      ConditionExpression: `${QUEUED.expression} AND attribute_exists(payloadJson)`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':undispatched': stateKey('undispatched', id), ...QUEUED.values },
    })));
  }

  async unwatch(id: string): Promise<void> {
    await ifConditionHolds(this.doc.send(new UpdateCommand({ TableName: this.tableName, Key: jobKey(id), UpdateExpression: 'REMOVE watchKey', ConditionExpression: 'attribute_exists(sk)' })));
  }

  async waitingParents(shard: number): Promise<string[]> {
    const items = await this.queryAll({ TableName: this.tableName, IndexName: STATE_INDEX.name, KeyConditionExpression: 'stateKey = :k', ExpressionAttributeValues: { ':k': `waiting#${pad(shard)}` }, ProjectionExpression: 'sk' });
    return items.map((item) => item.sk as string);
  }

  private async queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const output = await this.doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      items.push(...(output.Items ?? []));
      start = output.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
