import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Dashboard, GraphWidget, Metric, SingleValueWidget, TextWidget, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, Billing, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { CfnSchedule, CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CONFIG_ENV, type JoblineConfig } from '../lib/config.js';
import { encodeCronMessage } from '../lib/cron-firing.js';
import { METRICS_NAMESPACE, QUEUE_NAME_ENV } from '../lib/metrics.js';
import { SWEEPER_ENV } from '../lib/sweeper/create-sweeper.js';
import { ConfigurationError } from '../lib/errors.js';
import { MAX_VISIBILITY_SECONDS, type AnyJobDefinition, type JobDefinition } from '../lib/job-definition.js';
import { DEFAULT_SHARD_COUNT, MAX_SHARD_COUNT } from '../lib/job-id.js';
import { STATE_INDEX, TABLE_KEYS, TTL_ATTRIBUTE, WATCH_INDEX } from '../lib/store/job-item.js';
import { packagedFunction, userFunction } from './node-function.js';

/** Default visibility timeout of a lane's queue, as a multiple of the worker's timeout (AWS's advice for SQS event sources). */
export const VISIBILITY_TIMEOUT_MULTIPLIER = 6;
/** Default receives a message may have beyond its kind's maxAttempts before SQS dead-letters it on its own. */
export const DEFAULT_EXTRA_RECEIVES = 5;

/** The Lambda function that runs jobs. */
export interface WorkerProps {
  /** Path of the worker's entry file: a module exporting `handler = createWorker({ jobs })`. */
  readonly entry: string;
  /** Lambda timeout; at least every kind's `timeoutSeconds`. @default the longest kind timeout + 10 s (at most 15 min) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** Messages per invocation. @default 10 */
  readonly batchSize?: number;
  /** How long the event source gathers a batch. @default none */
  readonly maxBatchingWindow?: Duration;
  /** Concurrent invocations per lane (2–1000). @default no limit */
  readonly maxConcurrency?: number;
  /** Extra environment variables for the worker. */
  readonly environment?: Record<string, string>;
}

/**
 * The enqueue HTTP API's function. Its entry is yours because it validates payloads with your
 * kinds' schemas; it is one line:
 *
 * @example export const handler = createEnqueueApi({ jobs: [sendEmail, importChunk] }); // from 'jobline/api'
 */
export interface EnqueueApiProps {
  /** Path of the API's entry file: a module exporting `handler = createEnqueueApi({ jobs })`. */
  readonly entry: string;
  /** Extra environment variables for the API function. */
  readonly environment?: Record<string, string>;
}

