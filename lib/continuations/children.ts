import { tagsOf } from '../tags/tags-of.js';
import { jobMessage } from '../transport/job-transport.js';
import type { Logger } from '@aws-lambda-powertools/logger';
import { messageGroupOf } from '../flow-control/flow-keys.js';
import { ConfigurationError, JobNotCancellableError, LeaseLostError } from '../errors.js';
import { expiryOf, type JobDefinition } from '../job-definition.js';
import { deterministicJobId, timeOf } from '../job-id.js';
import { encodeJobMessage } from '../job-message.js';
import type { JobError, JobRecord } from '../job-record.js';
import { childCountsOf, type ChildCounts } from '../store/dynamo/child-counts.js';
import type { AttemptRef, NewJob } from '../store/job-store.js';
import { validatePayload } from '../job-registry.js';
import { traced, type ContinuationDependencies } from './continuation-dependencies.js';
import { jobTracer } from '../tracing/job-tracer.js';

/** What settling a parent needs (the worker's dependencies, or the sweeper's). */
export type SettleDependencies = Pick<ContinuationDependencies, 'store' | 'registry' | 'shardCount' | 'now'>;

/** How long a parent's settling stays taken: past it, another child (or the sweeper) takes it over. */
export const SETTLEMENT_STALE_MS = 60_000;

/** Entries of each list field a parent's summary gathers from its children's results. */
export const MAX_SUMMARY_LIST = 1000;

/** Options of `ctx.spawn`. */
export interface SpawnOptions {
  /** When one child fails, fail the parent at once and cancel the children that have not started. @default false */
  readonly failFast?: boolean;
}

/** The id of a parent's `index`-th child: derived, so a retried parent never makes a second set, and children can be found without an index. */
export function childJobId(parentId: string, index: number, shardCount: number): string {
  return deterministicJobId(timeOf(parentId), `${parentId}:child:${index}`, shardCount);
}

/**
 * `ctx.spawn`: writes a parent's children (each only if absent) and sends them, after setting
 * the parent's counters up. Called once per attempt; the parent then waits for them.
 */
export class Spawner {
  spawned = false;

  constructor(
    private readonly parent: AttemptRef,
    private readonly deps: ContinuationDependencies,
    /** Called between writing the children and sending them (a fault-injection seam: the worker's `onStep`). */
    private readonly onWritten?: () => void | Promise<void>,
  ) {}

  async spawn(definition: JobDefinition, payloads: readonly unknown[], options: SpawnOptions = {}): Promise<string[]> {
    if (this.spawned) throw new ConfigurationError('ctx.spawn', ['a job spawns its children once per attempt, in one call']);
    if (this.deps.lanes && !this.deps.lanes.includes(definition.lane)) throw new ConfigurationError(`children "${definition.kind}" cannot be spawned`, [`lane "${definition.lane}" is not configured`]);
    const checked = payloads.map((payload, index) => validatePayload(definition, payload, `child ${index}`));
    if (!(await this.deps.store.prepareChildren(this.parent, { total: payloads.length, failFast: options.failFast ?? false }))) {
      throw new LeaseLostError('the parent lost its lease before spawning its children');
    }
    const now = this.deps.now();
    const children: Array<NewJob & { json: string }> = checked.map(({ json, bytes, payload }, index) => traced({
      id: childJobId(this.parent.id, index, this.deps.shardCount),
      kind: definition.kind, lane: definition.lane, status: 'queued', maxAttempts: definition.retry.maxAttempts,
      payloadBytes: bytes, createdAt: now, createdBy: `job:${this.parent.id}`, parentId: this.parent.id, json,
      groupId: messageGroupOf(definition, payload, `child ${index}`),
      tags: tagsOf(definition, payload, undefined, now, `child ${index}`),
    }, this.deps));
    if (new Set(children.map((c) => c.id)).size !== children.length) throw new Error('derived child ids collided; refusing to spawn children that would share records');
    await this.deps.store.insertChildren(children);
    await this.onWritten?.();
    const send = () => this.deps.transport.send(definition.lane, children.map((c) => jobMessage(c, encodeJobMessage(c.id, c.kind, c.json, { recorded: true, trace: c.trace }))));
    // More than one child: their send has a span of its own, linking each child's creation (tracing on).
    const { failedIds } = children.length > 1 ? await jobTracer().send(this.deps.queues?.[definition.lane] ?? definition.lane, children.map((c) => c.trace), send) : await send();
    await Promise.all(children.filter((c) => failedIds.includes(c.id)).map((c) => this.deps.store.keepUndispatched(c.id, c.json, now)));
    this.spawned = true;
    return children.map((c) => c.id);
  }
}

