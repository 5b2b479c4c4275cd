/**
 * AWS list prices the benchmarks work from: the ones a job uses, from the package's one table
 * (lib/cost/aws-prices.ts, which `jobline kinds` prices with too), and the ones only the
 * break-even section (bench/break-even.ts) compares with: storage, Fargate, EC2, ElastiCache,
 * RDS. us-east-1, on-demand, no free tier, no Savings Plan or reserved discount. Each price
 * says where it was read and the date that source shows; `verified: false` marks a price this
 * table could not show from a dated source, kept as recalled and to be checked at the URL given.
 *
 * Prices change: when one does, change it here (or in lib/cost/aws-prices.ts) with its new source and date.
 */
import { AWS_PRICES, UNVERIFIED, type Price } from '../lib/cost/aws-prices.js';

export type { Price };

export const PRICES = {
  ...AWS_PRICES,
  dynamodbStorage: {
    value: 0.25, unit: '$ per GB-month (Standard table class; first 25 GB free, not counted here)', verified: true,
    source: 'https://aws.amazon.com/dynamodb/pricing/ ("prices start from $0.25 per GB-month")',
    asOf: 'undated (stored copy of the AWS page)',
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
  rdsGp3Storage: {
    value: 0.115, unit: '$ per GB-month (RDS gp3; 3,000 IOPS included; Multi-AZ bills it twice)', verified: true,
    source: 'https://www.usage.ai/blogs/aws/reserved-instances/rds/pricing-calculator/ (official page: https://aws.amazon.com/rds/postgresql/pricing/)',
    asOf: '"US East (N. Virginia), June 2026"',
  },
} as const satisfies Record<string, Price>;

export type PriceName = keyof typeof PRICES;
