import { tagsOf } from '../tags/tags-of.js';
import { jobMessage } from '../transport/job-transport.js';
import type { Logger } from '@aws-lambda-powertools/logger';
import { ConfigurationError } from '../errors.js';
import type { JobDefinition } from '../job-definition.js';
import { newJobId } from '../job-id.js';
import { encodeJobMessage } from '../job-message.js';
import { validatePayload } from '../job-registry.js';
import { messageGroupOf } from '../flow-control/flow-keys.js';
import type { FollowUp } from '../store/attempt-outcome.js';
import { traced, type ContinuationDependencies } from './continuation-dependencies.js';
import { jobTracer } from '../tracing/job-tracer.js';

/**
 * `ctx.then`: a follow-up job of `definition`, made now and written only with its
 * predecessor's success. Throws ConfigurationError for a lane the config does not have and
 * InvalidPayloadError for a payload its schema refuses — both permanent: no retry fixes them.
 */
export function followUpOf(definition: JobDefinition, payload: unknown, predecessorId: string, deps: Pick<ContinuationDependencies, 'lanes' | 'now' | 'shardCount' | 'queues'>): FollowUp {
  if (deps.lanes && !deps.lanes.includes(definition.lane)) {
    throw new ConfigurationError(`follow-up "${definition.kind}" cannot be enqueued`, [`its lane "${definition.lane}" is not configured; lanes: ${deps.lanes.join(', ')}`]);
  }
  const { json, bytes, payload: parsed } = validatePayload(definition, payload, 'follow-up');
  const now = deps.now();
  return {
    record: traced({
      id: newJobId(deps.shardCount, now.getTime()), kind: definition.kind, lane: definition.lane, status: 'queued', maxAttempts: definition.retry.maxAttempts,
      payloadBytes: bytes, createdAt: now, createdBy: `job:${predecessorId}`, predecessorId, groupId: messageGroupOf(definition, parsed, 'follow-up'),
      tags: tagsOf(definition, parsed, undefined, now, 'follow-up'),
    }, deps),
    payloadJson: json,
  };
}

/** Sends the follow-ups' messages once their records are written; any that fail stay undispatched, with their payload, for the sweeper. */
export async function dispatchFollowUps(followUps: readonly FollowUp[], deps: Pick<ContinuationDependencies, 'store' | 'transport' | 'queues'>, logger: Pick<Logger, 'error'>): Promise<void> {
  for (const lane of new Set(followUps.map((f) => f.record.lane))) {
    const group = followUps.filter((f) => f.record.lane === lane);
    try {
      const send = () => deps.transport.send(lane, group.map((f) => jobMessage(f.record, encodeJobMessage(f.record.id, f.record.kind, f.payloadJson, { recorded: true, trace: f.record.trace }))));
      // More than one: their send has a span of its own, linking each one's creation (tracing on).
      const { failedIds } = group.length > 1 ? await jobTracer().send(deps.queues?.[lane] ?? lane, group.map((f) => f.record.trace), send) : await send();
      await Promise.all(group.filter((f) => !failedIds.includes(f.record.id)).map((f) => deps.store.markDispatched(f.record.id)));
    } catch (error) {
      logger.error('could not send follow-ups; the sweeper will', { error: error as Error });
    }
  }
}
