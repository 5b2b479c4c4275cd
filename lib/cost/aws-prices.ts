/**
 * The AWS list prices jobline figures its costs at — `npm run bench:cost`'s "$ per million"
 * and the per-kind estimate operators see (`jobline kinds`, the dashboard): us-east-1,
 * on-demand, no free tier, no Savings Plan or reserved discount. Each price says where it was
 * read and the date that source shows; `verified: false` marks a price kept as recalled, to be
 * checked at the URL given.
 *
 * Prices change: when one does, change it here with its new source and date.
 */

/** One list price, with where and when it was read. */
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

/** The `source` of a price kept as recalled: where to check it. */
export const UNVERIFIED = (url: string): string => `not verified here; AWS list price as recalled, check ${url}`;

/** The prices of what a job uses: DynamoDB request units, SQS requests, Lambda, Scheduler, CloudWatch Logs and S3 GETs. */
export const AWS_PRICES = {
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
    note: 'jobline invokes Scheduler for a job delayed past its threshold (15 minutes by default: a one-time schedule) and for each cron firing',
  },
  cloudwatchLogsIngestion: {
    value: 0.50, unit: '$ per GB ingested (Standard log class)', verified: true,
    source: 'https://c3x.dev/blog/cloudwatch-logs-cost-optimization (official page: https://aws.amazon.com/cloudwatch/pricing/)',
    asOf: '"us-east-1, June 2026"',
  },
  s3GetRequest: {
    value: 0.40, unit: '$ per million GET requests (S3 Standard; $0.0004 per 1,000)', verified: false,
    source: UNVERIFIED('https://aws.amazon.com/s3/pricing/'),
    asOf: 'recalled',
  },
} as const satisfies Record<string, Price>;

/** The name of a price jobline's estimates use. */
export type AwsPriceName = keyof typeof AWS_PRICES;
