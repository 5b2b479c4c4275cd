import { AWS_PRICES } from './aws-prices.js';

/**
 * What one job uses of each billed thing on a path it takes: the columns `npm run bench:cost`
 * measures (per job, or per row of the import).
 */
export interface PathUnits {
  /** DynamoDB write request units, index writes included. */
  readonly w: number;
  /** DynamoDB read request units. */
  readonly r: number;
  /** SQS requests (Lambda's receives and deletes included). */
  readonly sqs: number;
  /** Lambda invocations (a batch's invocation shared among its jobs). */
  readonly lambda: number;
  /** EventBridge Scheduler invocations. */
  readonly scheduler: number;
  /** S3 GET requests. */
  readonly s3Gets: number;
  /** Bytes the worker logs (its log lines and EMF metric lines), which CloudWatch Logs ingests. */
  readonly logBytes: number;
}

/** A path that uses nothing. */
export const NO_UNITS: PathUnits = { w: 0, r: 0, sqs: 0, lambda: 0, scheduler: 0, s3Gets: 0, logBytes: 0 };

const FIELDS = Object.keys(NO_UNITS) as Array<keyof PathUnits>;

/** `a + factor × b`, field by field. */
export function addUnits(a: PathUnits, b: PathUnits, factor = 1): PathUnits {
  return Object.fromEntries(FIELDS.map((field) => [field, a[field] + factor * b[field]])) as unknown as PathUnits;
}

/**
 * What a million jobs that each use `units` cost, in dollars, at {@link AWS_PRICES}: DynamoDB
 * request units, SQS requests, Lambda invocations, Scheduler invocations, S3 GETs and the log
 * bytes CloudWatch Logs ingests. Lambda compute (GB-seconds) is not in it: it depends on what
 * the handlers do, not on the path.
 */
export function dollarsPerMillion(units: PathUnits): number {
  return AWS_PRICES.dynamodbWriteRequestUnit.value * units.w
    + AWS_PRICES.dynamodbReadRequestUnit.value * units.r
    + AWS_PRICES.sqsStandardRequest.value * units.sqs
    + AWS_PRICES.lambdaRequest.value * units.lambda
    + AWS_PRICES.schedulerInvocation.value * units.scheduler
    + AWS_PRICES.s3GetRequest.value * units.s3Gets
    // A million jobs log units.logBytes × 10⁶ bytes: that many GB ÷ 10⁹.
    + AWS_PRICES.cloudwatchLogsIngestion.value * (units.logBytes / 1000);
}
