import { CreateTableCommand, DeleteTableCommand, waitUntilTableExists, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { STATE_INDEX, TABLE_KEYS, WATCH_INDEX } from '../../lib/store/dynamo/job-item.js';

/** A jobs table and a claims table made for one test file or benchmark, with the layout JobQueue gives them (no stack deploy). */
export interface JobTables {
  readonly tableName: string;
  readonly claimsTableName: string;
  drop(): Promise<void>;
}

/** Creates the tables in the emulator and waits until they are active. */
export async function createJobTables(dynamodb: DynamoDBClient, prefix: string): Promise<JobTables> {
  const suffix = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const tableName = `${prefix}-jobs-${suffix}`;
  const claimsTableName = `${prefix}-claims-${suffix}`;
  await dynamodb.send(new CreateTableCommand({
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: TABLE_KEYS.partition, KeyType: 'HASH' }, { AttributeName: TABLE_KEYS.sort, KeyType: 'RANGE' }],
    AttributeDefinitions: [...new Set([TABLE_KEYS.partition, TABLE_KEYS.sort, STATE_INDEX.partition, STATE_INDEX.sort, WATCH_INDEX.partition, WATCH_INDEX.sort])]
      .map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    GlobalSecondaryIndexes: [STATE_INDEX, WATCH_INDEX].map((index) => ({
      IndexName: index.name,
      KeySchema: [{ AttributeName: index.partition, KeyType: 'HASH' as const }, { AttributeName: index.sort, KeyType: 'RANGE' as const }],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  }));
  await dynamodb.send(new CreateTableCommand({
    TableName: claimsTableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
  }));
  for (const name of [tableName, claimsTableName]) await waitUntilTableExists({ client: dynamodb, maxWaitTime: 60 }, { TableName: name });
  return {
    tableName,
    claimsTableName,
    drop: async () => {
      await Promise.all([tableName, claimsTableName].map((name) => dynamodb.send(new DeleteTableCommand({ TableName: name }))));
    },
  };
}
