import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { ApiThrottle } from './api-stage.js';
import { MAX_TIMEOUT_SECONDS, type AnyJobDefinition, type JobDefinition } from '../lib/job-definition.js';
import { DEFAULT_SHARD_COUNT } from '../lib/job-id.js';

/** Default visibility timeout of a lane's queue, as a multiple of the worker's timeout (AWS's advice for SQS event sources). */
export const VISIBILITY_TIMEOUT_MULTIPLIER = 6;
/** Default receives a message may have beyond its kind's maxAttempts before SQS dead-letters it on its own. */
export const DEFAULT_EXTRA_RECEIVES = 5;
/** Default memory of the worker function, in MB. */
export const DEFAULT_WORKER_MEMORY_MB = 512;
/** Default messages per worker invocation. */
export const DEFAULT_BATCH_SIZE = 10;
/**
 * Default concurrent worker invocations per lane. Unset, an SQS event source on AWS scales to
 * 1,250 concurrent invocations — more than an account's default 1,000, which the enqueue API,
 * the dispatcher and every other function share — and the invocations Lambda then throttles
 * hand their messages back, each time using one of the receives that lead to the DLQ. 100 runs
 * 10,000 no-op jobs/s (batches of 10 in about 100 ms each) and leaves 900 of the default quota
 * to the rest; raise it for slow handlers. See BENCHMARKS.md ("Throughput").
 */
export const DEFAULT_MAX_CONCURRENCY = 100;
/** Default longest delay SQS holds (DelaySeconds); longer ones go through a one-time Scheduler schedule. SQS's own limit. */
export const DEFAULT_SCHEDULER_THRESHOLD = Duration.minutes(15);
/** Default time after its creation from which the sweeper watches a job still queued or running. */
export const DEFAULT_STUCK_AFTER = Duration.minutes(15);
/** A provisioned lane's minimum pollers unless it says otherwise: AWS's default for SQS. */
export const DEFAULT_MINIMUM_POLLERS = 2;
/** A provisioned lane's maximum pollers unless it says otherwise: AWS's default for SQS. */
export const DEFAULT_MAXIMUM_POLLERS = 200;
/** Default age of a lane's oldest message that raises its alarm. */
export const DEFAULT_OLDEST_JOB_AGE_ALARM = Duration.minutes(15);
/** Default failed jobs of one kind within 5 minutes that raise its alarm. */
export const DEFAULT_FAILURES_ALARM = 5;
/** Default percentage of one kind's finished jobs that failed that raises its failure-rate alarm. */
export const DEFAULT_FAILURE_RATE_ALARM = 10;
/** Default number of stuck jobs (running, lease expired) that raises the alarm. */
export const DEFAULT_STUCK_JOBS_ALARM = 1;
/** Timeout of the sweeper function: it runs every minute, so a sweep must end within one. */
export const SWEEPER_TIMEOUT = Duration.minutes(1);
/** Memory of the sweeper function, in MB. */
export const SWEEPER_MEMORY_MB = 256;
/** Timeout of the dispatcher function (it sends up to a batch of jobs). */
export const DISPATCHER_TIMEOUT = Duration.seconds(30);
/** Memory of the dispatcher function, in MB. */
export const DISPATCHER_MEMORY_MB = 256;
/** Stream records per dispatcher invocation. */
export const DISPATCHER_BATCH_SIZE = 100;
/**
 * Times the stream delivers a batch the dispatcher could not send in full before it moves on;
 * the sweeper then sends what is left (it finds those jobs still undispatched).
 */
export const DISPATCHER_RETRY_ATTEMPTS = 10;
/** Timeout of the enqueue API's function: `GET /jobs/{id}/result` waits up to 20 s, and an HTTP API waits at most 30 s for its integration. */
export const API_TIMEOUT = Duration.seconds(28);
/** Memory of the enqueue API's function, in MB. */
export const API_MEMORY_MB = 256;

/** The Lambda function that runs jobs. */
export interface WorkerProps {
  /** Path of the worker's entry file: a module exporting `handler = createWorker({ jobs })`. */
  readonly entry: string;
  /** Lambda timeout; at least every kind's `timeoutSeconds`. @default the longest kind timeout + 10 s (at most 15 min) */
  readonly timeout?: Duration;
  /** Memory, in MB. @default {@link DEFAULT_WORKER_MEMORY_MB} (512) */
  readonly memorySize?: number;
  /** Messages per invocation. @default {@link DEFAULT_BATCH_SIZE} (10) */
  readonly batchSize?: number;
  /** How long the event source gathers a batch. @default none */
  readonly maxBatchingWindow?: Duration;
  /** Concurrent invocations per lane (2–1000). @default {@link DEFAULT_MAX_CONCURRENCY} (100) */
  readonly maxConcurrency?: number;
  /** Extra environment variables for the worker. */
  readonly environment?: Record<string, string>;
}