/** Properties of {@link JobQueue}. */
export interface JobQueueProps {
  /** Every job kind the stack runs. Their lanes become queues; their attempts set the redrive counts. */
  readonly jobs: readonly AnyJobDefinition[];
  /** The worker function. */
  readonly worker: WorkerProps;
  /** The enqueue HTTP API (`POST /jobs`, `GET /jobs/{id}`, `POST /jobs/{id}/cancel`, IAM-authenticated). @default none */
  readonly api?: EnqueueApiProps;
  /** Partition-key shards of the jobs table. @default 64 */
  readonly shardCount?: number;
  /** Visibility timeout of every lane's queue; at least 6× the worker's timeout. @default 6 × worker timeout */
  readonly visibilityTimeout?: Duration;
  /** Receives beyond a lane's largest maxAttempts before SQS dead-letters a message by itself. @default 5 */
  readonly extraReceives?: number;
  /** Delays up to this are held by SQS (DelaySeconds); longer ones by a one-time Scheduler schedule. At most 15 min. @default Duration.minutes(15) */
  readonly schedulerThreshold?: Duration;
  /** A job still queued or running this long after it was created is watched by the sweeper, and stuck once its lease expires. @default Duration.minutes(15) */
  readonly stuckAfter?: Duration;
  /** Alarm thresholds, and where alarms notify. */
  readonly alarms?: {
    /** Age of a lane's oldest message that raises its alarm. @default Duration.minutes(15) */
    readonly oldestJobAge?: Duration;
    /** Stuck jobs (running, lease expired) that raise the alarm. @default 1 */
    readonly stuckJobs?: number;
    /** Failed jobs of one kind within 5 minutes that raise its alarm. @default 5 */
    readonly failures?: number;
    /**
     * Percentage of one kind's finished jobs that failed, in 2 of 3 five-minute periods, that
     * raises its failure-rate alarm. @default 10
     */
    readonly failureRate?: number;
    /** An SNS topic every alarm (and its recovery) notifies. @default none */
    readonly topic?: ITopic;
  };
  /** What happens to the table and queues when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** A lane's queue and dead-letter queue. */
export interface Lane {
  readonly name: string;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  /** Receives after which SQS moves a message to the DLQ by itself (the poison-message backstop). */
  readonly maxReceiveCount: number;
}

/**
 * A complete job queue: per lane an SQS queue with a DLQ, the jobs table (sharded keys, a
 * sparse index of non-happy states, TTL), the worker Lambda on every lane with partial
 * batch responses, and optionally the IAM-authenticated enqueue HTTP API.
 */
export class JobQueue extends Construct {
  readonly table: TableV2;
  /** `ctx.once` markers and unique-key claims (TTL). */
  readonly idempotencyTable: TableV2;
  readonly lanes: ReadonlyMap<string, Lane>;
  readonly workerFunction: NodejsFunction;
  readonly apiFunction?: NodejsFunction;
  readonly httpApi?: HttpApi;
  /** The Scheduler group of one-time schedules (long delays, long retries). */
  readonly scheduleGroup: CfnScheduleGroup;
  /** The role Scheduler assumes to send to the lanes' queues. */
  readonly schedulerRole: iam.Role;
  /** One recurring schedule per `schedules` entry of each kind. */
  readonly cronSchedules: readonly CfnSchedule[];
  /** The sweeper Lambda (shipped prebuilt with jobline), run every minute. */
  readonly sweeperFunction: LambdaFunction;
  /** Alarms: per lane, the oldest job's age and a non-empty DLQ; per kind, failures and the failure rate; and stuck jobs. */
  readonly alarms: readonly Alarm[];
  /** The CloudWatch dashboard of this job queue. */
  readonly dashboard: Dashboard;
  /** The name of this job queue in its metrics' `JobQueue` dimension. */
  readonly queueName: string;
  /** The config the client needs, as JSON with deploy-time tokens: pass it as JOBLINE_CONFIG. */
  readonly clientConfig: string;
  /** The config operators' tools need (the client's, plus each lane's event source mapping, to pause it). */
  readonly operatorConfig: string;

  constructor(scope: Construct, id: string, props: JobQueueProps) {
    super(scope, id);
    const jobs: readonly JobDefinition[] = props.jobs;
    const longestKind = Math.max(1, ...jobs.map((j) => j.timeoutSeconds));
    const workerTimeout = props.worker.timeout ?? Duration.seconds(Math.min(900, longestKind + 10));
    const visibilityTimeout = props.visibilityTimeout ?? Duration.seconds(workerTimeout.toSeconds() * VISIBILITY_TIMEOUT_MULTIPLIER);
    const shardCount = props.shardCount ?? DEFAULT_SHARD_COUNT;
    const extraReceives = props.extraReceives ?? DEFAULT_EXTRA_RECEIVES;
    const schedulerThreshold = props.schedulerThreshold ?? Duration.minutes(15);
    validate(props, jobs, { workerTimeout, visibilityTimeout, shardCount, extraReceives, schedulerThreshold });
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.table = new TableV2(this, 'Jobs', {
      partitionKey: { name: TABLE_KEYS.partition, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sort, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      timeToLiveAttribute: TTL_ATTRIBUTE,
      globalSecondaryIndexes: [STATE_INDEX, WATCH_INDEX].map((index) => ({
        indexName: index.name,
        partitionKey: { name: index.partition, type: AttributeType.STRING },
        sortKey: { name: index.sort, type: AttributeType.STRING },
      })),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy,
    });

    this.idempotencyTable = new TableV2(this, 'Idempotency', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      billing: Billing.onDemand(),
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy,
    });

    const lanes = new Map<string, Lane>();
    for (const laneName of [...new Set(jobs.map((j) => j.lane))].sort()) {
      const maxAttempts = Math.max(...jobs.filter((j) => j.lane === laneName).map((j) => j.retry.maxAttempts));
      const maxReceiveCount = maxAttempts + extraReceives;
      const deadLetterQueue = new Queue(this, `${pascal(laneName)}DeadLetters`, {
        retentionPeriod: Duration.days(14),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        removalPolicy,
      });
      const queue = new Queue(this, `${pascal(laneName)}Queue`, {
        visibilityTimeout,
        retentionPeriod: Duration.days(14),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount },
        removalPolicy,
      });
      lanes.set(laneName, { name: laneName, queue, deadLetterQueue, maxReceiveCount });
    }
    this.lanes = lanes;

