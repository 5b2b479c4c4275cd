/**
 * Break-even: jobline's monthly bill at each tracking level against a team running a Redis
 * queue (BullMQ, Sidekiq, Asynq on ElastiCache) or a Postgres queue (River on RDS) with
 * always-on workers, from 1 million to 10 billion jobs a month, and the sustained rate above
 * which each provisioned setup is the cheaper bill. Nothing is deployed: it is arithmetic on
 * jobline's measured cost per job (bench/cost.ts, passed in by the orchestrator) and the dated
 * list prices in bench/prices.ts, under the assumptions in ASSUMPTIONS, each stated in the notes.
 *
 * Run: npx tsx bench/break-even.ts
 */
import { pathToFileURL } from 'node:url';
import { round, type BenchOptions, type BenchSection } from './lib/result.js';
import { printSection } from './lib/report.js';
import { PRICES, type Price } from './prices.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_WORKER_MEMORY_MB, SWEEPER_MEMORY_MB } from '../infra/job-queue-props.js';
import { DEFAULT_SHARD_COUNT } from '../lib/job-id.js';
import { DEFAULT_SUCCEEDED_RETENTION_SECONDS, TRACKING_LEVELS, type TrackingLevel } from '../lib/job-definition.js';

/** A 30-day month: "jobs a month" and "jobs a second" convert through it. */
export const SECONDS_PER_MONTH = 30 * 86_400;
const HOURS_PER_MONTH = SECONDS_PER_MONTH / 3600;
/** The volumes of the issue, in jobs a month. */
export const VOLUMES = [1e6, 1e7, 1e8, 1e9, 1e10] as const;

export type PerJob = Record<TrackingLevel, { readonly dollarsPerMillion: number }>;

/**
 * `npm run bench:cost` (200 jobs, 1 KB payloads, enqueueMany in batches of 100, Lambda batches
 * of 10): DynamoDB write and read units, SQS requests and Lambda requests per job, in $ per
 * million jobs. The orchestrator passes the figures measured in the same run.
 */
export const DEFAULT_PER_JOB: PerJob = {
  full: { dollarsPerMillion: 2.05 }, // 3 W, 0 R, 0.30 SQS, 0.1 invocations, 64 log bytes
  'from-claim': { dollarsPerMillion: 1.42 }, // 2 W, 0 R, 0.30 SQS
  outcome: { dollarsPerMillion: 0.92 }, // 1 W, 1 R, 0.30 SQS
};

/** Everything this section assumes rather than measures or reads from a price list. */
export interface Assumptions {
  /** Wall time of a worker invocation for a batch of 10 no-op jobs on AWS (50–100 ms; not measured here). */
  readonly batchOverheadMs: number;
  /** Handler time per job in the "with handler" rows. */
  readonly handlerMs: number;
  /**
   * How many of a batch's handlers Lambda bills as overlapping. 1 bills every job's handler time
   * in full (CPU-bound work, or the worst case); jobline runs a batch's records concurrently, so
   * I/O-bound handlers overlap up to the batch size.
   */
  readonly lambdaHandlerOverlap: number;
  readonly lambdaArchitecture: 'arm64' | 'x86_64';
  /** Size of a job's record in DynamoDB with a 1 KB payload, for storage and the sweeper's read. */
  readonly jobRecordKb: number;
  /** Wall time of one sweep (every minute, all shards in parallel). */
  readonly sweeperDurationMs: number;
  /** Empty long polls of an idle lane a month: Lambda's ~5 pollers × 3 receives a minute (20 s waits). */
  readonly idleReceivesPerMonth: number;
  /** Peak rate over average: a provisioned setup is sized for the peak; 1 = flat traffic. */
  readonly peakToAverage: number;
  readonly worker: {
    /** Jobs one vCPU of a self-hosted worker runs at once (threads, BullMQ concurrency, River workers). */
    readonly jobsInFlightPerVcpu: number;
    /** Jobs a second one vCPU's queue client can take, fetch and acknowledge with no handler work. */
    readonly overheadJobsPerVcpuSecond: number;
    /** Busiest a fleet runs, leaving room for a lost worker and bursts. */
    readonly utilisation: number;
    /** Always-on workers, for availability. */
    readonly minTasks: number;
    /** Fargate memory per vCPU. */
    readonly gbPerVcpu: number;
  };
  readonly redis: {
    /** Highest sustained rate for a cache.t4g.small primary. */
    readonly smallNodeMaxJobsPerSecond: number;
    /** Highest sustained rate per cache.m7g.large shard; queues are split across shards above it. */
    readonly largeShardMaxJobsPerSecond: number;
    /** Replicas per primary, for failover. */
    readonly replicas: number;
  };
  readonly postgres: {
    /** Highest sustained rate for db.t4g.small. */
    readonly smallMaxJobsPerSecond: number;
    /** Highest sustained rate for db.m7g.large; each doubling of size doubles it. */
    readonly largeMaxJobsPerSecond: number;
    readonly multiAz: boolean;
    /** Disk per finished job kept: row, indexes and dead tuples. */
    readonly retainedKbPerJob: number;
    /** Days a finished job is kept (jobline keeps a succeeded job a day). */
    readonly retentionDays: number;
    readonly minStorageGb: number;
  };
}

