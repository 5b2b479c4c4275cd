import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { DynamoJobStore } from '../../lib/store/dynamo/dynamo-job-store.js';
import { describeJobStoreConformance } from '../conformance/job-store.js';
import { createJobTables, type JobTables } from '../../scripts/lib/job-tables.js';
import './support/deployed.js';

// The store that runs on AWS, on its own tables in the emulator, held to the same contract as
// MemoryJobStore (test/unit/job-store-conformance.test.ts).
const SHARDS = 4;
const dynamodb = new DynamoDBClient({});
let tables: JobTables;
let store: DynamoJobStore;

beforeAll(async () => {
  tables = await createJobTables(dynamodb, 'conformance');
  store = new DynamoJobStore(dynamodb, tables.tableName, SHARDS, tables.claimsTableName);
});
afterAll(() => tables?.drop());

describeJobStoreConformance('DynamoJobStore', () => ({ store, shardCount: SHARDS }));
