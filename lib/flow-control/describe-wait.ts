import type { JobWait } from '../job-record.js';

const LIMITS: Record<JobWait['limit'], string> = {
  concurrency: 'a free slot of its concurrency limit',
  rateLimit: 'its turn under its rate limit',
  debounce: 'its debounce window to be quiet',
};

/**
 * What a waiting job waits for, in words, as the CLI and the dashboard show it: e.g.
 * `waits for its turn under its rate limit (key "ada") until 2026-12-01T10:00:02.100Z, since …`.
 */
export function describeWait(wait: JobWait): string {
  const key = wait.key === '*' ? 'the whole kind' : `key ${JSON.stringify(wait.key)}`;
  return `waits for ${LIMITS[wait.limit] ?? wait.limit} (${key})${wait.until ? ` until ${wait.until}` : ''}, since ${wait.since}`;
}