export const ASSUMPTIONS: Assumptions = {
  batchOverheadMs: 75,
  handlerMs: 100,
  lambdaHandlerOverlap: 1,
  lambdaArchitecture: 'arm64', // infra/node-function.ts: every jobline function runs on Graviton
  jobRecordKb: 1.4,
  sweeperDurationMs: 300,
  idleReceivesPerMonth: 5 * 3 * (SECONDS_PER_MONTH / 60),
  peakToAverage: 1,
  worker: { jobsInFlightPerVcpu: 10, overheadJobsPerVcpuSecond: 1000, utilisation: 0.7, minTasks: 2, gbPerVcpu: 2 },
  redis: { smallNodeMaxJobsPerSecond: 200, largeShardMaxJobsPerSecond: 2000, replicas: 1 },
  postgres: { smallMaxJobsPerSecond: 50, largeMaxJobsPerSecond: 1000, multiAz: true, retainedKbPerJob: 3, retentionDays: DEFAULT_SUCCEEDED_RETENTION_SECONDS / 86_400, minStorageGb: 20 },
};

export type Rival = 'redis' | 'postgres';
export const RIVALS: readonly Rival[] = ['redis', 'postgres'];
const RIVAL_NAMES: Record<Rival, string> = {
  redis: 'A Redis queue (BullMQ/Sidekiq/Asynq on ElastiCache for Valkey + Fargate workers)',
  postgres: 'A Postgres queue (River on RDS for PostgreSQL + Fargate workers)',
};

/** Where a provisioned setup starts costing less than jobline, for a chart. */
export interface BreakEven {
  readonly level: TrackingLevel;
  readonly rival: Rival;
  /** Handler time per job the comparison assumes (0: none). */
  readonly handlerMs: number;
  /** Sustained rate from which the rival is the cheaper bill at every higher rate; null when no such rate is below 1,000,000 jobs/s. */
  readonly jobsPerSecond: number | null;
  readonly jobsPerMonth: number | null;
  /** Every range of rates (jobs/s) where the rival is the cheaper bill; `to` null: up to 1,000,000 jobs/s. A step in the rival's setup can open a gap. */
  readonly cheaperRanges: readonly { readonly from: number; readonly to: number | null }[];
}

export type BreakEvenSection = BenchSection & { readonly breakEvens: readonly BreakEven[] };

export type BreakEvenOptions = BenchOptions & { perJob?: PerJob; assumptions?: Partial<Assumptions> };

const perMillion = (price: Price) => price.value / 1e6;
const lambdaGbSecond = (a: Assumptions) => (a.lambdaArchitecture === 'arm64' ? PRICES.lambdaGbSecondArm : PRICES.lambdaGbSecondX86).value;

/** Lambda compute per job: the batch's own time shared by its jobs, plus the handler time billed. */
function lambdaComputePerJob(handlerMs: number, a: Assumptions): number {
  const seconds = a.batchOverheadMs / 1000 / DEFAULT_BATCH_SIZE + handlerMs / 1000 / a.lambdaHandlerOverlap;
  return (DEFAULT_WORKER_MEMORY_MB / 1024) * seconds * lambdaGbSecond(a);
}