/**
 * Brings a parent up to date after a child reached a final state (or on the sweeper's rounds):
 * a failing child of a fail-fast parent fails it and cancels the children not yet started;
 * once every child is final, the parent finishes — `failed` if any child failed or was
 * cancelled — with a summary of its children (their summed numbers, and their list fields
 * gathered, up to 1000 entries). Each finish applies only while the counts it was decided on
 * hold, so a child an operator retries meanwhile keeps the parent open.
 */
export async function settleParent(parentId: string, deps: SettleDependencies, logger: SettleLogger, childFailure?: { childId: string; error: JobError }): Promise<void> {
  const parent = await deps.store.get(parentId);
  if (!parent || (parent.status !== 'waiting' && parent.status !== 'running')) return;
  const now = deps.now();
  const definition = deps.registry.find(parent.kind);
  const total = parent.childrenTotal ?? 0;
  const counts = childCountsOf(parent);
  const own = typeof parent.result === 'object' && parent.result !== null ? parent.result : {};
  if (childFailure && parent.failFast) {
    const error: JobError = { ...childFailure.error, message: `child ${childFailure.childId} failed: ${childFailure.error.message}; the children not yet started were cancelled`, attempt: parent.attempt, at: now.toISOString() };
    const expiresAt = expiryOf(definition, 'failed', now);
    if (!(await deps.store.finishParent(parentId, { now, status: 'failed', result: { ...own, ...summaryOf(parent, []) }, error, expiresAt, decidedOn: 'a-child-failed' }))) return;
    const ids = Array.from({ length: total }, (_, i) => childJobId(parentId, i, deps.shardCount));
    let cancelled = 0;
    for (let i = 0; i < ids.length; i += 25) {
      await Promise.all(ids.slice(i, i + 25).map(async (id) => {
        try {
          await deps.store.cancel(id, { now, reason: `parent ${parentId} failed fast`, expiresAt });
          cancelled++;
        } catch (e) {
          if (!(e instanceof JobNotCancellableError)) throw e;
        }
      }));
    }
    logger.warn('parent failed fast', { parentId, childId: childFailure.childId, cancelled });
    return;
  }
  if (parent.status !== 'waiting' || counts.done < total) return;
  // Children that finish together all get here: one reads their results and finishes the parent.
  if (!(await deps.store.claimSettlement(parentId, now, SETTLEMENT_STALE_MS))) return;
  const children = [];
  for (let i = 0; i < total; i += 50) {
    children.push(...(await Promise.all(Array.from({ length: Math.min(50, total - i) }, (_, j) => deps.store.get(childJobId(parentId, i + j, deps.shardCount))))));
  }
  const failed = counts.failed + counts.cancelled > 0;
  // The parent's own result (what its handler returned) stays, with the children's summary beside it.
  const summary = { ...own, ...summaryOf(parent, children.map((c) => c?.result)) };
  const expiresAt = expiryOf(definition, failed ? 'failed' : 'succeeded', now);
  const error: JobError | undefined = failed ? { message: unsuccessful(counts, total), class: 'ChildrenFailed', permanent: true, attempt: parent.attempt, at: now.toISOString() } : undefined;
  if (await deps.store.finishParent(parentId, { now, status: failed ? 'failed' : 'succeeded', result: summary, error, expiresAt, decidedOn: { counts } })) {
    logger.info('parent finished', { parentId, status: failed ? 'failed' : 'succeeded', children: total });
  }
}

/** What a parent's log lines go to (a Powertools Logger, or anything with its two methods). */
export type SettleLogger = Pick<Logger, 'info' | 'warn'>;

/** `2 of 5 children did not succeed: 2 failed`, `2 of 5 children did not succeed: 1 failed and 1 was cancelled`. */
function unsuccessful(counts: ChildCounts, total: number): string {
  const parts = [counts.failed > 0 ? `${counts.failed} failed` : '', counts.cancelled > 0 ? `${counts.cancelled} ${counts.cancelled === 1 ? 'was' : 'were'} cancelled` : ''].filter(Boolean);
  return `${counts.failed + counts.cancelled} of ${total} children did not succeed: ${parts.join(' and ')}`;
}

function summaryOf(parent: JobRecord, results: readonly unknown[]) {
  const lists: Record<string, unknown[]> = {};
  for (const result of results) {
    if (typeof result !== 'object' || result === null) continue;
    for (const [field, value] of Object.entries(result)) {
      if (!Array.isArray(value)) continue;
      const list = (lists[field] ??= []);
      list.push(...value.slice(0, Math.max(0, MAX_SUMMARY_LIST - list.length)));
    }
  }
  const { done, failed, cancelled } = childCountsOf(parent);
  return { children: { total: parent.childrenTotal ?? 0, succeeded: done - failed - cancelled, failed, cancelled }, totals: parent.childTotals ?? {}, ...lists };
}
