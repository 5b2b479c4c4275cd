import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { RESULTS_PREFIX } from '../lib/results/result-store.js';
import { acknowledge } from './acknowledge.js';
import type { JobQueueSettings } from './job-queue-props.js';

/**
 * The bucket of results too large for their records (a kind's `maxInlineResultBytes`): under
 * `results/`, one object per successful attempt, deleted a day after the longest retention of
 * succeeded jobs among the queue's kinds (the records that point at them are gone by then). An
 * empty bucket costs nothing.
 */
export function createResultsBucket(scope: Construct, { jobs, removalPolicy, encryptionKey }: JobQueueSettings): Bucket {
  const longest = Math.max(...jobs.map((job) => job.retention.succeededSeconds));
  const bucket = new Bucket(scope, 'Results', {
    encryption: encryptionKey ? BucketEncryption.KMS : BucketEncryption.S3_MANAGED,
    encryptionKey,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    removalPolicy,
    lifecycleRules: [{ prefix: RESULTS_PREFIX, expiration: Duration.days(Math.ceil(longest / 86_400) + 1) }],
  });
  acknowledge(bucket, 'S1', 'job results only, each read through the job\'s record by the queue\'s own clients; an account that needs access records turns on CloudTrail data events');
  return bucket;
}

/**
 * Lets `grantee` write results (the worker: s3:PutObject) or read them (clients, the API and
 * operators: s3:GetObject) under the bucket's `results/` prefix, and nothing else in it.
 */
export function grantResults(grantee: iam.IGrantable, bucket: Bucket, access: 'read' | 'write'): iam.Grant {
  if (access === 'write') bucket.encryptionKey?.grantEncrypt(grantee);
  else bucket.encryptionKey?.grantDecrypt(grantee);
  if (Construct.isConstruct(grantee)) {
    const id = Stack.of(bucket).getLogicalId(bucket.node.defaultChild as CfnBucket);
    acknowledge(grantee, `IAM5[Resource::<${id}.Arn>/${RESULTS_PREFIX}*]`, 'each result\'s object is named by its job and attempt: the grant covers the results prefix of this queue\'s own bucket, no other');
  }
  return iam.Grant.addToPrincipal({ grantee, actions: [access === 'write' ? 's3:PutObject' : 's3:GetObject'], resourceArns: [bucket.arnForObjects(`${RESULTS_PREFIX}*`)] });
}