/** What bench:cost does not measure and every job pays: the sweeper's read of its record, a day of storage. */
function recordExtrasPerJob(a: Assumptions): number {
  // The sweeper reads each record once as it passes the stuck horizon (an eventually consistent
  // Query: 0.5 read unit per 4 KB read).
  const sweeperRead = (a.jobRecordKb / 4) * 0.5 * perMillion(PRICES.dynamodbReadRequestUnit);
  const storage = (a.jobRecordKb / 1024 / 1024) * (DEFAULT_SUCCEEDED_RETENTION_SECONDS / SECONDS_PER_MONTH) * PRICES.dynamodbStorage.value;
  return sweeperRead + storage;
}

/** jobline's monthly cost with no jobs: the sweeper every minute over every shard, and the idle lane's long polls. */
export function joblineFixedMonthly(a: Assumptions = ASSUMPTIONS): number {
  const sweeps = SECONDS_PER_MONTH / 60;
  const sweeperLambda = sweeps * (perMillion(PRICES.lambdaRequest) + (SWEEPER_MEMORY_MB / 1024) * (a.sweeperDurationMs / 1000) * lambdaGbSecond(a));
  // Per shard and sweep: the cursor (a strongly consistent GetItem, 1 read unit), four Queries
  // (0.5 read unit each at least) and the cursor's Put (1 write unit).
  const sweeperTable = sweeps * DEFAULT_SHARD_COUNT * ((1 + 4 * 0.5) * perMillion(PRICES.dynamodbReadRequestUnit) + perMillion(PRICES.dynamodbWriteRequestUnit));
  return sweeperLambda + sweeperTable + a.idleReceivesPerMonth * perMillion(PRICES.sqsStandardRequest);
}

export function joblinePerJob(level: TrackingLevel, handlerMs: number, perJob: PerJob = DEFAULT_PER_JOB, a: Assumptions = ASSUMPTIONS): number {
  return perJob[level].dollarsPerMillion / 1e6 + lambdaComputePerJob(handlerMs, a) + recordExtrasPerJob(a);
}

export function joblineMonthly(level: TrackingLevel, jobsPerSecond: number, handlerMs: number, perJob: PerJob = DEFAULT_PER_JOB, a: Assumptions = ASSUMPTIONS): number {
  return jobsPerSecond * SECONDS_PER_MONTH * joblinePerJob(level, handlerMs, perJob, a) + joblineFixedMonthly(a);
}

interface Fleet { readonly tasks: number; readonly vcpuEach: number; readonly monthly: number }

/** Always-on Fargate (ARM) workers for a sustained rate: the smallest tasks that cover it, at least `minTasks`. */
export function workerFleet(jobsPerSecond: number, handlerMs: number, a: Assumptions = ASSUMPTIONS): Fleet {
  const w = a.worker;
  const perVcpu = w.utilisation / (1 / w.overheadJobsPerVcpuSecond + handlerMs / 1000 / w.jobsInFlightPerVcpu);
  const vcpus = (jobsPerSecond * a.peakToAverage) / perVcpu;
  const size = [0.25, 0.5].find((s) => vcpus <= w.minTasks * s);
  const tasks = size ? w.minTasks : Math.max(w.minTasks, Math.ceil(vcpus));
  const vcpuEach = size ?? 1;
  const perVcpuHour = PRICES.fargateArmVcpuHour.value + w.gbPerVcpu * PRICES.fargateArmGbHour.value;
  return { tasks, vcpuEach, monthly: tasks * vcpuEach * perVcpuHour * HOURS_PER_MONTH };
}

interface Setup { readonly monthly: number; readonly setup: string }

const fleetLabel = (fleet: Fleet) => `${fleet.tasks}×${fleet.vcpuEach} vCPU`;

export function redisMonthly(jobsPerSecond: number, handlerMs: number, a: Assumptions = ASSUMPTIONS): Setup {
  const peak = jobsPerSecond * a.peakToAverage;
  const small = peak <= a.redis.smallNodeMaxJobsPerSecond;
  const shards = small ? 1 : Math.ceil(peak / a.redis.largeShardMaxJobsPerSecond);
  const nodes = shards * (1 + a.redis.replicas);
  const node = small ? PRICES.elasticacheValkeyT4gSmall : PRICES.elasticacheValkeyM7gLarge;
  const fleet = workerFleet(jobsPerSecond, handlerMs, a);
  return { monthly: nodes * node.value * HOURS_PER_MONTH + fleet.monthly, setup: `${nodes}×${small ? 't4g.small' : 'm7g.large'}, ${fleetLabel(fleet)}` };
}