/**
 * The enqueue HTTP API's function. Its entry is yours because it validates payloads with your
 * kinds' schemas; it is one line:
 *
 * @example export const handler = createEnqueueApi({ jobs: [sendEmail, importChunk] }, { kinds: [sendEmail] }); // from 'jobline/api'
 */
export interface EnqueueApiProps {
  /** Path of the API's entry file: a module exporting `handler = createEnqueueApi({ jobs }, { kinds })`. */
  readonly entry: string;
  /**
   * Who may call the API. The API is never anonymous: by default callers sign their requests
   * (SigV4, IAM authorization; `JobApiClient` signs). Pass an `HttpJwtAuthorizer` (a Cognito
   * user pool or any OIDC issuer) or an `HttpLambdaAuthorizer` for callers without AWS
   * credentials; the job's `createdBy` is then the token's `sub` (or the Lambda authorizer's
   * `principalId` context). @default IAM authorization
   */
  readonly authorizer?: IHttpRouteAuthorizer;
  /**
   * Requests a second the API's stage accepts across all callers before it answers 429: what a
   * runaway or hostile caller can cost is bounded here. @default {@link DEFAULT_ENQUEUE_API_THROTTLE}
   */
  readonly throttle?: ApiThrottle;
  /** Extra environment variables for the API function. */
  readonly environment?: Record<string, string>;
}

/** The enqueue API's stage throttle unless `api.throttle` says otherwise: 500 requests a second, bursts of 1,000. */
export const DEFAULT_ENQUEUE_API_THROTTLE: ApiThrottle = { rateLimit: 500, burstLimit: 1000 };

/**
 * The SQS event source's provisioned mode for a lane: dedicated pollers, at least `minimum`
 * always ready and at most `maximum`, for a lane that needs a fast, steady start under bursts.
 * Billed per event poller unit hour on top of the usual charges (see docs/using.md); the
 * minimum is an always-on cost. AWS takes provisioned mode or a maximum concurrency on one event
 * source, not both: the lane's event source drops `worker.maxConcurrency`.
 */
export interface ProvisionedPollers {
  /** Pollers always ready, 2–200. @default 2 */
  readonly minimum?: number;
  /** Pollers at most, 2–2000. @default 200 */
  readonly maximum?: number;
}

/** Settings of one lane (the `lane` of its kinds). */
export interface LaneProps {
  /** Run the lane's event source in provisioned mode. @default on demand (Lambda scales the pollers) */
  readonly provisionedPollers?: ProvisionedPollers;
}

/** Properties of {@link JobQueue}. */
export interface JobQueueProps {
  /** Every job kind the stack runs. Their lanes become queues; their attempts set the redrive counts. */
  readonly jobs: readonly AnyJobDefinition[];
  /** The worker function. */
  readonly worker: WorkerProps;
  /** The enqueue HTTP API (`POST /jobs`, `GET /jobs/{id}`, `POST /jobs/{id}/cancel`, IAM-authenticated). @default none */
  readonly api?: EnqueueApiProps;
  /** The dispatcher of jobs enqueued in callers' own transactions (it always exists; it runs only for those). */
  readonly dispatcher?: {
    /** Extra environment variables for the dispatcher (an emulator endpoint, a test's faults). */
    readonly environment?: Record<string, string>;
  };
  /** Settings per lane, by the lane's name (`default` for kinds without a `lane`). @default none */
  readonly lanes?: Readonly<Record<string, LaneProps>>;
  /** Partition-key shards of the jobs table. @default 64 */
  readonly shardCount?: number;
  /**
   * Visibility timeout of every lane's queue: how long a batch's messages stay hidden, so how
   * soon a crashed worker's jobs come back. At least the worker's timeout (Lambda's rule); under
   * 6× it (AWS's advice) synth warns: a batch Lambda is throttled on then comes back sooner and
   * spends a receive of each message. @default 6 × worker timeout
   */
  readonly visibilityTimeout?: Duration;
  /** Receives beyond a lane's largest maxAttempts before SQS dead-letters a message by itself. @default {@link DEFAULT_EXTRA_RECEIVES} (5) */
  readonly extraReceives?: number;
  /** Delays up to this are held by SQS (DelaySeconds); longer ones by a one-time Scheduler schedule. At most 15 min. @default {@link DEFAULT_SCHEDULER_THRESHOLD} (15 min) */
  readonly schedulerThreshold?: Duration;
  /** A job still queued or running this long after it was created is watched by the sweeper, and stuck once its lease expires. @default {@link DEFAULT_STUCK_AFTER} (15 min) */
  readonly stuckAfter?: Duration;
  /** Alarm thresholds, and where alarms notify. */
  readonly alarms?: {
    /** Age of a lane's oldest message that raises its alarm. @default {@link DEFAULT_OLDEST_JOB_AGE_ALARM} (15 min) */
    readonly oldestJobAge?: Duration;
    /** Stuck jobs (running, lease expired) that raise the alarm. @default {@link DEFAULT_STUCK_JOBS_ALARM} (1) */
    readonly stuckJobs?: number;
    /** Failed jobs of one kind within 5 minutes that raise its alarm. @default {@link DEFAULT_FAILURES_ALARM} (5) */
    readonly failures?: number;
    /**
     * Percentage of one kind's finished jobs that failed, in 2 of 3 five-minute periods, that
     * raises its failure-rate alarm. @default {@link DEFAULT_FAILURE_RATE_ALARM} (10)
     */
    readonly failureRate?: number;
    /** An SNS topic every alarm (and its recovery) notifies. @default none */
    readonly topic?: ITopic;
  };
  /** What happens to the table and queues when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * A customer-managed KMS key that encrypts the lanes' queues and DLQs and both tables (and
   * their stream); every function and grantee the construct grants gets the use of it too.
   * @default SQS-managed keys for the queues, AWS-owned keys for the tables
   */
  readonly encryptionKey?: IKey;
}

