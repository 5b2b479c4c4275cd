import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BulkProgressStore, BulkState } from '../../inspector/bulk-progress.js';

/** How long a bulk operation's state is kept after its last page (TTL): a week to resume it. */
const KEPT_SECONDS = 7 * 86_400;

/** Bulk operations' state, one item each in the jobs table (`pk` `B#<id>`), expiring a week after its last save. */
export class DynamoBulkProgress implements BulkProgressStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string) {}

  async load(id: string): Promise<BulkState | undefined> {
    const output = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: `B#${id}`, sk: 'state' }, ConsistentRead: true }));
    return output.Item?.state as BulkState | undefined;
  }

  async save(state: BulkState): Promise<void> {
    const expiresAt = Math.floor(Date.parse(state.updatedAt) / 1000) + KEPT_SECONDS;
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: `B#${state.id}`, sk: 'state', state, expiresAt } }));
  }
}