export function postgresMonthly(jobsPerSecond: number, handlerMs: number, a: Assumptions = ASSUMPTIONS): Setup {
  const p = a.postgres;
  const peak = jobsPerSecond * a.peakToAverage;
  const small = peak <= p.smallMaxJobsPerSecond;
  const factor = small ? 1 : 2 ** Math.max(0, Math.ceil(Math.log2(peak / p.largeMaxJobsPerSecond)));
  const hourly = small ? PRICES.rdsPostgresT4gSmall.value : PRICES.rdsPostgresM7gLarge.value * factor;
  const copies = p.multiAz ? 2 : 1;
  const storageGb = Math.max(p.minStorageGb, (jobsPerSecond * p.retentionDays * 86_400 * p.retainedKbPerJob) / 1024 / 1024);
  const fleet = workerFleet(jobsPerSecond, handlerMs, a);
  const instance = small ? 't4g.small' : factor === 1 ? 'm7g.large' : factor === 2 ? 'm7g.xlarge' : `m7g.${factor / 2}xlarge`;
  return {
    monthly: copies * (hourly * HOURS_PER_MONTH + storageGb * PRICES.rdsGp3Storage.value) + fleet.monthly,
    setup: `${instance}${p.multiAz ? ' Multi-AZ' : ''}, ${fleetLabel(fleet)}`,
  };
}

const rivalMonthly = (rival: Rival, jobsPerSecond: number, handlerMs: number, a: Assumptions) =>
  (rival === 'redis' ? redisMonthly : postgresMonthly)(jobsPerSecond, handlerMs, a).monthly;

const SCAN_FROM = 1e-3;
const SCAN_TO = 1e6;
const STEPS_PER_DECADE = 200;

/**
 * Where the rival's monthly bill is at most jobline's, from 0.001 to 1,000,000 jobs/s: scanned
 * on a log grid (200 points a decade), each change bisected to the rate where it happens.
 */
export function breakEven(level: TrackingLevel, rival: Rival, handlerMs: number, perJob: PerJob = DEFAULT_PER_JOB, a: Assumptions = ASSUMPTIONS): BreakEven {
  const cheaper = (rate: number) => rivalMonthly(rival, rate, handlerMs, a) <= joblineMonthly(level, rate, handlerMs, perJob, a);
  /** The first rate after `from` whose answer differs from `from`'s, `to`'s being different. */
  const change = (from: number, to: number) => {
    const before = cheaper(from);
    for (let i = 0; i < 60; i++) {
      const mid = (from + to) / 2;
      if (cheaper(mid) === before) from = mid;
      else to = mid;
    }
    return to;
  };
  const steps = Math.round(Math.log10(SCAN_TO / SCAN_FROM) * STEPS_PER_DECADE);
  const grid = Array.from({ length: steps + 1 }, (_, i) => SCAN_FROM * 10 ** (i / STEPS_PER_DECADE));
  const flags = grid.map(cheaper);
  const ranges: { from: number; to: number | null }[] = [];
  flags.forEach((flag, i) => {
    if (flag && (i === 0 || !flags[i - 1])) ranges.push({ from: i === 0 ? grid[0]! : change(grid[i - 1]!, grid[i]!), to: null });
    if (flag && i < flags.length - 1 && !flags[i + 1]) ranges[ranges.length - 1]!.to = change(grid[i]!, grid[i + 1]!);
  });
  const last = ranges[ranges.length - 1];
  const jobsPerSecond = last && last.to === null ? last.from : null;
  return { level, rival, handlerMs, jobsPerSecond, jobsPerMonth: jobsPerSecond === null ? null : jobsPerSecond * SECONDS_PER_MONTH, cheaperRanges: ranges };
}

export function computeBreakEvens(perJob: PerJob = DEFAULT_PER_JOB, a: Assumptions = ASSUMPTIONS): BreakEven[] {
  return [0, a.handlerMs].flatMap((handlerMs) => RIVALS.flatMap((rival) => TRACKING_LEVELS.map((level) => breakEven(level, rival, handlerMs, perJob, a))));
}

