import { ulid } from 'ulid';
import { JoblineError } from '../errors.js';
import type { JobRecord } from '../job-record.js';
import { OPERATOR_ACTION_STATUSES, type JobStatus } from '../job-status.js';
import type { BulkActionName, BulkFilter, BulkProgressStore, BulkState } from './bulk-progress.js';

/** Actions a second a bulk operation takes at most, unless told otherwise. */
export const DEFAULT_BULK_PER_SECOND = 50;
/** Waiting messages on a lane above which a bulk retry pauses, unless told otherwise. */
export const DEFAULT_BULK_MAX_BACKLOG = 1000;
/** Jobs a bulk operation reads per page; its progress is saved after each. */
export const DEFAULT_BULK_PAGE_SIZE = 50;
/** How long a bulk retry waits before it looks at a lane's backlog again, in ms. */
const BACKLOG_PAUSE_MS = 2000;
/** Jobs a dry run shows. */
const SAMPLE_SIZE = 10;
/** Skipped jobs a report names (the counts cover all of them). */
const SKIPPED_EXAMPLES = 20;
/** The reason given for a job changed since the operation started. */
export const CHANGED_SINCE_START = 'changed after the operation started (not in its selection)';

/** How a bulk operation runs. */
export interface BulkOptions {
  /** Count the selection and show a sample; change nothing, save nothing. */
  readonly dryRun?: boolean | undefined;
  /** Actions per second at most. @default {@link DEFAULT_BULK_PER_SECOND} */
  readonly perSecond?: number | undefined;
  /** A retry waits while the job's lane has more messages waiting than this (Infinity: never looks). @default {@link DEFAULT_BULK_MAX_BACKLOG} */
  readonly maxBacklog?: number | undefined;
  /** Jobs per page. @default {@link DEFAULT_BULK_PAGE_SIZE} */
  readonly pageSize?: number | undefined;
  /** Ends the run after the job at hand; its progress is saved, and `resume` goes on from there. */
  readonly signal?: AbortSignal | undefined;
  /** Told after each page (and at the end). */
  readonly onProgress?: ((report: BulkReport) => void) | undefined;
}

/** What a bulk operation did so far: its state, and for a dry run a sample of what it would act on. */
export interface BulkReport extends BulkState {
  readonly dryRun: boolean;
  readonly sample?: readonly JobRecord[] | undefined;
}

