import type { JobRegistry } from '../job-registry.js';
import type { JobStore } from '../store/job-store.js';
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
}
