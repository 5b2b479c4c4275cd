import type { TrackingLevel } from '../job-definition.js';
import { AWS_PRICES } from './aws-prices.js';
import type { KindCostProfile } from './kind-profile.js';
import type { KindTraffic } from './kind-traffic.js';
import { MEASURED_PATHS, MEASURED_RUN, type MeasuredPathId } from './measured-paths.js';
import { addUnits, dollarsPerMillion, NO_UNITS, type PathUnits } from './path-units.js';

const DAY_SECONDS = 86_400;

/** A kind's estimated AWS cost, from its profile, its worker's metrics and the measured paths. */
export interface KindCostEstimate {
  readonly kind: string;
  readonly lane: string;
  readonly tracking: TrackingLevel;
  /** What the worker's metrics counted in the window. */
  readonly traffic: KindTraffic;
  /** The window's length, in seconds. */
  readonly windowSeconds: number;
  /** Jobs that finished in the window (succeeded or failed for good, or, for a parent, handed over to its children), as a rate per day. */
  readonly jobsPerDay: number;
  /** Failed attempts that were retried, per finished job. */
  readonly retriesPerJob: number;
  /** Jobs that failed for good, per finished job. */
  readonly failuresPerJob: number;
  /** What one job uses, on average: the kind's path, its options, and its retries and failures at the rates measured. */
  readonly unitsPerJob: PathUnits;
  /** A million such jobs' DynamoDB, SQS, Lambda invocations, Scheduler, S3 GETs and logs, in dollars (no compute: see `computeDollarsPerDay`). */
  readonly dollarsPerMillion: number;
  /** `dollarsPerMillion` at `jobsPerDay`. */
  readonly dollarsPerDay: number;
  /** Lambda compute for the handlers' time, per day, at the worker's memory (arm64): at most this, as the jobs of one batch run at once and are billed once. */
  readonly computeDollarsPerDay: number;
  /** What the estimate assumes and leaves out, in words. */
  readonly notes: readonly string[];
}

/** What the estimate needs beyond the kind: the window the traffic covers and the worker's memory. */
export interface EstimateContext {
  readonly windowSeconds: number;
  readonly workerMemoryMb: number;
}

/** What taking `path` adds to a plain job's units (tracked in full, enqueued in a batch, succeeding at once), `share` times. */
const extraOf = (path: MeasuredPathId, share = 1): PathUnits => addUnits(NO_UNITS, addUnits(MEASURED_PATHS[path], MEASURED_PATHS.full, -1), share);
const money = (dollars: number) => `$${dollars.toFixed(2)}`;

/**
 * A kind's cost: its tracking level's path as `npm run bench:cost` measured it (lib/cost/measured-paths.ts),
 * plus what each of its options adds there (tags, a unique key, limits, heartbeats), plus its
 * retries and failures at the rates its worker's metrics show, priced at lib/cost/aws-prices.ts.
 */
export function estimateKindCost(kind: string, profile: KindCostProfile, traffic: KindTraffic, context: EstimateContext): KindCostEstimate {
  // A parent's attempt ends waiting for its children; it finishes later with no metric of its own.
  const jobs = traffic.succeeded + traffic.failed + traffic.waited;
  const retriesPerJob = jobs > 0 ? traffic.retried / jobs : 0;
  const failuresPerJob = jobs > 0 ? traffic.failed / jobs : 0;
  const notes = [`per-path units as jobline's cost benchmark measured them (BENCHMARKS.md, at ${MEASURED_RUN.commit}); us-east-1 list prices (AWS_PRICES, each with its source and date)`];
  let units: PathUnits = { ...MEASURED_PATHS[profile.tracking] };
  const add = (path: MeasuredPathId, share = 1) => {
    units = addUnits(units, extraOf(path, share));
  };
  if (typeof profile.tags === 'number') add('twoTags', profile.tags / 2);
  if (profile.tags === 'computed') notes.push(`tags computed per job are not counted: each adds ${money(dollarsPerMillion(extraOf('twoTags', 0.5)))} per million`);
  if (profile.unique) add('unique');
  if (profile.concurrency) add('concurrency');
  if (profile.rateLimit) add('rateLimit');
  if (profile.heartbeat) add('heartbeat');
  if (profile.heartbeat) notes.push('heartbeats counted as one per job');
  if (profile.debounce) notes.push('enqueues a debounce folds into a pending job are not counted');
  add('retry', retriesPerJob);
  add('failure', failuresPerJob);
  if (traffic.delayedByLimit > 0) notes.push(`${traffic.delayedByLimit} waits for a limit are not counted (each a fresh message; see the flow-control rows of the cost benchmark)`);
  notes.push(`counted as enqueued in batches (enqueueMany); one enqueue call per job adds ${money(dollarsPerMillion(extraOf('oneAtATime')))} per million`);
  const perDay = DAY_SECONDS / context.windowSeconds;
  const jobsPerDay = jobs * perDay;
  const perMillion = dollarsPerMillion(units);
  return {
    kind,
    lane: profile.lane,
    tracking: profile.tracking,
    traffic,
    windowSeconds: context.windowSeconds,
    jobsPerDay,
    retriesPerJob,
    failuresPerJob,
    unitsPerJob: units,
    dollarsPerMillion: perMillion,
    dollarsPerDay: (perMillion * jobsPerDay) / 1e6,
    computeDollarsPerDay: (traffic.durationMs / 1000) * (context.workerMemoryMb / 1024) * AWS_PRICES.lambdaGbSecondArm.value * perDay,
    notes,
  };
}
