import * as fc from 'fast-check';
import { expect } from 'vitest';
import { JobNotCancellableError, JobNotRetryableError, JoblineError } from '../../lib/errors.js';
import { MESSAGE_ATTRIBUTES } from '../../lib/job-message.js';
import type { JobRecord } from '../../lib/job-record.js';
import { isFinished, type JobStatus } from '../../lib/job-status.js';
import type { OperatorWorld} from './operator-world.js';
import { VISIBILITY_SECONDS, type Behaviour } from './operator-world.js';

/*
 * The model-based test of operator actions (issue 20): random interleavings of enqueues,
 * deliveries (succeeding, failing transiently or for good, crashing at an attempt step, or
 * stalling past the lease), time, sweeper passes, and an operator's retry, cancel, discard and
 * redrive, run against the real worker and operator code over the store under test. After every
 * step the invariants below must hold; at the end, with every stalled worker resumed and the
 * queue drained, every job must be final.
 */

/** What the invariants remember between steps. */
export interface Observed {
  /** Jobs final (succeeded, failed, cancelled) when the step began. */
  finalAtStart: Set<string>;
  /** Jobs a redrive may send back, as the step began: failed ones, and ones SQS itself moved to the DLQ (a copy without a claim token). */
  redrivable: Set<string>;
  /** Claim tokens seen on failed records: the only tokens a DLQ copy may carry. */
  readonly failedTokens: Set<string>;
  /** Children discarded, with the status they had (they stay counted on their parent). */
  readonly discarded: Map<string, JobStatus>;
}

type Command = fc.AsyncCommand<Record<string, never>, OperatorWorld, boolean>;

/** A command: a name for the report, and what it does. */
function command(name: string, run: (world: OperatorWorld, seen: Observed) => Promise<void>, seen: Observed): Command {
  return {
    check: () => true,
    run: async (_model, world) => {
      world.step++;
      world.time += 1;
      await beginStep(world, seen);
      const sendsBefore = world.sqs.sends.length;
      await run(world, seen);
      await checkInvariants(world, seen, { name, sendsBefore });
    },
    toString: () => name,
  };
}

/** Ignores what an operator is told when an action does not apply (the store's answer); anything else fails the run. */
async function operator(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof JobNotRetryableError || error instanceof JobNotCancellableError) return;
    if (error instanceof JoblineError && /changed \d+ times/.test(error.message)) return;
    throw error;
  }
}

/** The commands fast-check draws from. */
export function operatorCommands(seen: Observed): fc.Arbitrary<Command>[] {
  const pick = fc.nat({ max: 40 });
  const job = (world: OperatorWorld, index: number) => world.jobs[index % Math.max(1, world.jobs.length)];
  const behaviours: Behaviour[] = ['succeed', 'transient', 'permanent'];
  const deliver = pick.map((i) => command(`deliver message #${i}`, (w) => w.deliver(i), seen));
  const pass = fc.integer({ min: 1, max: 3 * VISIBILITY_SECONDS }).map((s) => command(`${s} s pass`, async (w) => {
    w.time += s * 1000;
  }, seen));
  const fails = fc.constantFrom<Behaviour>('transient', 'permanent');
  return [
    fc.option(fails, { freq: 2 }).map((b) => command(`enqueue a task${b ? ` that will fail (${b})` : ''}`, async (w) => {
      await w.enqueueTask();
      if (b) w.behaviour.set(w.jobs.at(-1)!, b);
    }, seen)),
    fc.record({ children: fc.integer({ min: 1, max: 3 }), failFast: fc.boolean(), failing: fc.option(fc.record({ child: fc.nat({ max: 2 }), how: fails }), { freq: 2 }) })
      .map(({ children, failFast, failing }) => command(`enqueue a parent of ${children}${failFast ? ' (fail fast)' : ''}${failing ? `, child ${failing.child % children} will fail (${failing.how})` : ''}`, async (w) => {
        await w.enqueueParent(children, failFast);
        if (failing) w.behaviour.set(w.childrenOf.get(w.jobs.at(-children - 1)!)![failing.child % children]!, failing.how);
      }, seen)),
    fc.record({ i: pick, b: fc.constantFrom(...behaviours) }).map(({ i, b }) => command(`job #${i} will ${b}`, async (w) => {
      const id = job(w, i);
      if (id) w.behaviour.set(id, b);
    }, seen)),
    deliver, deliver, deliver, deliver,
    fc.record({ i: pick, at: fc.constantFrom('claimed' as const, 'handled' as const, 'recorded' as const) }).map(({ i, at }) => command(`deliver message #${i}, the worker dies at ${at}`, (w) => w.deliver(i, { crashAt: at }), seen)),
    pick.map((i) => command(`deliver message #${i}, the worker stalls after the handler`, (w) => w.deliver(i, { stall: true }), seen)),
    pick.map((i) => command(`stalled worker #${i} wakes`, (w) => w.resumeStalled(i), seen)),
    pass, pass,
    fc.constant(command('sweep', (w) => w.sweep(), seen)),
    pick.map((i) => command(`operator retries job #${i}`, async (w) => {
      const id = job(w, i);
      if (id) await operator(() => w.retry(id));
    }, seen)),
    pick.map((i) => command(`operator cancels job #${i}`, async (w) => {
      const id = job(w, i);
      if (id) await operator(() => w.cancel(id));
    }, seen)),
    pick.map((i) => command(`operator discards job #${i}`, async (w, s) => {
      const id = job(w, i);
      if (!id) return;
      const before = await w.store.get(id);
      await operator(async () => {
        await w.discard(id);
        s.discarded.set(id, before!.status);
      });
    }, seen)),
    fc.record({ laneRunning: fc.boolean(), clockAheadMs: fc.constantFrom(0, 30_000) }).map((options) => command(`operator redrives the DLQ${options.laneRunning ? ' while the lane runs' : ''}${options.clockAheadMs ? ', their clock 30 s ahead' : ''}`, async (w) => {
      await w.redrive(options);
    }, seen)),
  ];
}

