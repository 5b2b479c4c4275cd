import { createHash } from 'node:crypto';
import { InvalidEnqueueOptionsError } from '../errors.js';
import type { JobDefinition } from '../job-definition.js';
import { keyProblem } from '../flow-options.js';

/** The flow-control options of a kind that count payloads under a key. */
export type KeyedOption = 'concurrency' | 'rateLimit' | 'debounce' | 'group';

/**
 * The key an option of the kind counts a payload under: its key function's, `*` for a limit
 * of the whole kind (no key function), or undefined when the kind does not have the option.
 * Throws InvalidEnqueueOptionsError when the key function throws or gives no key, so that a
 * caller learns it at enqueue rather than a worker later.
 */
export function flowKeyOf(definition: JobDefinition, option: KeyedOption, payload: unknown, context?: string): string | undefined {
  const declared = definition[option];
  if (!declared) return undefined;
  const keyOf = declared.key as ((payload: unknown) => unknown) | undefined;
  if (!keyOf) return '*';
  let key: unknown;
  const problem = keyProblem(() => (key = keyOf(payload)));
  if (problem) throw new InvalidEnqueueOptionsError(`the ${option} key of "${definition.kind}" is not usable: ${problem}`, { context });
  return key as string;
}

/** What SQS takes as a message group id: 1–128 printable ASCII characters, no spaces. */
const GROUP_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * The message group of a payload for a kind with `group` (SQS fair queues), or undefined. A key
 * SQS would refuse as a group id (spaces, non-ASCII) is replaced by a digest of it, so every
 * key works and equal keys share a group.
 */
export function messageGroupOf(definition: JobDefinition, payload: unknown, context?: string): string | undefined {
  const key = flowKeyOf(definition, 'group', payload, context);
  if (key === undefined || GROUP_ID.test(key)) return key;
  return `sha256:${createHash('sha256').update(key).digest('base64url')}`;
}
