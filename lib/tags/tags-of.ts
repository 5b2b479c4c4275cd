import { InvalidEnqueueOptionsError } from '../errors.js';
import type { JobDefinition } from '../job-definition.js';
import { MAX_TAG_LENGTH, MAX_TAGS, TAG, TAG_SLACK_SECONDS, type NewJobTags } from './job-tags.js';

/**
 * The tags of one job: its kind's (`tags`, computed from the payload) and its enqueue's
 * (`extra`), each checked, without repeats. Throws InvalidEnqueueOptionsError — before anything
 * is written — for a tag that is not one, too many, or a kind's function that throws. Undefined
 * when the job has none: it writes nothing for tags.
 */
export function tagsOf(definition: JobDefinition, payload: unknown, extra: readonly string[] | undefined, due: Date, context?: string): NewJobTags | undefined {
  const declared = definition.tags;
  let own: unknown = [];
  if (typeof declared === 'function') {
    try {
      own = declared(payload);
    } catch (error) {
      throw new InvalidEnqueueOptionsError(`the tags of "${definition.kind}" could not be computed: ${(error as Error).message}`, { context, cause: error });
    }
  } else if (declared) own = declared;
  if (extra !== undefined && !Array.isArray(extra)) throw new InvalidEnqueueOptionsError(`tags must be an array of strings, got ${JSON.stringify(extra)}`, { context });
  if (!Array.isArray(own)) throw new InvalidEnqueueOptionsError(`the tags of "${definition.kind}" must be an array of strings, got ${JSON.stringify(own)}`, { context });
  const names = [...new Set([...(own as unknown[]), ...(extra ?? [])])];
  if (names.length === 0) return undefined;
  if (definition.tracking !== 'full') throw new InvalidEnqueueOptionsError(`"${definition.kind}" is tracked "${definition.tracking}": a tag points at the job's record, which such a job has only once it runs (use tracking "full")`, { context });
  const bad = names.filter((name) => typeof name !== 'string' || !TAG.test(name));
  if (bad.length > 0) throw new InvalidEnqueueOptionsError(`a tag must be 1–${MAX_TAG_LENGTH} letters, digits or _ . : / @ = + -, got ${bad.map((name) => JSON.stringify(name)).join(', ')}`, { context });
  if (names.length > MAX_TAGS) throw new InvalidEnqueueOptionsError(`a job carries at most ${MAX_TAGS} tags, got ${names.length} (${names.join(', ')})`, { context });
  const retention = Math.max(definition.retention.succeededSeconds, definition.retention.failedSeconds);
  return { names: names as string[], expiresAt: new Date(due.getTime() + (retention + TAG_SLACK_SECONDS) * 1000) };
}