/** Dollars for the table: cents below $100, whole dollars above. */
const money = (x: number) => (Math.abs(x) >= 100 ? Math.round(x) : Math.round(x * 100) / 100);
/** 1 M, 10 M, 1 B… */
function count(n: number): string {
  const [value, unit] = n >= 1e9 ? [n / 1e9, 'B'] : n >= 1e6 ? [n / 1e6, 'M'] : n >= 1e3 ? [n / 1e3, 'k'] : [n, ''];
  return `${round(value)}${unit ? ` ${unit}` : ''}`;
}
const handlerLabel = (ms: number) => (ms === 0 ? 'none' : `${ms} ms/job`);

function mergeAssumptions(partial: Partial<Assumptions> = {}): Assumptions {
  return {
    ...ASSUMPTIONS, ...partial,
    worker: { ...ASSUMPTIONS.worker, ...partial.worker },
    redis: { ...ASSUMPTIONS.redis, ...partial.redis },
    postgres: { ...ASSUMPTIONS.postgres, ...partial.postgres },
  };
}

function priceLine(name: string, price: Price): string {
  return `${price.verified ? 'verified' : 'NOT VERIFIED'}: ${name} = ${price.value} ${price.unit}; source ${price.source}; as of ${price.asOf}${price.note ? ` (${price.note})` : ''}`;
}

