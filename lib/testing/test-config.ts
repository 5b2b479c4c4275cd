import type { JoblineConfig } from '../config.js';

/** A config for unit tests: made-up queue URLs and ARNs for each lane, a 4-shard table. */
export function testConfig(lanes: readonly string[] = ['default'], overrides: Partial<JoblineConfig> = {}): JoblineConfig {
  return {
    tableName: 'jobs',
    idempotencyTableName: 'jobs-idempotency',
    shardCount: 4,
    lanes: Object.fromEntries(lanes.map((lane) => [lane, {
      queueUrl: `https://sqs.us-east-1.amazonaws.com/000000000000/jobs-${lane}`,
      queueArn: `arn:aws:sqs:us-east-1:000000000000:jobs-${lane}`,
      deadLetterQueueUrl: `https://sqs.us-east-1.amazonaws.com/000000000000/jobs-${lane}-dlq`,
    }])),
    scheduler: { groupName: 'jobs', roleArn: 'arn:aws:iam::000000000000:role/jobs-scheduler', thresholdSeconds: 900 },
    ...overrides,
  };
}