    this.scheduleGroup = new CfnScheduleGroup(this, 'Schedules', { name: `${Stack.of(this).stackName}-${this.node.addr.slice(0, 8)}`.slice(0, 64) });
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', { assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com') });
    for (const lane of lanes.values()) lane.queue.grantSendMessages(this.schedulerRole);
    this.cronSchedules = jobs.flatMap((job) => job.schedules.map((schedule) => new CfnSchedule(this, `Cron${pascal(job.kind)}${pascal(schedule.name)}`, {
      name: cronScheduleName(job.kind, schedule.name),
      groupName: this.scheduleGroup.ref,
      scheduleExpression: schedule.expression,
      scheduleExpressionTimezone: schedule.timezone ?? 'UTC',
      flexibleTimeWindow: { mode: 'OFF' },
      description: `jobline: enqueues ${job.kind} (${schedule.name})`,
      target: {
        arn: lanes.get(job.lane)!.queue.queueArn,
        roleArn: this.schedulerRole.roleArn,
        input: encodeCronMessage(job.kind, `${job.kind}/${schedule.name}`, JSON.stringify(schedule.payload)),
      },
    })));

    const config: JoblineConfig = {
      tableName: this.table.tableName,
      idempotencyTableName: this.idempotencyTable.tableName,
      shardCount,
      lanes: Object.fromEntries([...lanes].map(([name, lane]) => [name, { queueUrl: lane.queue.queueUrl, queueArn: lane.queue.queueArn, deadLetterQueueUrl: lane.deadLetterQueue.queueUrl }])),
      scheduler: { groupName: this.scheduleGroup.ref, roleArn: this.schedulerRole.roleArn, thresholdSeconds: schedulerThreshold.toSeconds() },
    };
    this.clientConfig = Stack.of(this).toJsonString(config);

    this.queueName = `${Stack.of(this).stackName}-${id}`;
    this.workerFunction = userFunction(this, 'Worker', { entry: props.worker.entry, timeout: workerTimeout, memorySize: props.worker.memorySize ?? 512, environment: this.functionEnvironment(props.worker.environment) });
    this.table.grantReadWriteData(this.workerFunction);
    this.idempotencyTable.grantReadWriteData(this.workerFunction);
    this.grantScheduling(this.workerFunction);
    const mappings: Record<string, string> = {};
    for (const lane of lanes.values()) {
      lane.deadLetterQueue.grantSendMessages(this.workerFunction);
      const source = new SqsEventSource(lane.queue, {
        batchSize: props.worker.batchSize ?? 10,
        maxBatchingWindow: props.worker.maxBatchingWindow,
        maxConcurrency: props.worker.maxConcurrency,
        reportBatchItemFailures: true,
      });
      this.workerFunction.addEventSource(source);
      mappings[lane.name] = source.eventSourceMappingId;
    }
    // The worker's own config cannot name its event sources (they depend on it); operators' tools get this one.
    this.operatorConfig = Stack.of(this).toJsonString({
      ...config,
      lanes: Object.fromEntries(Object.entries(config.lanes).map(([name, lane]) => [name, { ...lane, eventSourceMappingId: mappings[name] }])),
    });

    const stuckAfter = props.stuckAfter ?? Duration.minutes(15);
    this.sweeperFunction = packagedFunction(this, 'Sweeper', 'sweeper', {
      timeout: Duration.minutes(1),
      memorySize: 256,
      environment: this.functionEnvironment({ [SWEEPER_ENV]: JSON.stringify({ stuckAfterSeconds: stuckAfter.toSeconds() }) }),
    });
    this.table.grantReadWriteData(this.sweeperFunction);
    for (const lane of lanes.values()) lane.queue.grantSendMessages(this.sweeperFunction);
    this.grantScheduling(this.sweeperFunction);
    new Rule(this, 'SweepEveryMinute', { schedule: Schedule.rate(Duration.minutes(1)), targets: [new LambdaTarget(this.sweeperFunction)] });

    this.alarms = [
      ...[...lanes.values()].map((lane) => new Alarm(this, `${pascal(lane.name)}OldestJobAge`, {
        alarmDescription: `jobline: the oldest job waiting on lane "${lane.name}" is older than ${(props.alarms?.oldestJobAge ?? Duration.minutes(15)).toHumanString()}`,
        metric: this.metricOldestJobAge(lane.name),
        threshold: (props.alarms?.oldestJobAge ?? Duration.minutes(15)).toSeconds(),
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      })),
      ...[...lanes.values()].map((lane) => new Alarm(this, `${pascal(lane.name)}DeadLettersAlarm`, {
        alarmDescription: `jobline: the DLQ of lane "${lane.name}" is not empty: jobs failed (inspect with \`jobline dlq ls ${lane.name}\`)`,
        metric: this.metricDeadLetters(lane.name),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      })),
      ...jobs.map((job) => new Alarm(this, `${pascal(job.kind)}Failures`, {
        alarmDescription: `jobline: ${props.alarms?.failures ?? 5} or more "${job.kind}" jobs failed within 5 minutes`,
        metric: this.metricJobs('Failed', job.kind),
        threshold: props.alarms?.failures ?? 5,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      })),
      ...jobs.map((job) => new Alarm(this, `${pascal(job.kind)}FailureRate`, {
        alarmDescription: `jobline: more than ${props.alarms?.failureRate ?? 10} % of finished "${job.kind}" jobs failed, in 2 of the last 3 five-minute periods`,
        metric: this.metricFailureRate(job.kind),
        threshold: props.alarms?.failureRate ?? 10,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      })),
      new Alarm(this, 'StuckJobs', {
        alarmDescription: 'jobline: jobs are running with an expired lease (their worker died or hung) and no delivery has taken them over',
        metric: this.metricStuckJobs(),
        threshold: props.alarms?.stuckJobs ?? 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];
    const topic = props.alarms?.topic;
    if (topic) for (const alarm of this.alarms) {
      alarm.addAlarmAction(new SnsAction(topic));
      alarm.addOkAction(new SnsAction(topic));
    }
    this.dashboard = this.makeDashboard(jobs);

    if (props.api) {
      this.apiFunction = userFunction(this, 'EnqueueApi', { entry: props.api.entry, timeout: Duration.seconds(15), memorySize: 256, environment: this.functionEnvironment(props.api.environment) });
      this.grantEnqueue(this.apiFunction);
      this.httpApi = new HttpApi(this, 'HttpApi', { defaultAuthorizer: new HttpIamAuthorizer(), createDefaultStage: true });
      const integration = new HttpLambdaIntegration('EnqueueIntegration', this.apiFunction);
      this.httpApi.addRoutes({ path: '/jobs', methods: [HttpMethod.POST], integration });
      this.httpApi.addRoutes({ path: '/jobs/{id}', methods: [HttpMethod.GET], integration });
      this.httpApi.addRoutes({ path: '/jobs/{id}/cancel', methods: [HttpMethod.POST], integration });
      new CfnOutput(this, 'ApiId', { value: this.httpApi.apiId });
      new CfnOutput(this, 'ApiUrl', { value: this.httpApi.apiEndpoint });
    }
    new CfnOutput(this, 'Config', { value: this.operatorConfig, description: `${CONFIG_ENV} for clients and operators of this job queue` });
    new CfnOutput(this, 'WorkerFunctionName', { value: this.workerFunction.functionName, description: 'the worker Lambda (its logs: /aws/lambda/<name>)' });
    new CfnOutput(this, 'SweeperFunctionName', { value: this.sweeperFunction.functionName, description: 'the sweeper Lambda (invoke it for a sweep now)' });
  }

  /**
   * Lets `grantee` enqueue and cancel jobs and read their records: writes to the jobs table,
   * `sqs:SendMessage` on every lane and the one-time schedules of long delays. Grants
   * dynamodb:BatchWriteItem, PutItem, UpdateItem, GetItem, Query; sqs:SendMessage,
   * GetQueueAttributes, GetQueueUrl; and what {@link grantScheduling} grants. When `grantee`
   * is a Lambda function, it also gets the `JOBLINE_CONFIG` environment variable, so that
   * `new JobClient({ jobs })` there needs nothing else.
   */
  grantEnqueue(grantee: iam.IGrantable): iam.Grant {
    if (isFunction(grantee)) grantee.addEnvironment(CONFIG_ENV, this.clientConfig);
    const grant = this.table.grant(grantee, 'dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:Query');
    this.idempotencyTable.grant(grantee, 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:ConditionCheckItem');
    for (const lane of this.lanes.values()) lane.queue.grantSendMessages(grantee);
    this.grantScheduling(grantee);
    return grant;
  }

  /**
   * Lets `grantee` operate the queue as `JobInspector` and the `jobline` CLI do: read and
   * manage job records, read, move and delete DLQ messages, send to the lanes, pause and
   * resume the worker's event sources, and cancel schedules. Grants dynamodb read/write on the
   * jobs table; sqs:ReceiveMessage, DeleteMessage, ChangeMessageVisibility, GetQueueAttributes
   * on every queue and DLQ, sqs:SendMessage on the lanes; lambda:GetEventSourceMapping and
   * UpdateEventSourceMapping; and what {@link grantScheduling} grants.
   */
  grantOperate(grantee: iam.IGrantable): iam.Grant {
    const grant = this.table.grantReadWriteData(grantee);
    for (const lane of this.lanes.values()) {
      lane.queue.grantSendMessages(grantee);
      for (const queue of [lane.queue, lane.deadLetterQueue]) queue.grant(grantee, 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes');
    }
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping'],
      resourceArns: [Stack.of(this).formatArn({ service: 'lambda', resource: 'event-source-mapping', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    });
    // The lanes' oldest-message ages (GetMetricData takes no resource-level permissions).
    iam.Grant.addToPrincipal({ grantee, actions: ['cloudwatch:GetMetricData'], resourceArns: ['*'] });
    this.grantScheduling(grantee);
    return grant;
  }

  /**
   * Age of the oldest message on a lane's queue (SQS ApproximateAgeOfOldestMessage): how
   * long the oldest waiting job has waited. Statistic Maximum, period 1 minute, in seconds.
   */
  metricOldestJobAge(lane: string): Metric {
    const found = this.lanes.get(lane);
    if (!found) throw new ConfigurationError('metricOldestJobAge', [`no lane "${lane}"; lanes: ${[...this.lanes.keys()].join(', ')}`]);
    return found.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: Duration.minutes(1) });
  }

  /**
   * Jobs of `kind` by outcome, from the worker's EMF lines: `Processed`, `Succeeded`, `Retried`
   * or `Failed`. Statistic Sum, period 5 minutes.
   */
  metricJobs(name: 'Processed' | 'Succeeded' | 'Retried' | 'Failed', kind: string): Metric {
    return new Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { JobQueue: this.queueName, service: 'jobline-worker', Kind: kind }, statistic: 'Sum', period: Duration.minutes(5) });
  }

  /**
   * Percentage of `kind`'s finished jobs (succeeded or failed, not retried) that failed: the
   * Average of the worker's FailureRate values (100 per failed job, 0 per succeeded one), so no
   * metric math is needed. Period 5 minutes.
   */
  metricFailureRate(kind: string): Metric {
    return new Metric({ namespace: METRICS_NAMESPACE, metricName: 'FailureRate', dimensionsMap: { JobQueue: this.queueName, service: 'jobline-worker', Kind: kind }, statistic: 'Average', period: Duration.minutes(5) });
  }

  /** How long attempts of `kind` run, in ms. Statistic p99 (pass another), period 5 minutes. */
  metricDuration(kind: string, statistic = 'p99'): Metric {
    return new Metric({ namespace: METRICS_NAMESPACE, metricName: 'Duration', dimensionsMap: { JobQueue: this.queueName, service: 'jobline-worker', Kind: kind }, statistic, period: Duration.minutes(5) });
  }

  /** Messages in a lane's DLQ (visible). Statistic Maximum, period 1 minute. */
  metricDeadLetters(lane: string): Metric {
    const found = this.lanes.get(lane);
    if (!found) throw new ConfigurationError('metricDeadLetters', [`no lane "${lane}"; lanes: ${[...this.lanes.keys()].join(', ')}`]);
    return found.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1) });
  }

  private makeDashboard(jobs: readonly JobDefinition[]): Dashboard {
    const dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `${this.queueName}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 255) });
    dashboard.addWidgets(new TextWidget({ markdown: `# jobline: ${this.queueName}\nInspect jobs with the \`jobline\` CLI or the web dashboard.`, width: 24, height: 2 }));
    dashboard.addWidgets(
      ...[...this.lanes.keys()].map((lane) => new GraphWidget({
        title: `lane ${lane}: oldest job age (s) and dead letters`,
        left: [this.metricOldestJobAge(lane)],
        right: [this.metricDeadLetters(lane)],
        width: 12,
      })),
      new SingleValueWidget({ title: 'stuck jobs', metrics: [this.metricStuckJobs()], width: 6 }),
    );
    dashboard.addWidgets(...jobs.map((job) => new GraphWidget({
      title: `${job.kind}: processed, failed, retried; failure rate (%)`,
      left: [this.metricJobs('Processed', job.kind), this.metricJobs('Failed', job.kind), this.metricJobs('Retried', job.kind)],
      right: [this.metricFailureRate(job.kind)],
      width: 12,
    })));
    return dashboard;
  }

  /** Stuck jobs as the sweeper last counted them (running, lease expired). Statistic Maximum, period 1 minute. */
  metricStuckJobs(): Metric {
    return new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: 'StuckJobs',
      dimensionsMap: { JobQueue: this.queueName, service: 'jobline-sweeper' },
      statistic: 'Maximum',
      period: Duration.minutes(1),
    });
  }

  /**
   * Lets `grantee` create and delete the one-time schedules of long delays and cancellations:
   * scheduler:CreateSchedule, scheduler:DeleteSchedule, scheduler:GetSchedule on this group's
   * schedules, and iam:PassRole on the scheduler role.
   */
  grantScheduling(grantee: iam.IGrantable): iam.Grant {
    const schedules = Stack.of(this).formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${this.scheduleGroup.ref}/*` });
    this.schedulerRole.grantPassRole(grantee.grantPrincipal);
    return iam.Grant.addToPrincipal({ grantee, actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule'], resourceArns: [schedules] });
  }

  /** The environment of this queue's functions: its config and name, then `extra`. */
  private functionEnvironment(extra: Record<string, string> = {}): Record<string, string> {
    return { [CONFIG_ENV]: this.clientConfig, [QUEUE_NAME_ENV]: this.queueName, ...extra };
  }

}

