import { JobTimeoutError } from '../errors.js';

/** How an attempt ended. */
export type AttemptResult = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly thrown: unknown };

/**
 * Runs `work` with an AbortSignal that fires after `timeoutMs`. If the deadline passes the
 * attempt ends as a {@link JobTimeoutError} even when `work` ignores the signal: the
 * worker must answer SQS before Lambda's own timeout fails the whole batch.
 */
export async function runWithDeadline(timeoutMs: number, work: (signal: AbortSignal) => Promise<unknown>, controller = new AbortController()): Promise<AttemptResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new JobTimeoutError(timeoutMs);
      controller.abort(error);
      reject(error);
    }, Math.max(0, timeoutMs));
  });
  // Aborted from outside (a lost lease): end the attempt at once too.
  const aborted = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true }));
  try {
    const result = await Promise.race([work(controller.signal), deadline, aborted]);
    return { ok: true, result };
  } catch (thrown) {
    return { ok: false, thrown: controller.signal.aborted ? controller.signal.reason : thrown };
  } finally {
    clearTimeout(timer);
  }
}
