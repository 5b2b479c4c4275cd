import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { JobDefinition } from '../lib/job-definition.js';
import { pascal } from './construct-ids.js';
import type { Lane } from './job-queue-props.js';

/** How long SQS keeps a message on a lane's queue or DLQ: its longest, to leave operators time to act. */
const MESSAGE_RETENTION = Duration.days(14);

/** What every lane's queues share. */
export interface LaneOptions {
  readonly visibilityTimeout: Duration;
  /** Receives beyond the lane's largest maxAttempts before SQS dead-letters a message by itself. */
  readonly extraReceives: number;
  readonly removalPolicy: RemovalPolicy;
  /** A customer-managed key for the queues and DLQs. @default SQS-managed keys */
  readonly encryptionKey?: IKey | undefined;
}

/**
 * One {@link Lane} per distinct lane of `jobs`, by name: a queue that redrives to its DLQ after
 * the lane's largest maxAttempts plus `extraReceives` receives.
 */
export function createLanes(scope: Construct, jobs: readonly JobDefinition[], options: LaneOptions): Map<string, Lane> {
  const { visibilityTimeout, extraReceives, removalPolicy, encryptionKey } = options;
  const encryption = encryptionKey ? { encryption: QueueEncryption.KMS, encryptionMasterKey: encryptionKey } : { encryption: QueueEncryption.SQS_MANAGED };
  const lanes = new Map<string, Lane>();
  // Sorted, so that the construct order (and the template) does not depend on the order of `jobs`.
  for (const laneName of [...new Set(jobs.map((j) => j.lane))].sort()) {
    const maxAttempts = Math.max(...jobs.filter((j) => j.lane === laneName).map((j) => j.retry.maxAttempts));
    const maxReceiveCount = maxAttempts + extraReceives;
    const deadLetterQueue = new Queue(scope, `${pascal(laneName)}DeadLetters`, {
      retentionPeriod: MESSAGE_RETENTION,
      ...encryption,
      enforceSSL: true,
      removalPolicy,
    });
    const queue = new Queue(scope, `${pascal(laneName)}Queue`, {
      visibilityTimeout,
      retentionPeriod: MESSAGE_RETENTION,
      ...encryption,
      enforceSSL: true,
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount },
      removalPolicy,
    });
    lanes.set(laneName, { name: laneName, queue, deadLetterQueue, maxReceiveCount });
  }
  return lanes;
}