export async function run(options: BreakEvenOptions): Promise<BreakEvenSection> {
  const perJob = options.perJob ?? DEFAULT_PER_JOB;
  const a = mergeAssumptions(options.assumptions);
  const handlers = [0, a.handlerMs];

  const rows: Record<string, string | number>[] = [];
  for (const handlerMs of handlers) {
    for (const volume of VOLUMES) {
      const rate = volume / SECONDS_PER_MONTH;
      const redis = redisMonthly(rate, handlerMs, a);
      const postgres = postgresMonthly(rate, handlerMs, a);
      rows.push({
        'jobs/month': count(volume),
        'jobs/s': round(rate),
        handler: handlerLabel(handlerMs),
        ...Object.fromEntries(TRACKING_LEVELS.map((level) => [`jobline ${level} $/mo`, money(joblineMonthly(level, rate, handlerMs, perJob, a))])),
        'Redis queue $/mo': money(redis.monthly),
        'Postgres queue $/mo': money(postgres.monthly),
        'Redis setup': redis.setup,
        'Postgres setup': postgres.setup,
      });
    }
  }

  const breakEvens = computeBreakEvens(perJob, a);
  const at = (b: BreakEven) => {
    const earlier = b.cheaperRanges.filter((r) => r.to !== null).map((r) => `${round(r.from)}–${round(r.to!)} jobs/s`);
    if (b.jobsPerSecond === null) return `"${b.level}" at no rate for good up to 1,000,000 jobs/s${earlier.length > 0 ? ` (only at ${earlier.join(' and ')})` : ''}`;
    const also = earlier.length > 0 ? `; also at ${earlier.join(' and ')}, before it outgrows its smallest setup` : '';
    return `"${b.level}" from ${round(b.jobsPerSecond)} jobs/s on (${count(b.jobsPerMonth!)} jobs/month${also})`;
  };
  const sentences = handlers.flatMap((handlerMs) => RIVALS.map((rival) => {
    const mine = breakEvens.filter((b) => b.rival === rival && b.handlerMs === handlerMs);
    return `${RIVAL_NAMES[rival]}, handler time ${handlerLabel(handlerMs)}: its bill is lower than jobline's at ${mine.map(at).join(', at ')}.`;
  }));
  const lowest = Math.min(...breakEvens.flatMap((b) => b.cheaperRanges.map((r) => r.from)));
  const highest = breakEvens.every((b) => b.jobsPerSecond !== null) ? Math.max(...breakEvens.map((b) => b.jobsPerSecond!)) : null;
  const topVolume = Math.max(...VOLUMES);
  const top = topVolume / SECONDS_PER_MONTH;
  const cheapestRivalAtTop = Math.min(...RIVALS.map((rival) => rivalMonthly(rival, top, 0, a)));
  const cheapestJoblineAtTop = Math.min(...TRACKING_LEVELS.map((level) => joblineMonthly(level, top, 0, perJob, a)));

  const w = a.worker;
  const perVcpu = (handlerMs: number) => w.utilisation / (1 / w.overheadJobsPerVcpuSecond + handlerMs / 1000 / w.jobsInFlightPerVcpu);
  const fargatePerVcpuHour = PRICES.fargateArmVcpuHour.value + w.gbPerVcpu * PRICES.fargateArmGbHour.value;
  const fullPerMillion = joblinePerJob('full', 0, perJob, a) * 1e6;
  const opsMonthly = 100;
  const partialBatch = (2 - 2 / DEFAULT_BATCH_SIZE) * PRICES.sqsStandardRequest.value + (1 - 1 / DEFAULT_BATCH_SIZE) * PRICES.lambdaRequest.value;
  const computeNone = lambdaComputePerJob(0, a) * 1e6;
  const computeHandler = lambdaComputePerJob(a.handlerMs, a) * 1e6;
  const verified = Object.values(PRICES).filter((p) => p.verified).length;

  const notes = [
    `Bills at a flat sustained rate (jobs/month ÷ ${SECONDS_PER_MONTH.toLocaleString('en-US')} s, a 30-day month of ${HOURS_PER_MONTH} hours), us-east-1 on-demand list prices from bench/prices.ts, no free tier and no reserved or Savings Plan discount on either side.`,
    `jobline per job (input${options.perJob ? ', as measured in this run' : ': bench:cost defaults'}): ${TRACKING_LEVELS.map((l) => `${l} $${perJob[l].dollarsPerMillion}/M`).join(', ')} — DynamoDB units, SQS requests and Lambda requests for 1 KB payloads enqueued in batches of 100 and run in Lambda batches of ${DEFAULT_BATCH_SIZE}.`,
    `Added here to jobline: Lambda compute for the ${DEFAULT_WORKER_MEMORY_MB} MB ${a.lambdaArchitecture} worker (DEFAULT_WORKER_MEMORY_MB; jobline's functions run on Graviton) — ASSUMED ${a.batchOverheadMs} ms per no-op batch of ${DEFAULT_BATCH_SIZE} on AWS (not measured here; 50–100 ms expected), $${round(computeNone)}/M; with ${a.handlerMs} ms of handler time per job, $${round(computeHandler)}/M in all (${a.lambdaHandlerOverlap === 1 ? `each job's handler time billed in full, as if a batch's handlers ran one after another — CPU-bound work or the worst case; jobline runs a batch's records concurrently, so I/O-bound handlers overlap and cost up to ${DEFAULT_BATCH_SIZE}× less on this line` : `${a.lambdaHandlerOverlap} of a batch's handlers overlapping, as I/O-bound handlers do when jobline runs a batch's records concurrently`}; on x86 the line is 25 % more).`,
    `Also added: the sweeper's read of each record (~${round((a.jobRecordKb / 4) * 0.5)} read unit) and a day of DynamoDB storage at ${a.jobRecordKb} KB a record, $${round(recordExtrasPerJob(a) * 1e6)}/M together; and $${money(joblineFixedMonthly(a))} a month with no jobs (the sweeper every minute over ${DEFAULT_SHARD_COUNT} shards, ~${count(a.idleReceivesPerMonth)} empty long polls of one lane: ASSUMED 5 pollers × 3 a minute).`,
    `Self-hosted workers (ASSUMED): Fargate ARM tasks with ${w.gbPerVcpu} GB per vCPU ($${Math.round(fargatePerVcpuHour * 10_000) / 10_000}/vCPU-hour with its memory; EC2 m7g.large is $${Math.round((PRICES.ec2M7gLarge.value / 2) * 10_000) / 10_000}/vCPU-hour, so EC2 workers would not move the break-even); one vCPU runs ${w.jobsInFlightPerVcpu} jobs at once (I/O-bound handlers: Sidekiq threads, BullMQ concurrency, River workers) and spends ${round(1000 / w.overheadJobsPerVcpuSecond)} ms of CPU per job in the queue client; fleets run at most ${w.utilisation * 100} % busy; at least ${w.minTasks} tasks always on (0.25 vCPU the smallest). That is ${Math.round(perVcpu(0))} jobs/s per vCPU with no handler time and ${Math.round(perVcpu(a.handlerMs))} with ${a.handlerMs} ms.`,
    `Redis broker (ASSUMED thresholds; node prices NOT VERIFIED, see below): ElastiCache for Valkey, a primary and ${a.redis.replicas} replica in another AZ; cache.t4g.small up to ${a.redis.smallNodeMaxJobsPerSecond} jobs/s — BullMQ's Lua scripts run some 30–40 commands per job (add, fetch, complete, events), so that is ~${count(a.redis.smallNodeMaxJobsPerSecond * 40)} commands/s, well inside a burstable node's baseline; cache.m7g.large shards up to ${count(a.redis.largeShardMaxJobsPerSecond)} jobs/s each (~${count(a.redis.largeShardMaxJobsPerSecond * 40)} commands/s on Redis's one command thread, with headroom), queues split across shards above that. Finished jobs are removed at once (removeOnComplete), so memory holds the backlog only (1.37 GiB ≈ a million 1 KB jobs) — jobline keeps a queryable record a day.`,
    `Postgres broker (ASSUMED thresholds; the db.m7g.large price NOT VERIFIED): RDS for PostgreSQL${a.postgres.multiAz ? ', Multi-AZ (instance and storage billed twice)' : ''}; db.t4g.small up to ${a.postgres.smallMaxJobsPerSecond} jobs/s (River writes ~4 rows a job — insert, fetch, complete, clean-up — plus WAL and the autovacuum of a churning table: ~${a.postgres.smallMaxJobsPerSecond * 4} row writes/s stays inside a burstable baseline); db.m7g.large up to ${count(a.postgres.largeMaxJobsPerSecond)} jobs/s, one size up (price ×2) per doubling of rate; gp3 for ${a.postgres.retentionDays} day of finished jobs at ${a.postgres.retainedKbPerJob} KB each (row, indexes, dead tuples), at least ${a.postgres.minStorageGb} GB.`,
    `Traffic is flat (peak/average ${a.peakToAverage}): a provisioned setup sized for its peaks costs more than these rows at high volume, while jobline's bill follows the jobs run. Each $${opsMonthly} a month of engineers' time spent running the broker and the fleet (not counted) moves the break-even with "full" up by ${count((opsMonthly / fullPerMillion) * 1e6)} jobs/month (${round((opsMonthly / fullPerMillion) * 1e6 / SECONDS_PER_MONTH)} jobs/s).`,
    `jobline's figures assume full batches of ${DEFAULT_BATCH_SIZE}: at a few jobs a second Lambda's pollers hand over smaller batches unless the worker's maxBatchingWindow is set, and a batch of 1 costs $${round(partialBatch)}/M more (1.8 more SQS requests and 0.9 more invocations per job) — near the break-even rates below, set maxBatchingWindow (e.g. 1 s) or count that.`,
    `CloudWatch Logs: jobline's per-job figures include what its worker logs (bench:cost counts it: on the happy path 64 bytes a job of metric lines, a job's success line being DEBUG); a self-hosted worker's logs are not counted. Not counted on either side: alarms and dashboards, cross-AZ data transfer between workers and a single-AZ primary (billed to the self-hosted side), NAT, backups; jobs delayed beyond 15 minutes add $${PRICES.schedulerInvocation.value}/M EventBridge Scheduler invocations to jobline (after 14 M free a month).`,
    ...sentences,
    `In short: below ${round(lowest)} jobs/s sustained (${count(lowest * SECONDS_PER_MONTH)} jobs/month) jobline is the smaller bill against every setup here; ${highest === null ? 'some setup here never becomes the smaller bill for good' : `above ${round(highest)} jobs/s (${count(highest * SECONDS_PER_MONTH)} jobs/month) every provisioned setup here is smaller`}; at ${count(topVolume)} jobs/month the cheapest provisioned setup costs ${round(cheapestJoblineAtTop / cheapestRivalAtTop)}× less than jobline's cheapest level. What jobline's bill buys instead: no broker or fleet to run, size or patch, ~$${money(joblineFixedMonthly(a))} a month when idle, and AWS's multi-AZ durability.`,
    `Prices (${verified} of ${Object.keys(PRICES).length} verified in a dated source; unverified ones are recalled list prices to check):`,
    ...Object.entries(PRICES).map(([name, price]) => priceLine(name, price)),
  ];

  return { id: 'break-even', title: 'Break-even: jobline against a provisioned Redis or Postgres queue, $ a month', rows, targets: [], notes, breakEvens };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printSection(await run({ quick: false }));
}
