import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { documentClient } from '../../lib/aws/document-client.js';
import { DynamoDebounceStore } from '../../lib/flow-control/dynamo-debounce-store.js';
import { DynamoRateStore } from '../../lib/flow-control/dynamo-rate-store.js';
import { DynamoSlotStore } from '../../lib/flow-control/dynamo-slot-store.js';
import type { FlowControlStores } from '../../lib/flow-control/flow-control-stores.js';
import { createJobTables, type JobTables } from '../../scripts/lib/job-tables.js';
import { describeFlowControlConformance } from '../conformance/flow-control-stores.js';
import './support/deployed.js';

// The flow-control stores that run on AWS, on an idempotency table of their own in the
// emulator, held to the same contract as the in-memory ones.
const dynamodb = new DynamoDBClient({});
let tables: JobTables;
let stores: FlowControlStores;

beforeAll(async () => {
  tables = await createJobTables(dynamodb, 'flow-control');
  const doc = documentClient(dynamodb);
  stores = { slots: new DynamoSlotStore(doc, tables.claimsTableName), rates: new DynamoRateStore(doc, tables.claimsTableName), debounces: new DynamoDebounceStore(doc, tables.claimsTableName) };
});
afterAll(() => tables?.drop());

describeFlowControlConformance('DynamoDB', () => stores);
