import type { JobDefinition, TrackingLevel } from '../job-definition.js';

/**
 * What sets a kind's cost per job, from its definition: the operators' config carries it (a
 * stack output), so tools that do not import the kinds can price them.
 */
export interface KindCostProfile {
  readonly lane: string;
  readonly tracking: TrackingLevel;
  /** Tags each job carries from its kind: the fixed list's length, or `computed` when a function of the payload makes them. Tags an enqueue adds are not counted. */
  readonly tags?: number | 'computed' | undefined;
  readonly unique?: true | undefined;
  readonly concurrency?: true | undefined;
  readonly rateLimit?: true | undefined;
  readonly debounce?: true | undefined;
  readonly heartbeat?: true | undefined;
}

/** The cost profile of a kind's definition (its options that change what a job writes and sends). */
export function costProfileOf(definition: Pick<JobDefinition, 'lane' | 'tracking' | 'tags' | 'unique' | 'concurrency' | 'rateLimit' | 'debounce' | 'heartbeatSeconds'>): KindCostProfile {
  const tags = definition.tags === undefined ? 0 : typeof definition.tags === 'function' ? 'computed' : definition.tags.length;
  return {
    lane: definition.lane,
    tracking: definition.tracking,
    ...(tags !== 0 ? { tags } : {}),
    ...(definition.unique ? { unique: true } : {}),
    ...(definition.concurrency ? { concurrency: true } : {}),
    ...(definition.rateLimit ? { rateLimit: true } : {}),
    ...(definition.debounce ? { debounce: true } : {}),
    ...(definition.heartbeatSeconds !== undefined ? { heartbeat: true } : {}),
  };
}
