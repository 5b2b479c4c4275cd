import type { Logger } from '@aws-lambda-powertools/logger';
import type { JoblineConfig } from '../config.js';
import { firstIdAt } from '../job-id.js';
import type { JobRecord } from '../job-record.js';
import { dispatchKept } from '../dispatcher/dispatch-kept.js';
import type { JobScheduler } from '../scheduler/job-scheduler.js';
import type { SweepStore } from '../store/dynamo/dynamo-sweep-store.js';
import { awaitsStreamDispatch } from '../store/dynamo/job-item.js';
import type { JobTransport } from '../transport/job-transport.js';

/** How the sweeper judges jobs. */
export interface SweepOptions {
  /** A job still queued or running this long after it was created is watched, and counted stuck when its lease has expired. */
  readonly stuckAfterSeconds: number;
  /** How far back the very first sweep of a shard looks (later sweeps continue from their cursor). @default 3600 */
  readonly firstLookbackSeconds?: number;
}

/** What one sweep did and found. */
export interface SweepReport {
  /** Jobs whose message had not been sent, sent now (or scheduled). */
  readonly redispatched: number;
  /** Jobs read past the horizon for the first time. */
  readonly examined: number;
  /** Jobs in the watch index after this sweep. */
  readonly watched: number;
  /** Running jobs whose lease has expired: their worker died or hung and no delivery has taken them over yet. */
  readonly stuckRunning: number;
  /** Queued jobs older than the horizon (a backlog, or a message that never reached the queue). */
  readonly staleQueued: number;
  /** Ids of stuck and stale jobs (at most 20), for the log. */
  readonly stuckJobIds: readonly string[];
  /** Waiting parents checked (any whose children had all finished were finished). */
  readonly parentsChecked: number;
}

/** What a sweep needs. */
export interface SweepDependencies {
  readonly store: SweepStore;
  /** Finishes a waiting parent whose children have all finished (a no-op otherwise). */
  readonly settleParent: (parentId: string) => Promise<void>;
  readonly transport: JobTransport;
  readonly scheduler: JobScheduler;
  readonly config: JoblineConfig;
  readonly logger: Logger;
  readonly now: () => Date;
}

/**
 * One pass of the sweeper, over every shard:
 * 1. sends the message of every job whose enqueue could not (its payload was kept);
 * 2. reads, once each, the jobs that have just passed the stuck horizon (a cursor per shard,
 *    so each job is read once, not every minute) and puts those still queued or running
 *    in the watch index;
 * 3. checks the watched jobs: finished ones leave; running ones with an expired lease are
 *    stuck; queued ones are stale;
 * 4. finishes waiting parents whose children have all finished (a worker that died right
 *    after the last child's outcome left it waiting).
 * A crashed or wedged worker's job is taken over by the next delivery of its message (the
 * lease has expired by then); the sweeper makes such jobs visible and counts them.
 */
export async function sweep(deps: SweepDependencies, options: SweepOptions): Promise<SweepReport> {
  const now = deps.now();
  const shards = Array.from({ length: deps.config.shardCount }, (_, shard) => shard);
  const results = await Promise.all(shards.map((shard) => sweepShard(shard, now, deps, options)));
  const stuck = results.flatMap((r) => r.stuck);
  const stale = results.flatMap((r) => r.stale);
  return {
    redispatched: sum(results.map((r) => r.redispatched)),
    examined: sum(results.map((r) => r.examined)),
    watched: sum(results.map((r) => r.watched)),
    stuckRunning: stuck.length,
    staleQueued: stale.length,
    stuckJobIds: [...stuck, ...stale].slice(0, 20),
    parentsChecked: sum(results.map((r) => r.parents)),
  };
}

async function sweepShard(shard: number, now: Date, deps: SweepDependencies, options: SweepOptions) {
  const undispatched = await deps.store.undispatched(shard);
  const { dispatched } = await dispatchKept(undispatched, now, {
    transport: deps.transport,
    scheduler: deps.scheduler,
    markDispatched: (id, status) => deps.store.markDispatched(id, status),
    thresholdSeconds: deps.config.scheduler.thresholdSeconds,
    logger: deps.logger,
  });
  if (dispatched.length > 0) deps.logger.info('dispatched jobs whose message had not been sent', { jobIds: dispatched });
  const redispatched = dispatched.length;

  const horizon = firstIdAt(now.getTime() - options.stuckAfterSeconds * 1000);
  const after = (await deps.store.cursor(shard)) ?? firstIdAt(now.getTime() - (options.stuckAfterSeconds + (options.firstLookbackSeconds ?? 3600)) * 1000);
  const fresh = horizon > after ? await deps.store.unfinishedBetween(shard, after, horizon) : [];
  const resent = await sendStreamJobs(fresh, now, deps);
  await deps.store.watch(fresh.map((r) => r.id));
  if (horizon > after) await deps.store.saveCursor(shard, horizon);

  // The index is eventually consistent: jobs watched a moment ago may not be listed yet.
  const byId = new Map<string, JobRecord>([...(await deps.store.watched(shard)), ...fresh].map((r) => [r.id, r]));
  const stuck: string[] = [];
  const stale: string[] = [];
  for (const record of byId.values()) {
    if (record.status === 'running' && (record.leaseUntil ?? '') < now.toISOString()) stuck.push(record.id);
    else if (record.status === 'queued') stale.push(record.id);
    else if (record.status !== 'running') await deps.store.unwatch(record.id);
  }
  const watched = [...byId.values()].filter((r) => r.status === 'running' || r.status === 'queued').length;
  const parents = await deps.store.waitingParents(shard);
  for (const parentId of parents) await deps.settleParent(parentId);
  return { redispatched: redispatched + resent, examined: fresh.length, watched, stuck, stale, parents: parents.length };
}

/**
 * The net under the dispatcher: jobs written in callers' transactions that are still queued
 * with their payload when they pass the stuck horizon — the stream gave up on them, or they
 * wait in a backlog — are sent once more (a copy of a sent message runs nothing twice). Any
 * that cannot be sent now go to the undispatched index, which later sweeps send from.
 */
async function sendStreamJobs(fresh: readonly JobRecord[], now: Date, deps: SweepDependencies): Promise<number> {
  const kept = fresh.filter((r) => r.status === 'queued' && awaitsStreamDispatch(r)).map((record) => ({ record, payloadJson: JSON.stringify(record.payload) }));
  if (kept.length === 0) return 0;
  const { dispatched, failed } = await dispatchKept(kept, now, { transport: deps.transport, scheduler: deps.scheduler, thresholdSeconds: deps.config.scheduler.thresholdSeconds, logger: deps.logger });
  await Promise.all(failed.map((id) => deps.store.markUndispatched(id)));
  if (dispatched.length > 0) deps.logger.warn('sent transactional jobs the dispatcher had not', { jobIds: dispatched });
  return dispatched.length;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
