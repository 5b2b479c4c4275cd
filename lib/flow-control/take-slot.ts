import type { Logger } from '@aws-lambda-powertools/logger';
import type { JobDefinition } from '../job-definition.js';
import type { JobMessage } from '../job-message.js';
import type { JobTransport } from '../transport/job-transport.js';
import { concurrencyKeyOf, SLOT_RETRY_SECONDS } from './concurrency.js';
import type { HeldSlot, SlotStore } from './slot-store.js';

/** What taking a slot needs. */
export interface SlotDependencies {
  readonly slots?: SlotStore | undefined;
  readonly transport: JobTransport;
  readonly now: () => Date;
  readonly random: () => number;
}

/**
 * Takes a slot of the kind's concurrency limit for the job, before it is claimed (so waiting
 * uses no attempt). `run` when there is no limit, the payload does not parse (the claim and the
 * worker fail it), or a slot was free; `wait` when every slot is held: the job's message was
 * sent again, a few seconds later — a fresh copy, so waiting never counts towards SQS's
 * receive limit — and this one can go.
 */
export async function takeSlot(
  job: JobMessage,
  definition: JobDefinition | undefined,
  leaseUntil: Date,
  deps: SlotDependencies,
  logger: Logger,
): Promise<{ action: 'run'; slot?: HeldSlot } | { action: 'wait'; seconds: number }> {
  const limit = definition?.concurrency;
  if (!definition || !limit || !deps.slots) return { action: 'run' };
  const parsed = definition.schema.safeParse(job.payload);
  if (!parsed.success) return { action: 'run' };
  let key: string | undefined;
  try {
    key = concurrencyKeyOf(definition, parsed.data);
  } catch (error) {
    logger.warn('the concurrency key could not be computed; running without the limit', { error: error as Error });
    return { action: 'run' };
  }
  const slot = await deps.slots.acquire({ kind: definition.kind, key: key!, limit: limit.limit, holder: job.id, now: deps.now(), leaseUntil });
  if (slot) return { action: 'run', slot };
  const seconds = SLOT_RETRY_SECONDS + Math.round(deps.random());
  logger.info('every slot of the concurrency limit is held; waiting', { limit: limit.limit, key, seconds });
  return { action: 'wait', seconds };
}
