import { beforeAll } from 'vitest';
import { MemoryDynamoDB } from '../../bench/partitions/fake-dynamodb.js';
import { WriteLog } from '../../bench/partitions/write-log.js';
import { documentClient } from '../../lib/aws/document-client.js';
import { DynamoDebounceStore } from '../../lib/flow-control/dynamo-debounce-store.js';
import { DynamoRateStore } from '../../lib/flow-control/dynamo-rate-store.js';
import { DynamoSlotStore } from '../../lib/flow-control/dynamo-slot-store.js';
import type { FlowControlStores } from '../../lib/flow-control/flow-control-stores.js';
import { DynamoJobStore } from '../../lib/store/dynamo/dynamo-job-store.js';
import { createJobTables } from '../../scripts/lib/job-tables.js';
import { describeFlowControlConformance } from '../conformance/flow-control-stores.js';
import { describeJobStoreConformance } from '../conformance/job-store.js';

// The DynamoDB stores — their conditions, expressions and transactions — on the in-memory
// DynamoDB the hot-partition simulation runs on (bench/partitions), held to the contracts they
// pass on the emulator (test/integration/dynamo-job-store.test.ts, dynamo-flow-control.test.ts):
// a fast check of the stores' DynamoDB writes in every unit run, and a check of the fake behind
// the simulation's figures.
const SHARDS = 4;
const dynamodb = new MemoryDynamoDB(new WriteLog(() => 0), (name) => name).client();
let store: DynamoJobStore;
let unbatched: DynamoJobStore;
let stores: FlowControlStores;

beforeAll(async () => {
  const tables = await createJobTables(dynamodb, 'fake');
  store = new DynamoJobStore(dynamodb, tables.tableName, SHARDS, tables.claimsTableName);
  unbatched = new DynamoJobStore(dynamodb, tables.tableName, SHARDS, tables.claimsTableName, false);
  const doc = documentClient(dynamodb);
  stores = { slots: new DynamoSlotStore(doc, tables.claimsTableName), rates: new DynamoRateStore(doc, tables.claimsTableName), debounces: new DynamoDebounceStore(doc, tables.claimsTableName) };
});

describeJobStoreConformance('DynamoJobStore on the in-memory DynamoDB', () => ({ store, shardCount: SHARDS }));
// Every claim and outcome as its own write: the path a batched one falls back to.
describeJobStoreConformance('DynamoJobStore on the in-memory DynamoDB, writing nothing in batches', () => ({ store: unbatched, shardCount: SHARDS }));
describeFlowControlConformance('DynamoDB stores on the in-memory DynamoDB', () => stores);