/** A lane's queue and dead-letter queue. */
export interface Lane {
  readonly name: string;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  /** Receives after which SQS moves a message to the DLQ by itself (the poison-message backstop). */
  readonly maxReceiveCount: number;
}

/** The alarm thresholds of {@link JobQueueProps.alarms}, defaults applied. */
export interface AlarmThresholds {
  /** Age of a lane's oldest message that raises its alarm. */
  readonly oldestJobAge: Duration;
  /** Stuck jobs that raise the alarm. */
  readonly stuckJobs: number;
  /** Failed jobs of one kind within 5 minutes that raise its alarm. */
  readonly failures: number;
  /** Percentage of one kind's finished jobs that failed that raises its failure-rate alarm. */
  readonly failureRate: number;
  /** The SNS topic every alarm notifies, if any. */
  readonly topic?: ITopic | undefined;
}

/** {@link JobQueueProps} with every default applied: what the construct builds from. Fields mean what the props of the same name do. */
export interface JobQueueSettings {
  /** The job kinds, typed for reading their settings. */
  readonly jobs: readonly JobDefinition[];
  readonly workerTimeout: Duration;
  /** Worker memory, in MB. */
  readonly workerMemorySize: number;
  /** Messages per worker invocation. */
  readonly batchSize: number;
  /** Concurrent worker invocations per lane. */
  readonly maxConcurrency: number;
  readonly visibilityTimeout: Duration;
  readonly shardCount: number;
  readonly extraReceives: number;
  readonly schedulerThreshold: Duration;
  readonly stuckAfter: Duration;
  readonly alarms: AlarmThresholds;
  readonly removalPolicy: RemovalPolicy;
  readonly encryptionKey: IKey | undefined;
  /** The lanes in provisioned mode, by name, with their pollers. */
  readonly provisionedPollers: ReadonlyMap<string, { readonly minimum: number; readonly maximum: number }>;
}

/** Applies the defaults to `props` (it does not validate them). */
export function resolveSettings(props: JobQueueProps): JobQueueSettings {
  const jobs: readonly JobDefinition[] = props.jobs;
  const longestKind = Math.max(1, ...jobs.map((j) => j.timeoutSeconds));
  const workerTimeout = props.worker.timeout ?? Duration.seconds(Math.min(MAX_TIMEOUT_SECONDS, longestKind + 10));
  return {
    jobs,
    workerTimeout,
    workerMemorySize: props.worker.memorySize ?? DEFAULT_WORKER_MEMORY_MB,
    batchSize: props.worker.batchSize ?? DEFAULT_BATCH_SIZE,
    maxConcurrency: props.worker.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
    visibilityTimeout: props.visibilityTimeout ?? Duration.seconds(workerTimeout.toSeconds() * VISIBILITY_TIMEOUT_MULTIPLIER),
    shardCount: props.shardCount ?? DEFAULT_SHARD_COUNT,
    extraReceives: props.extraReceives ?? DEFAULT_EXTRA_RECEIVES,
    schedulerThreshold: props.schedulerThreshold ?? DEFAULT_SCHEDULER_THRESHOLD,
    stuckAfter: props.stuckAfter ?? DEFAULT_STUCK_AFTER,
    alarms: {
      oldestJobAge: props.alarms?.oldestJobAge ?? DEFAULT_OLDEST_JOB_AGE_ALARM,
      stuckJobs: props.alarms?.stuckJobs ?? DEFAULT_STUCK_JOBS_ALARM,
      failures: props.alarms?.failures ?? DEFAULT_FAILURES_ALARM,
      failureRate: props.alarms?.failureRate ?? DEFAULT_FAILURE_RATE_ALARM,
      topic: props.alarms?.topic,
    },
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    encryptionKey: props.encryptionKey,
    provisionedPollers: new Map(Object.entries(props.lanes ?? {}).flatMap(([lane, options]) => {
      const pollers = options.provisionedPollers;
      return pollers ? [[lane, { minimum: pollers.minimum ?? DEFAULT_MINIMUM_POLLERS, maximum: pollers.maximum ?? DEFAULT_MAXIMUM_POLLERS }] as const] : [];
    })),
  };
}
