import { JoblineError } from '../errors.js';
import { isJobId } from '../job-id.js';
import type { JobRecord } from '../job-record.js';
import { answerOf, isSettled, type JobResult } from './job-result.js';
import type { ResultStore } from './result-store.js';

/** Longest `waitSeconds` a result call takes. */
export const MAX_RESULT_WAIT_SECONDS = 900;
/** First pause between reads of a job that has not finished, in ms; each later one is 1.5 times longer, up to {@link RESULT_POLL_MAX_MS}. */
export const RESULT_POLL_FIRST_MS = 100;
/** Longest pause between reads: a wait of a minute costs about 65 reads. */
export const RESULT_POLL_MAX_MS = 1000;

/** Options of a result call. */
export interface ResultOptions {
  /** How long to wait for a job that has not finished (or has no record yet), in seconds; up to 900. @default 0: answer at once */
  readonly waitSeconds?: number;
  /** Ends the wait early: the answer is then what the job's record said last. */
  readonly signal?: AbortSignal;
}

/** What {@link awaitResult} reads through. */
export interface ResultSource {
  readonly get: (id: string) => Promise<JobRecord | undefined>;
  readonly results?: ResultStore | undefined;
  /** Why a job has no record, in words: the caller knows which kinds could explain it. */
  readonly notFound: string;
  readonly now: () => Date;
  readonly sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
}

/**
 * Reads a job's record until it has a settled answer (a result, a failure, too large, expired)
 * or `waitSeconds` pass: it reads again after 100 ms, then each pause 1.5 times longer, up to
 * one a second. A job not found is read again too: a kind tracked from its claim or by its
 * outcome has no record until it runs.
 */
export async function awaitResult(id: string, source: ResultSource, options: ResultOptions = {}): Promise<JobResult> {
  if (!isJobId(id)) throw new JoblineError(`${JSON.stringify(id)} is not a job id (26 characters of Crockford base-32, as enqueue returns)`);
  const waitSeconds = options.waitSeconds ?? 0;
  if (!(typeof waitSeconds === 'number' && waitSeconds >= 0 && waitSeconds <= MAX_RESULT_WAIT_SECONDS)) {
    throw new JoblineError(`waitSeconds must be a number of seconds from 0 to ${MAX_RESULT_WAIT_SECONDS}, got ${JSON.stringify(waitSeconds)}`);
  }
  const waitMs = waitSeconds * 1000;
  const deadline = source.now().getTime() + waitMs;
  const sleep = source.sleep ?? pause;
  let delay = RESULT_POLL_FIRST_MS;
  for (;;) {
    const answer = await answerOf(id, await source.get(id), source.now(), source.results, source.notFound);
    const left = deadline - source.now().getTime();
    if (isSettled(answer) || left <= 0 || options.signal?.aborted) return answer;
    await sleep(Math.min(delay, left), options.signal);
    delay = Math.min(Math.round(delay * 1.5), RESULT_POLL_MAX_MS);
  }
}

/** A wait that an abort ends early (without throwing: the caller answers with what it has). */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
