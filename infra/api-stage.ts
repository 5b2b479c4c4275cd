import type { RemovalPolicy } from 'aws-cdk-lib';
import type { CfnStage, HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';

/** What each access-log line holds (API Gateway's $context variables), one JSON object per request. */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  caller: '$context.identity.userArn',
  time: '$context.requestTime',
  method: '$context.httpMethod',
  route: '$context.routeKey',
  status: '$context.status',
  bytes: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  authorizerError: '$context.authorizer.error',
  integrationError: '$context.integrationErrorMessage',
});

/** Logs every request to the API's default stage in a log group of its own, kept a month. */
export function logAccess(api: HttpApi, removalPolicy: RemovalPolicy): LogGroup {
  const logGroup = new LogGroup(api, 'AccessLogs', { retention: RetentionDays.ONE_MONTH, removalPolicy });
  const stage = api.defaultStage!.node.defaultChild as CfnStage;
  stage.accessLogSettings = { destinationArn: logGroup.logGroupArn, format: ACCESS_LOG_FORMAT };
  return logGroup;
}

/** How many requests a second an HTTP API's stage accepts before it answers 429 (API Gateway's token bucket). */
export interface ApiThrottle {
  /** Steady requests per second. */
  readonly rateLimit: number;
  /** Requests at once above the steady rate. */
  readonly burstLimit: number;
}

/**
 * Throttles every route of the API's default stage: what one caller — or a leaked token, or a
 * page left open in many tabs — can cost is bounded by the stage, not by the account's limit.
 */
export function throttleStage(api: HttpApi, throttle: ApiThrottle): void {
  if (!(throttle.rateLimit > 0 && Number.isInteger(throttle.burstLimit) && throttle.burstLimit > 0)) {
    throw new Error(`throttle needs a positive rateLimit and a positive whole burstLimit, got ${JSON.stringify(throttle)}`);
  }
  const stage = api.defaultStage!.node.defaultChild as CfnStage;
  stage.defaultRouteSettings = { throttlingRateLimit: throttle.rateLimit, throttlingBurstLimit: throttle.burstLimit };
}