function validate(props: JobQueueProps, jobs: readonly JobDefinition[], resolved: { workerTimeout: Duration; visibilityTimeout: Duration; shardCount: number; extraReceives: number; schedulerThreshold: Duration }): void {
  const { workerTimeout, visibilityTimeout, shardCount, extraReceives, schedulerThreshold } = resolved;
  const workerSeconds = workerTimeout.toSeconds();
  const longest = jobs.reduce<JobDefinition | undefined>((a, j) => (!a || j.timeoutSeconds > a.timeoutSeconds ? j : a), undefined);
  const kinds = jobs.map((j) => j.kind);
  const duplicate = kinds.find((k, i) => kinds.indexOf(k) !== i);
  const rules: Array<[boolean, string]> = [
    [jobs.length === 0, 'jobs must list at least one job definition'],
    [duplicate !== undefined, `kind "${duplicate}" is listed more than once`],
    [workerSeconds > 900, `worker.timeout must be at most 900 s (Lambda's limit), got ${workerSeconds} s`],
    [longest !== undefined && workerSeconds < longest.timeoutSeconds,
      `worker.timeout (${workerSeconds} s) must be at least every kind's timeoutSeconds; "${longest?.kind}" has ${longest?.timeoutSeconds} s`],
    [visibilityTimeout.toSeconds() < VISIBILITY_TIMEOUT_MULTIPLIER * workerSeconds,
      `visibilityTimeout (${visibilityTimeout.toSeconds()} s) must be at least ${VISIBILITY_TIMEOUT_MULTIPLIER} × worker.timeout (${VISIBILITY_TIMEOUT_MULTIPLIER * workerSeconds} s)`],
    [visibilityTimeout.toSeconds() > MAX_VISIBILITY_SECONDS, `visibilityTimeout must be at most ${MAX_VISIBILITY_SECONDS} s (12 h), got ${visibilityTimeout.toSeconds()} s`],
    [!Number.isInteger(shardCount) || shardCount < 1 || shardCount > MAX_SHARD_COUNT, `shardCount must be an integer from 1 to ${MAX_SHARD_COUNT}, got ${shardCount}`],
    [!Number.isInteger(extraReceives) || extraReceives < 1 || extraReceives > 100, `extraReceives must be an integer from 1 to 100, got ${extraReceives}`],
    ...jobs.flatMap((job) => job.schedules.map((schedule): [boolean, string] => [cronScheduleName(job.kind, schedule.name).length > 64,
      `schedule name "${cronScheduleName(job.kind, schedule.name)}" (kind + name) must be at most 64 characters`])),
    [schedulerThreshold.toSeconds() > 900, `schedulerThreshold must be at most 15 minutes (SQS's longest delay), got ${schedulerThreshold.toSeconds()} s`],
    [props.worker.batchSize !== undefined && (!Number.isInteger(props.worker.batchSize) || props.worker.batchSize < 1 || props.worker.batchSize > 10_000),
      `worker.batchSize must be an integer from 1 to 10000, got ${props.worker.batchSize}`],
    [props.worker.maxConcurrency !== undefined && (!Number.isInteger(props.worker.maxConcurrency) || props.worker.maxConcurrency < 2 || props.worker.maxConcurrency > 1000),
      `worker.maxConcurrency must be an integer from 2 to 1000, got ${props.worker.maxConcurrency}`],
  ];
  const problems = rules.filter(([broken]) => broken).map(([, message]) => message);
  if (problems.length > 0) throw new ConfigurationError('JobQueue props are invalid', problems);
}

/** A Lambda function (not an imported one, which has no environment to set). */
function isFunction(grantee: iam.IGrantable): grantee is LambdaFunction {
  return typeof (grantee as Partial<LambdaFunction>).addEnvironment === 'function';
}

/** The Scheduler name of a kind's recurring schedule. */
export function cronScheduleName(kind: string, name: string): string {
  return `cron.${kind}.${name}`;
}

function pascal(name: string): string {
  return name.split(/[^a-zA-Z0-9]+/).filter(Boolean).map((p) => p[0]!.toUpperCase() + p.slice(1)).join('');
}
