import type { JobRegistry } from '../job-registry.js';
import type { JobStore } from '../store/job-store.js';
import type { NewJob } from '../store/new-job.js';
import { jobTracer, type Creation } from '../tracing/job-tracer.js';
import type { JobTransport } from '../transport/job-transport.js';

/**
 * What a job's continuations (children and their parents, follow-ups) need: the store and
 * transport, the kinds, the shard count ids derive from, and the lanes the config has. The
 * worker's dependencies have all of it; the sweeper and the inspector pass what they use.
 */
export interface ContinuationDependencies {
  readonly registry: JobRegistry;
  readonly store: JobStore;
  readonly transport: JobTransport;
  readonly now: () => Date;
  /** Shards of the jobs table (child ids derive from it). */
  readonly shardCount: number;
  /** The lanes the config knows (follow-ups and children must go to one of them). @default any lane (test queues) */
  readonly lanes?: readonly string[] | undefined;
  /** Each lane's SQS queue name, for the spans of the jobs they make. @default the lane's name */
  readonly queues?: Readonly<Record<string, string>> | undefined;
}

/**
 * A child or follow-up with its creation context: its `create` span starts and ends now, under the
 * running job's span (tracing on), so the new job's attempts link back to the one that made it.
 */
export function traced<T extends NewJob>(job: T, deps: Pick<ContinuationDependencies, 'queues'>): T {
  const tracer = jobTracer();
  if (!tracer.enabled) return job;
  const creation: Creation = tracer.create({ id: job.id, kind: job.kind, queue: deps.queues?.[job.lane] ?? job.lane });
  creation.end();
  return creation.trace === undefined ? job : { ...job, trace: creation.trace };
}