/** Every invariant, on the world as it is after a step. */
export async function checkInvariants(world: OperatorWorld, seen: Observed, step: { name: string; sendsBefore: number }): Promise<void> {
  const records = await world.records();
  const byId = new Map(records.map((r) => [r.id, r]));
  for (const r of records) if (r.status === 'failed' && r.claimToken) seen.failedTokens.add(r.claimToken);

  // No handler run of a job that was final when the step began, unless the step reopened it (an operator's retry, a redrive) — and then once.
  const reopenings = world.reopened.filter((r) => r.step === world.step);
  const runs = world.runs.filter((run) => run.step === world.step);
  expect(runs.filter((run) => seen.finalAtStart.has(run.jobId) && !reopenings.some((r) => r.jobId === run.jobId)).map((run) => run.jobId), `${step.name}: a handler ran for a job that was already final`).toEqual([]);
  for (const reopening of reopenings) {
    const after = runs.filter((run) => run.jobId === reopening.jobId && run.seq > reopening.seq && !reopenings.some((r) => r.jobId === run.jobId && r.seq > reopening.seq && r.seq < run.seq));
    expect(after.length, `${step.name}: job ${reopening.jobId} ran ${after.length} times after it was reopened once`).toBeLessThanOrEqual(1);
  }

  // A redrive moves each job at most once, and only a failed job or one SQS itself moved to the DLQ — never the old copy of a job retried since.
  if (step.name.includes('redrive')) {
    const moved = world.reopened.filter((r) => r.step === world.step).map((r) => r.jobId);
    expect(moved.filter((id, i) => moved.indexOf(id) !== i), 'a redrive requeued a job twice').toEqual([]);
    const sent = world.redriven.filter((r) => r.step === world.step).map((r) => r.jobId);
    expect(sent.filter((id, i) => sent.indexOf(id) !== i), 'a redrive sent a job twice').toEqual([]);
    // (While the lane runs, a job can fail during the redrive, and with the operator's clock ahead its new copy is taken as one from before.)
    if (!step.name.includes('while the lane runs')) expect(sent.filter((id) => !seen.redrivable.has(id)), 'a redrive sent back a job that was neither failed nor moved by SQS').toEqual([]);
  }

  // A DLQ copy exists only for a failure a record showed (a refused write leaves none).
  for (const copy of world.sqs.dlq) {
    const token = copy.attributes[MESSAGE_ATTRIBUTES.claimToken];
    if (token !== undefined) expect(seen.failedTokens.has(token), `DLQ copy of job ${copy.attributes[MESSAGE_ATTRIBUTES.id]} from a failure no record showed`).toBe(true);
  }

  for (const r of records) {
    // Final records expire (TTL); unfinished ones never do.
    expect(r.expiresAt !== undefined, `job ${r.id} is ${r.status} ${r.expiresAt === undefined ? 'without' : 'with'} an expiry`).toBe(isFinished(r.status));
    expect(stranded(world, r), `job ${r.id} is ${r.status} with nothing that will move it`).toBe(false);
  }

  // Each child counts once on its parent; a parent finished by its children has all of them final (fail-fast aside).
  for (const [parentId, children] of world.childrenOf) {
    const parent = byId.get(parentId);
    if (!parent || parent.childrenTotal === undefined) continue;
    const statuses = children.map((id) => byId.get(id)?.status ?? seen.discarded.get(id));
    const count = (s: JobStatus) => statuses.filter((x) => x === s).length;
    expect({ done: parent.childrenDone, failed: parent.childrenFailed, cancelled: parent.childrenCancelled }, `the counts of parent ${parentId} (children: ${statuses.join(', ')})`)
      .toEqual({ done: statuses.filter((s) => s !== undefined && isFinished(s)).length, failed: count('failed'), cancelled: count('cancelled') });
    if (parent.status === 'succeeded') expect(statuses.every((s) => s === 'succeeded'), `parent ${parentId} succeeded with children ${statuses.join(', ')}`).toBe(true);
    if (parent.settledAt && !parent.failFast) expect(statuses.every((s) => s !== undefined && isFinished(s)), `parent ${parentId} finished with children ${statuses.join(', ')}`).toBe(true);
    if (step.name === 'sweep' && parent.status === 'waiting') expect(statuses.some((s) => s === undefined || !isFinished(s)), `parent ${parentId} still waits after a sweep, its children all final`).toBe(true);
  }
}