/** What a bulk operation reads and acts through (the inspector's own methods). */
export interface BulkDependencies {
  readonly list: (query: { status: JobStatus; kind?: string | undefined; tag?: string | undefined; since: Date; before?: string | undefined; limit: number }) => Promise<{ jobs: JobRecord[]; next?: string | undefined }>;
  readonly act: (action: BulkActionName, id: string) => Promise<unknown>;
  /** Messages waiting on a lane's queue. */
  readonly waitingIn: (lane: string) => Promise<number>;
  readonly progress: BulkProgressStore;
  readonly now: () => Date;
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

const DEFAULT_STATUS: Record<BulkActionName, JobStatus> = { retry: 'failed', cancel: 'queued', discard: 'failed' };

/** A new bulk operation's state: its selection fixed now. Throws for a status the action cannot apply to. */
export function startBulk(action: BulkActionName, filter: BulkFilter, now: Date): BulkState {
  const status = filter.status ?? DEFAULT_STATUS[action];
  if (!OPERATOR_ACTION_STATUSES[action].includes(status)) throw new JoblineError(`a bulk ${action} acts on ${OPERATOR_ACTION_STATUSES[action].join(' or ')} jobs, not ${status} ones`);
  const until = filter.until ?? now;
  const since = filter.since ?? new Date(now.getTime() - 86_400_000);
  if (!(since < until)) throw new JoblineError(`since (${since.toISOString()}) must be before until (${until.toISOString()})`);
  return {
    id: ulid(now.getTime()), action, startedAt: now.toISOString(), updatedAt: now.toISOString(),
    filter: { status, kind: filter.kind, tag: filter.tag, since: since.toISOString(), until: until.toISOString() },
    selected: 0, done: 0, skipped: {}, skippedExamples: [], complete: false,
  };
}

/**
 * Runs a bulk operation from where its state says, page by page, newest job first, over the
 * selection it fixed when it started: jobs matching its filter, created in its window, and
 * unchanged since it started — a job its own retry sent back to failed, or one that failed
 * only later, is left alone. Each job is acted on through the one-job action (its conditions
 * hold: a job no longer retryable is skipped with the reason). Paced to `perSecond`; a retry
 * also waits while its lane's backlog is over `maxBacklog`, so the lane's own traffic is never
 * more than that far behind. Progress is saved after every page, and on abort.
 */
export async function runBulk(deps: BulkDependencies, initial: BulkState, options: BulkOptions = {}): Promise<BulkReport> {
  const dryRun = options.dryRun ?? false;
  const perSecond = options.perSecond ?? DEFAULT_BULK_PER_SECOND;
  const maxBacklog = options.maxBacklog ?? DEFAULT_BULK_MAX_BACKLOG;
  const pageSize = options.pageSize ?? DEFAULT_BULK_PAGE_SIZE;
  if (!(perSecond > 0)) throw new JoblineError(`perSecond must be above 0, got ${perSecond}`);
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const sample: JobRecord[] = [];
  let state = initial;
  const report = (): BulkReport => ({ ...state, dryRun, ...(dryRun ? { sample } : {}) });
  const save = async (changes: Partial<BulkState>) => {
    state = { ...state, ...changes, updatedAt: deps.now().toISOString() };
    if (!dryRun) await deps.progress.save(state);
    options.onProgress?.(report());
  };
  const { filter } = state;
  const since = new Date(filter.since);
  // The earliest time of the next action: actions are spaced 1/perSecond apart (the first at once).
  let nextAt = deps.now().getTime();
  while (!state.complete) {
    if (options.signal?.aborted) break;
    const page = await deps.list({ status: filter.status, kind: filter.kind, tag: filter.tag, since, before: state.cursor, limit: pageSize });
    const inWindow = page.jobs.filter((job) => job.createdAt >= filter.since && job.createdAt <= filter.until);
    if (!dryRun && state.action === 'retry' && maxBacklog !== Infinity) await waitForRoom(deps, sleep, new Set(inWindow.map((job) => job.lane)), maxBacklog, options.signal);
    let { cursor, selected, done } = state;
    const skipped = { ...state.skipped };
    const examples = [...state.skippedExamples];
    const skip = (id: string, reason: string) => {
      skipped[reason] = (skipped[reason] ?? 0) + 1;
      if (examples.length < SKIPPED_EXAMPLES) examples.push({ id, reason });
    };
    let stopped = false;
    for (const job of page.jobs) {
      if (options.signal?.aborted) {
        stopped = true;
        break;
      }
      cursor = job.id;
      if (!inWindow.includes(job)) continue;
      // Changed since the operation started: not in its selection (its own retry failed again, or it failed only later).
      if (job.updatedAt > state.startedAt) {
        skip(job.id, CHANGED_SINCE_START);
        continue;
      }
      selected++;
      if (dryRun) {
        if (sample.length < SAMPLE_SIZE) sample.push(job);
        continue;
      }
      const wait = nextAt - deps.now().getTime();
      if (wait > 0) await sleep(wait);
      nextAt = deps.now().getTime() + 1000 / perSecond;
      try {
        await deps.act(state.action, job.id);
        done++;
      } catch (error) {
        skip(job.id, reasonOf(error, job.id));
      }
    }
    // Ids sort by creation time: past the window's start, nothing older is in it.
    const pastWindow = (page.jobs.at(-1)?.createdAt ?? filter.since) < filter.since;
    const over = !stopped && (page.next === undefined || pastWindow);
    await save({ cursor: stopped ? cursor : (page.next ?? cursor), selected, done, skipped, skippedExamples: examples, complete: over });
    if (stopped) break;
  }
  return report();
}

/** Waits while any of `lanes` has more than `maxBacklog` messages waiting (an abort ends the wait). */
async function waitForRoom(deps: BulkDependencies, sleep: (ms: number) => Promise<void>, lanes: ReadonlySet<string>, maxBacklog: number, signal: AbortSignal | undefined): Promise<void> {
  for (const lane of lanes) {
    while (!signal?.aborted && (await deps.waitingIn(lane)) > maxBacklog) await sleep(BACKLOG_PAUSE_MS);
  }
}

/** Why one job was skipped, in words shared by every job it applies to (the job's own id taken out). */
function reasonOf(error: unknown, id: string): string {
  return String((error as Error)?.message ?? error).replaceAll(id, 'the job');
}
