/**
 * AWS list prices the break-even section (bench/break-even.ts) works from: us-east-1,
 * on-demand, no free tier, no Savings Plan or reserved discount. Each price says where it was
 * read and the date that source shows; `verified: false` marks a price this table could not
 * show from a dated source, kept as recalled and to be checked at the URL given.
 *
 * Prices change: when one does, change it here with its new source and date.
 */

export interface Price {
  /** In dollars, per `unit`. */
  readonly value: number;
  readonly unit: string;
  /** Where the price was read (or, unverified, where to check it). */
  readonly source: string;
  /** The date the source shows for it (published, updated or "as of"), as it shows it. */
  readonly asOf: string;
  /** Whether the value was seen in the source named, rather than recalled. */
  readonly verified: boolean;
  readonly note?: string;
}

const UNVERIFIED = (url: string) => `not verified here; AWS list price as recalled, check ${url}`;

export const PRICES = {
  dynamodbWriteRequestUnit: {
    value: 0.625, unit: '$ per million write request units (on-demand, Standard table class)', verified: true,
    source: 'https://airbyte.com/data-engineering-resources/dynamodb-pricing (official page: https://aws.amazon.com/dynamodb/pricing/on-demand/)',
    asOf: '2025-07-21 (article date); the price since AWS halved on-demand throughput prices effective 2024-11-01 (https://www.jusdb.com/blog/dynamodb-cost-optimization-a-comprehensive-guide-by-jusdb, 2025-08-19)',
  },
  dynamodbReadRequestUnit: {
    value: 0.125, unit: '$ per million read request units (on-demand, Standard table class)', verified: true,
    source: 'https://airbyte.com/data-engineering-resources/dynamodb-pricing (official page: https://aws.amazon.com/dynamodb/pricing/on-demand/)',
    asOf: '2025-07-21 (article date); after the 2024-11-01 cut',
  },
  dynamodbStorage: {
    value: 0.25, unit: '$ per GB-month (Standard table class; first 25 GB free, not counted here)', verified: true,
    source: 'https://aws.amazon.com/dynamodb/pricing/ ("prices start from $0.25 per GB-month")',
    asOf: 'undated (stored copy of the AWS page)',
  },
  sqsStandardRequest: {
    value: 0.40, unit: '$ per million requests (standard queue, first 100 billion a month; each 64 KB chunk is a request)', verified: true,
    source: 'https://cloudburn.io/blog/amazon-sqs-pricing (official page: https://aws.amazon.com/sqs/pricing/)',
    asOf: '2026-03-14 ("all prices ... as of March 2026")',
  },
  lambdaRequest: {
    value: 0.20, unit: '$ per million invocations (x86 and arm64)', verified: true,
    source: 'https://wring.co/blog/aws-lambda-pricing-guide (official page: https://aws.amazon.com/lambda/pricing/)',
    asOf: '2026-03-08',
  },
  lambdaGbSecondArm: {
    value: 0.0000133334, unit: '$ per GB-second (arm64, first 7.5 billion GB-s a month)', verified: true,
    source: 'https://wring.co/blog/aws-lambda-pricing-guide; tiers: https://cloudchipr.com/blog/aws-lambda-pricing (official page: https://aws.amazon.com/lambda/pricing/)',
    asOf: '2026-03-08',
  },
  lambdaGbSecondX86: {
    value: 0.0000166667, unit: '$ per GB-second (x86_64, first 6 billion GB-s a month)', verified: true,
    source: 'https://wring.co/blog/aws-lambda-pricing-guide (official page: https://aws.amazon.com/lambda/pricing/)',
    asOf: '2026-03-08',
  },
  schedulerInvocation: {
    value: 1.00, unit: '$ per million EventBridge Scheduler invocations (after 14 million free a month)', verified: true,
    source: 'https://cloudburn.io/blog/amazon-eventbridge-pricing (official page: https://aws.amazon.com/eventbridge/pricing/)',
    asOf: '2026-03-13 ("as of March 2026")',
    note: 'jobline uses a one-time schedule only for delays beyond 15 minutes; none of the rows below schedules',
  },
  cloudwatchLogsIngestion: {
    value: 0.50, unit: '$ per GB ingested (Standard log class)', verified: true,
    source: 'https://c3x.dev/blog/cloudwatch-logs-cost-optimization (official page: https://aws.amazon.com/cloudwatch/pricing/)',
    asOf: '"us-east-1, June 2026"',
  },
  fargateArmVcpuHour: {
    value: 0.03238, unit: '$ per vCPU-hour (Fargate, Linux/ARM, ECS)', verified: true,
    source: 'https://www.vantage.sh/blog/fargate-pricing; https://awsnegotiations.com/fargate-pricing-optimization.html ("as of 2026": ~$0.03238) (official page: https://aws.amazon.com/fargate/pricing/)',
    asOf: '2026 (awsnegotiations.com, "The 2026 Buyer-Side Guide"; x86 rates cross-checked at https://www.factualminds.com/blog/amazon-fargate-ecs-task-pricing-2026/, 2026-06-17)',
  },
  fargateArmGbHour: {
    value: 0.00356, unit: '$ per GB-hour of memory (Fargate, Linux/ARM, ECS)', verified: true,
    source: 'https://www.vantage.sh/blog/fargate-pricing ($0.00356); https://awsnegotiations.com/fargate-pricing-optimization.html (~$0.003556)',
    asOf: '2026 (awsnegotiations.com)',
  },
  ec2M7gLarge: {
    value: 0.0816, unit: '$ per hour (EC2 m7g.large, Linux, 2 vCPU, 8 GiB)', verified: true,
    source: 'https://www.factualminds.com/blog/amazon-ec2-on-demand-pricing-instance-families-2026/ (official page: https://aws.amazon.com/ec2/pricing/on-demand/)',
    asOf: '2026-06-17',
    note: 'a cross-check on the Fargate worker price, not used in the rows',
  },
  elasticacheValkeyT4gSmall: {
    value: 0.0256, unit: '$ per node-hour (ElastiCache for Valkey, cache.t4g.small, 2 vCPU burstable, 1.37 GiB)', verified: false,
    source: UNVERIFIED('https://aws.amazon.com/elasticache/pricing/'),
    asOf: 'recalled: Redis OSS $0.032/h, Valkey node-based 20 % lower (since October 2024)',
  },
  elasticacheValkeyM7gLarge: {
    value: 0.1264, unit: '$ per node-hour (ElastiCache for Valkey, cache.m7g.large, 2 vCPU, 6.38 GiB)', verified: false,
    source: UNVERIFIED('https://aws.amazon.com/elasticache/pricing/'),
    asOf: 'recalled: Redis OSS $0.158/h, Valkey node-based 20 % lower',
  },
  rdsPostgresT4gSmall: {
    value: 0.032, unit: '$ per instance-hour (RDS for PostgreSQL, db.t4g.small, Single-AZ; Multi-AZ is twice this)', verified: true,
    source: 'https://infratally.com/articles/aws-rds-pricing-explained-2026.html (Single-AZ $0.032/h, Multi-AZ $0.064/h) (official page: https://aws.amazon.com/rds/postgresql/pricing/)',
    asOf: '2026 (article title; no day shown)',
  },
  rdsPostgresM7gLarge: {
    value: 0.168, unit: '$ per instance-hour (RDS for PostgreSQL, db.m7g.large, Single-AZ; larger m7g sizes scale linearly)', verified: false,
    source: UNVERIFIED('https://aws.amazon.com/rds/postgresql/pricing/'),
    asOf: 'recalled',
  },
  s3GetRequest: {
    value: 0.40, unit: '$ per million GET requests (S3 Standard; $0.0004 per 1,000)', verified: false,
    source: UNVERIFIED('https://aws.amazon.com/s3/pricing/'),
    asOf: 'recalled',
  },
  rdsGp3Storage: {
    value: 0.115, unit: '$ per GB-month (RDS gp3; 3,000 IOPS included; Multi-AZ bills it twice)', verified: true,
    source: 'https://www.usage.ai/blogs/aws/reserved-instances/rds/pricing-calculator/ (official page: https://aws.amazon.com/rds/postgresql/pricing/)',
    asOf: '"US East (N. Virginia), June 2026"',
  },
} as const satisfies Record<string, Price>;

export type PriceName = keyof typeof PRICES;