/**
 * True when nothing will move an unfinished job on: no message, schedule, kept payload, stalled
 * worker or unfinished child — nor a copy in the DLQ (SQS's own redrive after too many
 * receives), which the DLQ alarm shows and a redrive resumes.
 */
function stranded(world: OperatorWorld, record: JobRecord): boolean {
  if (isFinished(record.status)) return false;
  const hasMessage = world.sqs.queue.some((m) => m.jobId === record.id) || world.sqs.dlq.some((m) => m.body.includes(`"id":"${record.id}"`));
  if (record.status === 'waiting') return false; // its children are checked themselves; a sweep settles it once they are final
  if (record.status === 'running') return !hasMessage && !world.stalled.some((s) => s.jobId === record.id);
  const kept = record.status === 'queued' && record.payload !== undefined;
  const scheduled = record.scheduleName !== undefined && world.scheduler.schedules.has(record.scheduleName);
  return !hasMessage && !kept && !scheduled;
}

/**
 * The end of a run: every stalled worker wakes, jobs now succeed, and rounds of a redrive (which
 * resumes what SQS moved to the DLQ) then time passing, every message delivered and a sweep go
 * on until the queue is empty; every job must then be final.
 */
export async function drain(world: OperatorWorld, seen: Observed): Promise<void> {
  while (world.stalled.length > 0) await world.resumeStalled(0);
  for (const id of world.jobs) world.behaviour.set(id, 'succeed');
  const asStep = async (name: string, run: () => Promise<void>) => {
    world.step++;
    world.time += 1;
    await beginStep(world, seen);
    const sendsBefore = world.sqs.sends.length;
    await run();
    await checkInvariants(world, seen, { name, sendsBefore });
  };
  for (let round = 0; round < 40; round++) {
    await asStep('operator redrives the DLQ', async () => {
      await world.redrive();
    });
    if (world.sqs.queue.length === 0) break;
    await asStep('deliver everything', async () => {
      world.time += VISIBILITY_SECONDS * 1000;
      while (world.sqs.visible().length > 0) await world.deliver(0);
    });
    await asStep('sweep', () => world.sweep());
  }
  const unfinished = (await world.records()).filter((r) => !isFinished(r.status)).map((r) => `${r.id} ${r.status}`);
  expect(unfinished, 'jobs left unfinished once every message was delivered').toEqual([]);
}

/** A fresh record of what the invariants remember. */
export function observed(): Observed {
  return { finalAtStart: new Set(), redrivable: new Set(), failedTokens: new Set(), discarded: new Map() };
}

/** What the invariants note as a step begins. */
async function beginStep(world: OperatorWorld, seen: Observed): Promise<void> {
  const records = await world.records();
  seen.finalAtStart = new Set(records.filter((r) => isFinished(r.status)).map((r) => r.id));
  const movedBySqs = world.sqs.dlq.filter((m) => m.attributes[MESSAGE_ATTRIBUTES.claimToken] === undefined).map((m) => /"id":"(\w+)"/.exec(m.body)?.[1]);
  seen.redrivable = new Set([...records.filter((r) => r.status === 'failed').map((r) => r.id), ...movedBySqs.filter((id): id is string => id !== undefined)]);
}
