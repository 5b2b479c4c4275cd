import { Annotations, Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import type { Alarm, Dashboard, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DynamoEventSource, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { FilterCriteria, FilterRule, StartingPosition, type Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { CfnSchedule, CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CONFIG_ENV } from '../lib/config.js';
import { QUEUE_NAME_ENV, WORKER_METRICS, type JobCountMetricName } from '../lib/metrics.js';
import { QUEUE_OUTPUTS } from '../lib/stack-outputs.js';
import { stableOutput, stableOutputKey } from './stable-output.js';
import { clientConfigOf, operatorConfigOf } from './job-queue-config.js';
import { costProfileOf } from '../lib/cost/kind-profile.js';
import { createResultsBucket, grantResults } from './job-queue-results.js';
import { SWEEPER_ENV } from '../lib/sweeper/create-sweeper.js';
import { grantTable, ITEM_ACTIONS, OPERATOR_ITEM_ACTIONS, WORKER_ITEM_ACTIONS } from './job-queue-grants.js';
import { acknowledge } from './acknowledge.js';
import { logAccess, throttleStage } from './api-stage.js';
import { DISPATCH_ATTRIBUTE, STATE_INDEX, TABLE_KEYS, TTL_ATTRIBUTE, WATCH_INDEX } from '../lib/store/dynamo/job-item.js';
import { createAlarms } from './job-queue-alarms.js';
import { createDashboard } from './job-queue-dashboard.js';
import { createLanes } from './job-queue-lanes.js';
import { deadLettersMetric, oldestJobAgeMetric, stuckJobsMetric, workerMetric, type JobQueueMetrics } from './job-queue-metrics.js';
import {
  API_MEMORY_MB,
  API_TIMEOUT,
  DISPATCHER_BATCH_SIZE,
  DISPATCHER_MEMORY_MB,
  DISPATCHER_RETRY_ATTEMPTS,
  DISPATCHER_TIMEOUT,
  resolveSettings,
  SWEEPER_MEMORY_MB,
  SWEEPER_TIMEOUT,
  type EnqueueApiProps,
  DEFAULT_ENQUEUE_API_THROTTLE,
  type JobQueueProps,
  type JobQueueSettings,
  type Lane,
  type WorkerProps,
} from './job-queue-props.js';
import { createCronSchedules, createScheduling } from './job-queue-schedules.js';
import { validateJobQueueProps, visibilityTimeoutAdvice } from './job-queue-validation.js';
import { packagedFunction, userFunction } from './node-function.js';

/**
 * A complete job queue: per lane an SQS queue with a DLQ, the jobs table (sharded keys, a
 * sparse index of non-happy states, TTL), the worker Lambda on every lane with partial
 * batch responses, and optionally the IAM-authenticated enqueue HTTP API.
 */
export class JobQueue extends Construct implements JobQueueMetrics {
  readonly table: TableV2;
  /** `ctx.once` markers and unique-key claims (TTL). */
  readonly idempotencyTable: TableV2;
  /** Results too large for their records (`maxInlineResultBytes`), under `results/`. */
  readonly resultsBucket: Bucket;
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
  /**
   * The dispatcher Lambda (shipped prebuilt with jobline): the jobs table's stream hands it the
   * jobs written in callers' own transactions (`JobClient.transactionItems`), whose messages it sends.
   */
  readonly dispatcherFunction: LambdaFunction;
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
  /** The key of the stack output holding the operators' config with the kinds' names and cost profiles (`JoblineConfig<id>`). */
  readonly configOutputKey: string;
  /** The operators' config with the kinds' names: the stack output's value (the CLI and loadConfig read it). */
  private readonly outputConfig: string;
  /** True when a kind is debounced: enqueuers then also update its keys in the idempotency table. */
  private readonly debounced: boolean;
  /** The worker's event source mappings (operators pause and resume them). */
  private readonly eventSourceMappingArns: string[] = [];

  constructor(scope: Construct, id: string, props: JobQueueProps) {
    super(scope, id);
    const settings = resolveSettings(props);
    validateJobQueueProps(props, settings, Stack.of(this));
    const advice = visibilityTimeoutAdvice(settings);
    if (advice) Annotations.of(this).addWarningV2('jobline:visibility-timeout-below-advice', advice);
    const { jobs } = settings;
    this.debounced = jobs.some((job) => job.debounce !== undefined);

    this.table = this.createJobsTable(settings);
    this.idempotencyTable = this.createIdempotencyTable(settings);
    this.resultsBucket = createResultsBucket(this, settings);
    this.lanes = createLanes(this, jobs, settings);
    const scheduling = createScheduling(this, this.lanes);
    this.scheduleGroup = scheduling.group;
    this.schedulerRole = scheduling.role;
    this.cronSchedules = createCronSchedules(this, jobs, this.lanes, scheduling);

    const config = clientConfigOf(settings, { table: this.table, idempotencyTable: this.idempotencyTable, lanes: this.lanes, scheduleGroup: this.scheduleGroup, schedulerRole: this.schedulerRole, resultsBucket: this.resultsBucket });
    this.clientConfig = Stack.of(this).toJsonString(config);
    this.queueName = `${Stack.of(this).stackName}-${id}`;
    this.configOutputKey = stableOutputKey(this, QUEUE_OUTPUTS.config);

    const worker = this.createWorker(props.worker, settings);
    this.workerFunction = worker.function;
    this.operatorConfig = Stack.of(this).toJsonString(operatorConfigOf(config, worker.eventSourceMappings));
    this.outputConfig = Stack.of(this).toJsonString(operatorConfigOf(config, worker.eventSourceMappings, {
      kinds: jobs.map((job) => job.kind),
      cost: { queueName: this.queueName, workerLogGroup: worker.function.logGroup.logGroupName, workerMemoryMb: settings.workerMemorySize, kinds: Object.fromEntries(jobs.map((job) => [job.kind, costProfileOf(job)])) },
    }));
    this.sweeperFunction = this.createSweeper(settings);
    this.dispatcherFunction = this.createDispatcher(settings, props.dispatcher?.environment);

    const lanes = [...this.lanes.keys()];
    this.alarms = createAlarms(this, { lanes, jobs, metrics: this }, settings.alarms);
    this.dashboard = createDashboard(this, { queueName: this.queueName, lanes, jobs, metrics: this });

    if (props.api) {
      const api = this.createApi(props.api, settings.removalPolicy);
      this.apiFunction = api.function;
      this.httpApi = api.httpApi;
    }
    this.addOutputs();
  }

  /**
   * Lets `grantee` enqueue and cancel jobs and read their records: writes to the jobs table,
   * `sqs:SendMessage` on every lane and the one-time schedules of long delays. Grants
   * dynamodb:BatchWriteItem, PutItem, UpdateItem, GetItem on the jobs table; PutItem,
   * GetItem, ConditionCheckItem on the idempotency table (and UpdateItem, DeleteItem when a
   * kind is debounced); sqs:SendMessage,
   * GetQueueAttributes, GetQueueUrl; s3:GetObject on the results bucket's `results/` (large
   * results, for `JobClient.result`); and what {@link grantScheduling} grants. When `grantee`
   * is a Lambda function, it also gets the `JOBLINE_CONFIG` environment variable, so that
   * `new JobClient({ jobs })` there needs nothing else.
   */
  grantEnqueue(grantee: iam.IGrantable): iam.Grant {
    if (isFunction(grantee)) grantee.addEnvironment(CONFIG_ENV, this.clientConfig);
    const grant = grantTable(grantee, this.table, ['BatchWriteItem', 'PutItem', 'UpdateItem', 'GetItem']);
    // Debounced kinds keep their pending job per key in the idempotency table, which enqueues update.
    grantTable(grantee, this.idempotencyTable, ['PutItem', 'GetItem', 'ConditionCheckItem', ...(this.debounced ? ['UpdateItem', 'DeleteItem'] as const : [])]);
    for (const lane of this.lanes.values()) lane.queue.grantSendMessages(grantee);
    this.grantScheduling(grantee);
    grantResults(grantee, this.resultsBucket, 'read');
    return grant;
  }

  /**
   * Lets `grantee` operate the queue as `JobInspector` and the `jobline` CLI do: read and
   * manage job records, read, move and delete DLQ messages, send to the lanes, pause and
   * resume the worker's event sources, and cancel schedules. Grants dynamodb read/write on the
   * jobs table; sqs:ReceiveMessage, DeleteMessage, ChangeMessageVisibility, GetQueueAttributes
   * on every queue and DLQ, sqs:SendMessage on the lanes; lambda:GetEventSourceMapping and
   * UpdateEventSourceMapping; s3:GetObject on the results bucket's `results/`; and what
   * {@link grantScheduling} grants.
   */
  grantOperate(grantee: iam.IGrantable): iam.Grant {
    const grant = grantTable(grantee, this.table, OPERATOR_ITEM_ACTIONS, JOB_INDEXES);
    for (const lane of this.lanes.values()) {
      lane.queue.grantSendMessages(grantee);
      for (const queue of [lane.queue, lane.deadLetterQueue]) {
        queue.grant(grantee, 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes');
        queue.encryptionMasterKey?.grantDecrypt(grantee);
      }
    }
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping'],
      resourceArns: this.eventSourceMappingArns,
    });
    // The lanes' oldest-message ages (GetMetricData takes no resource-level permissions).
    iam.Grant.addToPrincipal({ grantee, actions: ['cloudwatch:GetMetricData'], resourceArns: ['*'] });
    if (Construct.isConstruct(grantee)) acknowledge(grantee, 'IAM5[Resource::*]', 'cloudwatch:GetMetricData takes no resource-level permissions (it reads the lanes\' oldest-message ages); it reads metrics only');
    this.grantScheduling(grantee);
    grantResults(grantee, this.resultsBucket, 'read');
    return grant;
  }

  /**
   * Lets `grantee` create and delete the one-time schedules of long delays and cancellations:
   * scheduler:CreateSchedule, scheduler:DeleteSchedule, scheduler:GetSchedule on this group's
   * schedules, and iam:PassRole on the scheduler role — to EventBridge Scheduler only.
   */
  grantScheduling(grantee: iam.IGrantable): iam.Grant {
    const schedules = Stack.of(this).formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${this.scheduleGroup.ref}/*` });
    iam.Grant.addToPrincipal({
      grantee, actions: ['iam:PassRole'], resourceArns: [this.schedulerRole.roleArn],
      // The role can be handed to Scheduler's schedules and to nothing else (not a function, not an instance).
      conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    });
    if (Construct.isConstruct(grantee)) {
      acknowledge(grantee, `IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/<${Stack.of(this).getLogicalId(this.scheduleGroup)}>/*]`,
        'one-time schedules are named per job when a delay or retry needs one: the grant covers the schedules of this queue\'s own group, no other');
    }
    return iam.Grant.addToPrincipal({ grantee, actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule'], resourceArns: [schedules] });
  }

  /**
   * Age of the oldest message on a lane's queue (SQS ApproximateAgeOfOldestMessage): how
   * long the oldest waiting job has waited. Statistic Maximum, period 1 minute, in seconds.
   */
  metricOldestJobAge(lane: string): Metric {
    return oldestJobAgeMetric(this.lanes, lane);
  }

  /**
   * Jobs of `kind` by outcome, from the worker's EMF lines: `Processed` (attempts), `Succeeded`,
   * `Retried`, `Failed`, or `DelayedByLimit` (deliveries that waited for a concurrency limit,
   * using no attempt). Statistic Sum, period 5 minutes.
   */
  metricJobs(name: JobCountMetricName, kind: string): Metric {
    return workerMetric(this.queueName, name, kind, 'Sum');
  }

  /**
   * Percentage of `kind`'s finished jobs (succeeded or failed, not retried) that failed: the
   * Average of the worker's FailureRate values (100 per failed job, 0 per succeeded one), so no
   * metric math is needed. Period 5 minutes.
   */
  metricFailureRate(kind: string): Metric {
    return workerMetric(this.queueName, WORKER_METRICS.failureRate, kind, 'Average');
  }

  /** How long attempts of `kind` run, in ms. Statistic p99 (pass another), period 5 minutes. */
  metricDuration(kind: string, statistic = 'p99'): Metric {
    return workerMetric(this.queueName, WORKER_METRICS.duration, kind, statistic);
  }

  /** Messages in a lane's DLQ (visible). Statistic Maximum, period 1 minute. */
  metricDeadLetters(lane: string): Metric {
    return deadLettersMetric(this.lanes, lane);
  }

  /** Stuck jobs as the sweeper last counted them (running, lease expired). Statistic Maximum, period 1 minute. */
  metricStuckJobs(): Metric {
    return stuckJobsMetric(this.queueName);
  }

  /** The jobs table: sharded keys, the sparse state and watch indexes, TTL, point-in-time recovery. */
  private createJobsTable({ removalPolicy, encryptionKey }: JobQueueSettings): TableV2 {
    return new TableV2(this, 'Jobs', {
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
      // New images feed the dispatcher the jobs callers write in their own transactions.
      dynamoStream: StreamViewType.NEW_IMAGE,
      encryption: encryptionKey && TableEncryptionV2.customerManagedKey(encryptionKey),
      removalPolicy,
    });
  }

  /** The table of `ctx.once` markers, unique-key claims and flow control's slots, turns and debounced keys, which expire by TTL. */
  private createIdempotencyTable({ removalPolicy, encryptionKey }: JobQueueSettings): TableV2 {
    return new TableV2(this, 'Idempotency', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      billing: Billing.onDemand(),
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // Its once-markers are what keep a restored jobs table from repeating side effects.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: encryptionKey && TableEncryptionV2.customerManagedKey(encryptionKey),
      removalPolicy,
    });
  }

  /** The worker function, fed by every lane; and each lane's event source mapping id, by lane name. */
  private createWorker(worker: WorkerProps, settings: JobQueueSettings): { function: NodejsFunction; eventSourceMappings: Record<string, string> } {
    const fn = userFunction(this, 'Worker', { entry: worker.entry, timeout: settings.workerTimeout, memorySize: settings.workerMemorySize, environment: this.functionEnvironment(worker.environment), removalPolicy: settings.removalPolicy });
    grantTable(fn, this.table, WORKER_ITEM_ACTIONS, JOB_INDEXES);
    grantTable(fn, this.idempotencyTable, ITEM_ACTIONS.filter((action) => action !== 'Query'));
    this.grantScheduling(fn);
    grantResults(fn, this.resultsBucket, 'write');
    const eventSourceMappings: Record<string, string> = {};
    for (const lane of this.lanes.values()) {
      lane.deadLetterQueue.grantSendMessages(fn);
      // Provisioned mode and a maximum concurrency exclude each other on one event source (AWS).
      const pollers = settings.provisionedPollers.get(lane.name);
      const source = new SqsEventSource(lane.queue, {
        batchSize: settings.batchSize,
        maxBatchingWindow: worker.maxBatchingWindow,
        ...(pollers
          ? { provisionedPollerConfig: { minimumPollers: pollers.minimum, maximumPollers: pollers.maximum } }
          : { maxConcurrency: settings.maxConcurrency }),
        reportBatchItemFailures: true,
      });
      fn.addEventSource(source);
      eventSourceMappings[lane.name] = source.eventSourceMappingId;
      this.eventSourceMappingArns.push(source.eventSourceMappingArn);
    }
    return { function: fn, eventSourceMappings };
  }

  /** The sweeper function and the rule that runs it every minute. */
  private createSweeper({ stuckAfter, removalPolicy }: JobQueueSettings): LambdaFunction {
    const fn = packagedFunction(this, 'Sweeper', 'sweeper', {
      removalPolicy,
      timeout: SWEEPER_TIMEOUT,
      memorySize: SWEEPER_MEMORY_MB,
      environment: this.functionEnvironment({ [SWEEPER_ENV]: JSON.stringify({ stuckAfterSeconds: stuckAfter.toSeconds() }) }),
    });
    grantTable(fn, this.table, ITEM_ACTIONS, JOB_INDEXES);
    for (const lane of this.lanes.values()) lane.queue.grantSendMessages(fn);
    this.grantScheduling(fn);
    new Rule(this, 'SweepEveryMinute', { schedule: Schedule.rate(Duration.minutes(1)), targets: [new LambdaTarget(fn)] });
    return fn;
  }

  /**
   * The dispatcher function on the jobs table's stream, filtered to the inserts marked for it
   * (only transactional enqueues invoke it), with partial batch responses.
   */
  private createDispatcher({ removalPolicy }: JobQueueSettings, environment?: Record<string, string>): LambdaFunction {
    const fn = packagedFunction(this, 'Dispatcher', 'dispatcher', { timeout: DISPATCHER_TIMEOUT, memorySize: DISPATCHER_MEMORY_MB, environment: this.functionEnvironment(environment), removalPolicy });
    grantTable(fn, this.table, ['UpdateItem']);
    for (const lane of this.lanes.values()) lane.queue.grantSendMessages(fn);
    this.grantScheduling(fn);
    fn.addEventSource(new DynamoEventSource(this.table, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: DISPATCHER_BATCH_SIZE,
      reportBatchItemFailures: true,
      retryAttempts: DISPATCHER_RETRY_ATTEMPTS,
      filters: [FilterCriteria.filter({
        eventName: FilterRule.isEqual('INSERT'),
        dynamodb: { NewImage: { [DISPATCH_ATTRIBUTE.name]: { S: FilterRule.isEqual(DISPATCH_ATTRIBUTE.viaStream) } } },
      })],
    }));
    return fn;
  }

  /** The enqueue API's function behind an IAM-authorized HTTP API (`POST /jobs`, `GET /jobs/{id}`, `GET /jobs/{id}/result`, `POST /jobs/{id}/cancel`). */
  private createApi(api: EnqueueApiProps, removalPolicy: RemovalPolicy): { function: NodejsFunction; httpApi: HttpApi } {
    const fn = userFunction(this, 'EnqueueApi', { entry: api.entry, timeout: API_TIMEOUT, memorySize: API_MEMORY_MB, environment: this.functionEnvironment(api.environment), removalPolicy });
    this.grantEnqueue(fn);
    const httpApi = new HttpApi(this, 'HttpApi', { defaultAuthorizer: api.authorizer ?? new HttpIamAuthorizer(), createDefaultStage: true });
    logAccess(httpApi, removalPolicy);
    throttleStage(httpApi, api.throttle ?? DEFAULT_ENQUEUE_API_THROTTLE);
    const integration = new HttpLambdaIntegration('EnqueueIntegration', fn);
    httpApi.addRoutes({ path: '/jobs', methods: [HttpMethod.POST], integration });
    httpApi.addRoutes({ path: '/jobs/{id}', methods: [HttpMethod.GET], integration });
    httpApi.addRoutes({ path: '/jobs/{id}/cancel', methods: [HttpMethod.POST], integration });
    httpApi.addRoutes({ path: '/jobs/{id}/result', methods: [HttpMethod.GET], integration });
    return { function: fn, httpApi };
  }

  /** The stack outputs: the API's id and URL, the config for clients and operators, the functions' names. */
  private addOutputs(): void {
    if (this.httpApi) {
      stableOutput(this, QUEUE_OUTPUTS.apiId, { value: this.httpApi.apiId, description: 'the enqueue API\'s id' });
      stableOutput(this, QUEUE_OUTPUTS.apiUrl, { value: this.httpApi.apiEndpoint, description: 'the enqueue API (POST /jobs, SigV4)' });
    }
    stableOutput(this, QUEUE_OUTPUTS.config, { value: this.outputConfig, description: `${CONFIG_ENV} for clients and operators of this job queue (jobline and loadConfig find it)` });
    stableOutput(this, QUEUE_OUTPUTS.workerFunctionName, { value: this.workerFunction.functionName, description: 'the worker Lambda (its logs: the JoblineWorkerLogGroup output)' });
    stableOutput(this, QUEUE_OUTPUTS.workerLogGroup, { value: this.workerFunction.logGroup.logGroupName, description: 'the worker\'s own log group' });
    stableOutput(this, QUEUE_OUTPUTS.sweeperFunctionName, { value: this.sweeperFunction.functionName, description: 'the sweeper Lambda (invoke it for a sweep now)' });
    stableOutput(this, QUEUE_OUTPUTS.dispatcherFunctionName, { value: this.dispatcherFunction.functionName, description: 'the dispatcher Lambda (sends jobs enqueued in callers\' transactions)' });
  }

  /** The environment of this queue's functions: its config and name, then `extra`. */
  private functionEnvironment(extra: Record<string, string> = {}): Record<string, string> {
    return { [CONFIG_ENV]: this.clientConfig, [QUEUE_NAME_ENV]: this.queueName, ...extra };
  }
}

/** A Lambda function (not an imported one, which has no environment to set). */
/** The jobs table's indexes, by name: the only ones queries are granted on. */
const JOB_INDEXES = [STATE_INDEX.name, WATCH_INDEX.name];

function isFunction(grantee: iam.IGrantable): grantee is LambdaFunction {
  return typeof (grantee as Partial<LambdaFunction>).addEnvironment === 'function';
}
