import * as z from 'zod';
import { ConfigurationError } from './errors.js';
import { DEFAULT_SHARD_COUNT, MAX_SHARD_COUNT } from './job-id.js';
import { MAX_SQS_DELAY_SECONDS } from './transport/sqs-limits.js';
import type { KindCostProfile } from './cost/kind-profile.js';
import { integerOf, plainObject, plainUrl, quickRecord, quickThenSchema, stringOf } from './quick-read.js';

/** Where one lane's messages go. */
export interface LaneConfig {
  readonly queueUrl: string;
  /** The queue's ARN: the target of the lane's Scheduler schedules. */
  readonly queueArn: string;
  readonly deadLetterQueueUrl: string;
  /** The worker's event source mapping on this lane: disabling it pauses the lane. */
  readonly eventSourceMappingId?: string | undefined;
}

/** Where one-time schedules go: jobs delayed past the threshold, and retries past SQS's 12 h. */
export interface SchedulerConfig {
  /** EventBridge Scheduler group the schedules are created in. */
  readonly groupName: string;
  /** Role Scheduler assumes to send to the lanes' queues. */
  readonly roleArn: string;
  /** Delays up to this many seconds are held by SQS (DelaySeconds); longer ones by a schedule. At most 900. @default 900 */
  readonly thresholdSeconds: number;
}

/**
 * What operators' tools need to estimate each kind's cost (`jobline kinds`, the dashboard):
 * where the worker's metrics are and what each kind's options make a job write and send. In
 * the stack output only.
 */
export interface CostConfig {
  /** The `JobQueue` dimension of the worker's metrics. */
  readonly queueName: string;
  /** The worker's log group (its EMF lines, which an emulator makes no metrics of). */
  readonly workerLogGroup: string;
  /** The worker's memory, for its compute's price. */
  readonly workerMemoryMb: number;
  /** Each kind's cost profile. */
  readonly kinds: Readonly<Record<string, KindCostProfile>>;
}

/**
 * What the client, API and worker need to reach a deployed jobline: the jobs table, the
 * shard count of its keys, and each lane's queue and DLQ. The `JobQueue` construct passes
 * it to its functions as the `JOBLINE_CONFIG` environment variable and as a stack output.
 */
export interface JoblineConfig {
  readonly tableName: string;
  readonly shardCount: number;
  readonly lanes: Readonly<Record<string, LaneConfig>>;
  readonly scheduler: SchedulerConfig;
  /** Table of `ctx.once` markers and unique-key claims (partition key `pk`, TTL `expiresAt`). */
  readonly idempotencyTableName: string;
  /** Per kind, the payload fields operators' tools show as `[redacted]` (the kinds' `redact`), for tools that do not import the kinds. */
  readonly redact?: Readonly<Record<string, readonly string[]>> | undefined;
  /** Per kind not tracked in full, its tracking level (the kinds' `tracking`), so operators' tools can say what they cannot show. */
  readonly tracking?: Readonly<Record<string, string>> | undefined;
  /** Every kind the queue's worker runs, sorted: in the operators' config only (the stack output), so their tools can name a kind that is not one. */
  readonly kinds?: readonly string[] | undefined;
  /** The bucket results over their kind's `maxInlineResultBytes` are kept in (under `results/`). Without it such results are dropped with a note. */
  readonly resultsBucket?: string | undefined;
  /** What pricing each kind needs: in the operators' config only (the stack output). */
  readonly cost?: CostConfig | undefined;
}

/**
 * The config of lane `lane`, if the config has one: an own property only, so that a name
 * like `constructor` or `__proto__` from an operator's request is an unknown lane, not an
 * object's prototype.
 */
export function laneConfigOf(lanes: JoblineConfig['lanes'], lane: string): LaneConfig | undefined {
  return Object.hasOwn(lanes, lane) ? lanes[lane] : undefined;
}

/** Environment variable holding a {@link JoblineConfig} as JSON. */
export const CONFIG_ENV = 'JOBLINE_CONFIG';

const configSchema = (): z.ZodType<JoblineConfig> => z.object({
  tableName: z.string().min(1),
  shardCount: z.number().int().min(1).max(MAX_SHARD_COUNT).default(DEFAULT_SHARD_COUNT),
  lanes: z.record(z.string(), z.object({ queueUrl: z.string().url(), queueArn: z.string().startsWith('arn:'), deadLetterQueueUrl: z.string().url(), eventSourceMappingId: z.string().optional() })),
  idempotencyTableName: z.string().min(1),
  scheduler: z.object({
    groupName: z.string().min(1),
    roleArn: z.string().startsWith('arn:'),
    thresholdSeconds: z.number().int().min(0).max(MAX_SQS_DELAY_SECONDS).default(MAX_SQS_DELAY_SECONDS),
  }),
  redact: z.record(z.string(), z.array(z.string())).optional(),
  tracking: z.record(z.string(), z.string()).optional(),
  kinds: z.array(z.string()).optional(),
  resultsBucket: z.string().min(3).max(63).optional(),
  cost: z.object({
    queueName: z.string().min(1),
    workerLogGroup: z.string().min(1),
    workerMemoryMb: z.number().int().min(128).max(10_240),
    kinds: z.record(z.string(), z.object({
      lane: z.string().min(1),
      tracking: z.enum(['full', 'from-claim', 'outcome']),
      tags: z.union([z.number().int().min(0), z.literal('computed')]).optional(),
      unique: z.literal(true).optional(),
      concurrency: z.literal(true).optional(),
      rateLimit: z.literal(true).optional(),
      debounce: z.literal(true).optional(),
      heartbeat: z.literal(true).optional(),
    })),
  }).optional(),
});

