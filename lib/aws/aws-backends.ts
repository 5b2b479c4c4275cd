import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Backends } from '../backends.js';
import type { JoblineConfig } from '../config.js';
import { DynamoDebounceStore } from '../flow-control/dynamo-debounce-store.js';
import { DynamoRateStore } from '../flow-control/dynamo-rate-store.js';
import { DynamoSlotStore } from '../flow-control/dynamo-slot-store.js';
import type { FlowControlStores } from '../flow-control/flow-control-stores.js';
import { documentClient } from './document-client.js';
import { withEnvironmentFaults } from './faults.js';
import { DynamoIdempotencyStore } from '../idempotency/dynamo-idempotency-store.js';
import { EventBridgeScheduler } from '../scheduler/eventbridge-scheduler.js';
import { DynamoJobStore } from '../store/dynamo/dynamo-job-store.js';
import { SqsTransport } from '../transport/sqs-transport.js';
import { S3ResultStore } from './s3-result-store.js';
import { onFirstSend } from './on-first-send.js';

/**
 * The AWS side of jobline: the store and transport on real SDK clients. The clients take
 * region, credentials and endpoint (`AWS_ENDPOINT_URL`, for an emulator) from the
 * environment, as every SDK v3 client does.
 */
export interface AwsBackends extends Backends {
  readonly store: DynamoJobStore;
  readonly transport: SqsTransport;
  readonly scheduler: EventBridgeScheduler;
  readonly idempotency: DynamoIdempotencyStore;
  /** Concurrency slots, rate-limit turns and debounced keys, in the idempotency table. */
  readonly flowControl: FlowControlStores;
  /** The results bucket, when the config names one. */
  readonly results: S3ResultStore | undefined;
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
}

/**
 * Makes the store and transport for a config, on new (or given) SDK clients. The clients it
 * makes fail as `JOBLINE_FAULTS` says, when it is set (reliability tests; see faults.ts).
 */
export function awsBackends(config: JoblineConfig, clients: { dynamodb?: DynamoDBClient; sqs?: SQSClient; scheduler?: SchedulerClient } = {}): AwsBackends {
  // Only the clients made here take faults: a client passed in is its owner's to break (injectFaults).
  const dynamodb = clients.dynamodb ?? withEnvironmentFaults(new DynamoDBClient({}), 'dynamodb');
  // Made on first send: many workers' jobs never send (a retry, a child) or schedule (a long delay).
  const sqs = onFirstSend(() => clients.sqs ?? withEnvironmentFaults(new SQSClient({}), 'sqs'));
  const scheduler = new EventBridgeScheduler(onFirstSend(() => clients.scheduler ?? withEnvironmentFaults(new SchedulerClient({}), 'scheduler')), config);
  const doc = documentClient(dynamodb);
  return {
    store: new DynamoJobStore(dynamodb, config.tableName, config.shardCount, config.idempotencyTableName),
    transport: new SqsTransport(sqs, config.lanes),
    scheduler,
    idempotency: new DynamoIdempotencyStore(dynamodb, config.idempotencyTableName),
    flowControl: {
      slots: new DynamoSlotStore(doc, config.idempotencyTableName),
      rates: new DynamoRateStore(doc, config.idempotencyTableName),
      debounces: new DynamoDebounceStore(doc, config.idempotencyTableName),
    },
    results: config.resultsBucket ? new S3ResultStore(config.resultsBucket) : undefined,
    dynamodb,
    get sqs() {
      return sqs.client();
    },
  };
}
