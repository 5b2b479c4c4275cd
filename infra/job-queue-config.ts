import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Role } from 'aws-cdk-lib/aws-iam';
import type { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { CostConfig, JoblineConfig } from '../lib/config.js';
import type { JobQueueSettings, Lane } from './job-queue-props.js';

/** What a queue's config names: its tables, lanes and scheduling, as the construct made them. */
export interface ConfigParts {
  readonly table: TableV2;
  readonly idempotencyTable: TableV2;
  readonly lanes: ReadonlyMap<string, Lane>;
  readonly scheduleGroup: CfnScheduleGroup;
  readonly schedulerRole: Role;
  readonly resultsBucket: Bucket;
}

/** The client's config (the functions' `JOBLINE_CONFIG`): the tables, shards, lanes, scheduler and results bucket. */
export function clientConfigOf(settings: JobQueueSettings, parts: ConfigParts): JoblineConfig {
  // Operators' tools show these fields as [redacted] without importing the kinds.
  const redacted = settings.jobs.filter((job) => job.redact?.length);
  // …and say which kinds they cannot show in full.
  const untracked = settings.jobs.filter((job) => job.tracking !== 'full');
  return {
    tableName: parts.table.tableName,
    idempotencyTableName: parts.idempotencyTable.tableName,
    shardCount: settings.shardCount,
    lanes: Object.fromEntries([...parts.lanes].map(([name, lane]) => [name, { queueUrl: lane.queue.queueUrl, queueArn: lane.queue.queueArn, deadLetterQueueUrl: lane.deadLetterQueue.queueUrl }])),
    scheduler: { groupName: parts.scheduleGroup.ref, roleArn: parts.schedulerRole.roleArn, thresholdSeconds: settings.schedulerThreshold.toSeconds() },
    resultsBucket: parts.resultsBucket.bucketName,
    ...(redacted.length > 0 ? { redact: Object.fromEntries(redacted.map((job) => [job.kind, [...job.redact!]])) } : {}),
    ...(untracked.length > 0 ? { tracking: Object.fromEntries(untracked.map((job) => [job.kind, job.tracking])) } : {}),
  };
}

/**
 * The operators' config: the client's, plus each lane's event source mapping (the worker's own
 * config cannot name its event sources: they depend on it) and, for the stack output, the kinds'
 * names and what pricing them needs — not for a function's `JOBLINE_CONFIG`, as Lambda holds 4 KB
 * of environment a function.
 */
export function operatorConfigOf(config: JoblineConfig, eventSourceMappings: Readonly<Record<string, string>>, output?: { readonly kinds: readonly string[]; readonly cost: CostConfig }): JoblineConfig {
  return {
    ...config,
    lanes: Object.fromEntries(Object.entries(config.lanes).map(([name, lane]) => [name, { ...lane, eventSourceMappingId: eventSourceMappings[name] }])),
    ...(output ? { kinds: [...output.kinds].sort(), cost: output.cost } : {}),
  };
}
