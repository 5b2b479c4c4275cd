import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Backends } from '../backends.js';
import type { JoblineConfig } from '../config.js';
import { DynamoDebounceStore } from '../flow-control/dynamo-debounce-store.js';
import { DynamoRateStore } from '../flow-control/dynamo-rate-store.js';
import { DynamoSlotStore } from '../flow-control/dynamo-slot-store.js';
import type { FlowControlStores } from '../flow-control/flow-control-stores.js';
import { documentClient } from './document-client.js';
import { withEnvironmentFaults } from './faults.js';
import { DynamoIdempotencyStore } from '../idempotency/dynamo-idempotency-store.js';
import type { JobScheduler } from '../scheduler/job-scheduler.js';
import { DynamoJobStore } from '../store/dynamo/dynamo-job-store.js';
import type { JobTransport } from '../transport/job-transport.js';
import { S3ResultStore } from './s3-result-store.js';
import { onFirstCall } from './on-first-call.js';

/**
 * The AWS side of jobline: the store and transport on real SDK clients. The clients take
 * region, credentials and endpoint (`AWS_ENDPOINT_URL`, for an emulator) from the
 * environment, as every SDK v3 client does.
 */
export interface AwsBackends extends Backends {
  readonly store: DynamoJobStore;
  readonly transport: JobTransport;
  readonly scheduler: JobScheduler;
  readonly idempotency: DynamoIdempotencyStore;
  /** Concurrency slots, rate-limit turns and debounced keys, in the idempotency table. */
  readonly flowControl: FlowControlStores;
  /** The results bucket, when the config names one. */
  readonly results: S3ResultStore | undefined;
  readonly dynamodb: DynamoDBClient;
}

/**
 * Makes the store and transport for a config, on new (or given) SDK clients. The clients it
 * makes fail as `JOBLINE_FAULTS` says, when it is set (reliability tests; see faults.ts).
 */
export function awsBackends(config: JoblineConfig, clients: { dynamodb?: DynamoDBClient; sqs?: SQSClient; scheduler?: SchedulerClient } = {}): AwsBackends {
  // Only the clients made here take faults: a client passed in is its owner's to break (injectFaults).
  const dynamodb = clients.dynamodb ?? withEnvironmentFaults(new DynamoDBClient({}), 'dynamodb');
  // The SQS and Scheduler sides, their SDK modules included, load on their first call: many
  // workers' jobs never send (a retry, a child) or schedule (a long delay), and evaluating the two
  // clients' modules lengthened every worker's cold start (BENCHMARKS.md, section 6).
  const transport = onFirstCall(async () => {
    const [{ SQSClient }, { SqsTransport }] = await Promise.all([import('@aws-sdk/client-sqs'), import('../transport/sqs-transport.js')]);
    return new SqsTransport(clients.sqs ?? withEnvironmentFaults(new SQSClient({}), 'sqs'), config.lanes);
  }, ['send', 'changeVisibility', 'sendToDeadLetter']);
  const scheduler = onFirstCall(async () => {
    const [{ SchedulerClient }, { EventBridgeScheduler }] = await Promise.all([import('@aws-sdk/client-scheduler'), import('../scheduler/eventbridge-scheduler.js')]);
    return new EventBridgeScheduler(clients.scheduler ?? withEnvironmentFaults(new SchedulerClient({}), 'scheduler'), config);
  }, ['scheduleOnce', 'cancel', 'messageOf']);
  const doc = documentClient(dynamodb);
  return {
    store: new DynamoJobStore(dynamodb, config.tableName, config.shardCount, config.idempotencyTableName),
    transport,
    scheduler,
    idempotency: new DynamoIdempotencyStore(dynamodb, config.idempotencyTableName),
    flowControl: {
      slots: new DynamoSlotStore(doc, config.idempotencyTableName),
      rates: new DynamoRateStore(doc, config.idempotencyTableName),
      debounces: new DynamoDebounceStore(doc, config.idempotencyTableName),
    },
    results: config.resultsBucket ? new S3ResultStore(config.resultsBucket) : undefined,
    dynamodb,
  };
}