const LANE_KEYS = new Set(['queueUrl', 'queueArn', 'deadLetterQueueUrl', 'eventSourceMappingId']);
const SCHEDULER_KEYS = new Set(['groupName', 'roleArn', 'thresholdSeconds']);
/** The keys of a function's config (see infra/job-queue-config.ts clientConfigOf); `kinds` and `cost` (the operators') go to the schema. */
const CLIENT_KEYS = new Set(['tableName', 'shardCount', 'lanes', 'idempotencyTableName', 'scheduler', 'redact', 'tracking', 'resultsBucket']);

/** {@link configSchema}'s verdict on a function's config as the construct writes it, without zod (see lib/quick-read.ts); undefined for anything else. */
function quickConfig(raw: unknown): JoblineConfig | undefined {
  if (!plainObject(raw, CLIENT_KEYS) || !stringOf(raw.tableName, 1) || !stringOf(raw.idempotencyTableName, 1)) return undefined;
  const shardCount = raw.shardCount === undefined ? DEFAULT_SHARD_COUNT : raw.shardCount;
  if (!integerOf(shardCount, 1, MAX_SHARD_COUNT)) return undefined;
  const lanes = quickRecord(raw.lanes, quickLane);
  const scheduler = raw.scheduler;
  if (!lanes || !plainObject(scheduler, SCHEDULER_KEYS) || !stringOf(scheduler.groupName, 1) || !arn(scheduler.roleArn)) return undefined;
  const thresholdSeconds = scheduler.thresholdSeconds === undefined ? MAX_SQS_DELAY_SECONDS : scheduler.thresholdSeconds;
  if (!integerOf(thresholdSeconds, 0, MAX_SQS_DELAY_SECONDS)) return undefined;
  const redact = raw.redact === undefined ? undefined : quickRecord(raw.redact, (fields) => (Array.isArray(fields) && fields.every((f) => typeof f === 'string') ? [...(fields as string[])] : undefined));
  const tracking = raw.tracking === undefined ? undefined : quickRecord(raw.tracking, (level) => (typeof level === 'string' ? level : undefined));
  if ((raw.redact !== undefined && !redact) || (raw.tracking !== undefined && !tracking)) return undefined;
  if (raw.resultsBucket !== undefined && !stringOf(raw.resultsBucket, 3, 63)) return undefined;
  return {
    tableName: raw.tableName,
    shardCount,
    lanes,
    idempotencyTableName: raw.idempotencyTableName,
    scheduler: { groupName: scheduler.groupName, roleArn: scheduler.roleArn, thresholdSeconds },
    ...(redact ? { redact } : {}),
    ...(tracking ? { tracking } : {}),
    ...(raw.resultsBucket !== undefined ? { resultsBucket: raw.resultsBucket } : {}),
  };
}

function quickLane(lane: unknown): LaneConfig | undefined {
  if (!plainObject(lane, LANE_KEYS) || !plainUrl(lane.queueUrl) || !arn(lane.queueArn) || !plainUrl(lane.deadLetterQueueUrl)) return undefined;
  if (lane.eventSourceMappingId !== undefined && typeof lane.eventSourceMappingId !== 'string') return undefined;
  return { queueUrl: lane.queueUrl, queueArn: lane.queueArn, deadLetterQueueUrl: lane.deadLetterQueueUrl, ...(lane.eventSourceMappingId !== undefined ? { eventSourceMappingId: lane.eventSourceMappingId } : {}) };
}

const arn = (value: unknown): value is string => typeof value === 'string' && value.startsWith('arn:');

const configReader = quickThenSchema(quickConfig, configSchema);

/** The config's zod schema and its quick check, for the test that holds them to one verdict. @internal */
export const configReaderForTests = configReader;

/** Reads and validates a config from JSON; the error names what is missing or wrong. */
export function parseConfig(json: string, source = 'jobline config'): JoblineConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new ConfigurationError(`${source} is not JSON`, [(error as Error).message], { cause: error });
  }
  const parsed = configReader.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigurationError(`${source} is invalid`, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`), { cause: parsed.error });
  }
  return parsed.data;
}

/** Reads the config from `JOBLINE_CONFIG`; throws a clear error when it is unset or invalid. */
export function configFromEnvironment(env: NodeJS.ProcessEnv = process.env): JoblineConfig {
  const json = env[CONFIG_ENV];
  if (!json) throw new ConfigurationError(`${CONFIG_ENV} is not set`, ['give this function the config of a JobQueue (JobQueue.grantEnqueue / the worker sets it)']);
  return parseConfig(json, CONFIG_ENV);
}
