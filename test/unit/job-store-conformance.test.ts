import { MemoryJobStore } from 'jobline/testing';
import { describeJobStoreConformance } from '../conformance/job-store.js';

// The in-memory store that unit tests (and users' tests, through jobline/testing) trust, held
// to the contract the DynamoDB store passes in test/integration/dynamo-job-store.test.ts.
const store = new MemoryJobStore();
describeJobStoreConformance('MemoryJobStore', () => ({ store, shardCount: 4 }));
