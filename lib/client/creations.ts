import type { Creation } from '../tracing/job-tracer.js';

/* Each enqueued job's `create` span (tracing on) ends once its job is written and sent, or refused. */

/** Prepares every request, or none: a refused one ends the `create` spans already started. */
export function prepareAll<T, P extends { creation: Creation }>(requests: readonly T[], prepare: (request: T, index: number) => P): P[] {
  const prepared: P[] = [];
  try {
    requests.forEach((request, index) => prepared.push(prepare(request, index)));
  } catch (error) {
    for (const p of prepared) p.creation.end(error);
    throw error;
  }
  return prepared;
}

/** Runs `write`, then ends each job's `create` span: as failed when the write threw. */
export async function endingCreations<T>(prepared: readonly { creation: Creation }[], write: () => Promise<T>): Promise<T> {
  try {
    const result = await write();
    for (const p of prepared) p.creation.end();
    return result;
  } catch (error) {
    for (const p of prepared) p.creation.end(error);
    throw error;
  }
}
