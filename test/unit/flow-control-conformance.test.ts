import { MemoryFlowControl } from 'jobline/testing';
import { describeFlowControlConformance } from '../conformance/flow-control-stores.js';

// The in-memory flow-control stores, held to the contract the DynamoDB ones pass in
// test/integration/dynamo-flow-control.test.ts.
const stores = new MemoryFlowControl();
describeFlowControlConformance('memory', () => stores);
