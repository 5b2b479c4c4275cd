import { ChangeMessageVisibilityCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { childJobId } from '../../lib/continuations/children.js';
import { JobInspector } from '../../lib/inspector/job-inspector.js';
import { attribute, client, handlerRuns, lane, sqs, stack, unique, waitForStatus, workerLogLines } from './support/deployed.js';
import { waitFor } from './support/wait.js';

/*
 * Operator actions at the worst moment, on the deployed stack (issue 20): each case that once
 * repeated an effect, miscounted a parent or stranded a job, now as it must be. The model-based
 * test (operator-model.test.ts) runs the same actions at random; these are the cases by name.
 */

const inspector = new JobInspector({ config: stack.config, sqs });
const shards = stack.config.shardCount;
const childrenOf = (parentId: string, n: number) => Array.from({ length: n }, (_, i) => childJobId(parentId, i, shards));
const runsOf = (id: string) => handlerRuns(id);

/** Every message in the lane's DLQ now, read in rounds until one brings nothing new, then made visible again. */
async function deadLetters(): Promise<Message[]> {
  const seen = new Map<string, Message>();
  for (let round = 0; round < 200; round++) {
    const output = await sqs.send(new ReceiveMessageCommand({ QueueUrl: lane.deadLetterQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 20, MessageAttributeNames: ['All'] }));
    const fresh = (output.Messages ?? []).filter((m) => !seen.has(m.MessageId!));
    if (fresh.length === 0) break;
    for (const m of fresh) seen.set(m.MessageId!, m);
  }
  await Promise.all([...seen.values()].map((m) => sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: lane.deadLetterQueueUrl, ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }))));
  return [...seen.values()];
}

/** The DLQ copies of each of `ids`. */
async function copiesOf(ids: readonly string[]): Promise<Map<string, Message[]>> {
  const all = await deadLetters();
  return new Map(ids.map((id) => [id, all.filter((m) => attribute(m, 'jobline.id') === id)]));
}

/** Job `id`'s message waiting on the (paused) lane, read in place: SQS's message group, and the one its body carries. */
async function messageInQueue(id: string, timeoutMs = 20_000, intervalMs = 250): Promise<{ group: string | undefined; bodyGroup: string | undefined }> {
  return waitFor(`job ${id}'s message on the lane`, async () => {
    const output = await sqs.send(new ReceiveMessageCommand({ QueueUrl: lane.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 0, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['MessageGroupId'] }));
    const message = output.Messages?.find((m) => (JSON.parse(m.Body ?? '{}') as { id?: string }).id === id);
    return message && { group: message.Attributes?.MessageGroupId, bodyGroup: (JSON.parse(message.Body!) as { group?: string }).group };
  }, { timeoutMs, intervalMs });
}

/** The message group of job `id`'s message waiting on the (paused) lane. */
const groupInQueue = async (id: string) => (await messageInQueue(id)).group;

/** Runs `act` with the default lane's worker paused, so the messages it sends stay on the lane to be read. */
async function paused<T>(act: () => Promise<T>): Promise<T> {
  await inspector.pause('default');
  try {
    return await act();
  } finally {
    await inspector.resume('default');
  }
}

describe('operator actions that cannot hurt, on the deployed stack', () => {
  it('one redrive of a job that fails on every run runs it exactly once more; its new failure waits for the next redrive', async () => {
    const job = await client.enqueue('test.child', { tenant: 'redrive', lock: unique('lock'), fail: 'always' });
    await waitForStatus(job.id, 'failed');
    const report = await inspector.redrive('default', { kinds: ['test.child'] });
    expect(report.moved).toBeGreaterThanOrEqual(1);
    expect(report.errors).toEqual([]);
    // It runs again and fails again: its new copy is the only one, and it carries the failure the record shows.
    await waitFor('the second run', async () => (await runsOf(job.id)) === 2);
    const again = await waitForStatus(job.id, 'failed');
    const [copies] = [...(await waitFor('the new DLQ copy', async () => {
      const found = await copiesOf([job.id]);
      return found.get(job.id)!.length > 0 ? found : undefined;
    })).values()];
    expect(copies!.map((m) => attribute(m, 'jobline.claim'))).toEqual([again.claimToken]);
    expect(await runsOf(job.id)).toBe(2);
  });

  it('counts a retried child once: its parent waits for its last child and finishes with exact counts', async () => {
    const lock = unique('lock');
    const parent = await client.enqueue('test.parent', { children: [
      // It fails once the slow one has started, so the slow one is still running when the retried one finishes.
      { tenant: 't', lock: `${lock}-0`, fail: 'first', after: `${lock}-2` },
      { tenant: 't', lock: `${lock}-1` },
      { tenant: 't', lock: `${lock}-2`, holdMs: 7000 },
    ] });
    const [first, second, slow] = childrenOf(parent.id, 3) as [string, string, string];
    await waitForStatus(first, 'failed');
    await inspector.retry(first);
    await Promise.all([waitForStatus(first, 'succeeded'), waitForStatus(second, 'succeeded')]);
    // The slow child still runs: the parent counts the two that finished, the retried one once.
    expect((await client.get(slow))?.status).toBe('running');
    expect(await client.get(parent.id)).toMatchObject({ status: 'waiting', childrenDone: 2, childrenFailed: 0 });
    const done = await waitForStatus(parent.id, 'succeeded', 60_000);
    expect(done).toMatchObject({ childrenTotal: 3, childrenDone: 3, childrenFailed: 0, childrenCancelled: 0, result: { children: { total: 3, succeeded: 3, failed: 0, cancelled: 0 } } });
    expect([await runsOf(first), await runsOf(second), await runsOf(slow)]).toEqual([2, 1, 1]);
  });

  it('refuses to discard a fail-fast parent while a child runs (the child runs once and reports), and a child while its parent has a record', async () => {
    const lock = unique('lock');
    // The first child fails once the second has started (a fail-fast parent cancels the children not yet started).
    const parent = await client.enqueue('test.parent', { failFast: true, children: [
      { tenant: 't', lock: `${lock}-0`, fail: 'first', after: `${lock}-1` },
      { tenant: 't', lock: `${lock}-1`, holdMs: 7000 },
    ] });
    const [failing, running] = childrenOf(parent.id, 2) as [string, string];
    await waitForStatus(parent.id, 'failed');
    expect((await client.get(running))?.status).toBe('running');
    await expect(inspector.discard(parent.id)).rejects.toThrow('1 of its 2 children have not finished');
    await expect(inspector.discard(failing)).rejects.toThrow(`it is a child of job ${parent.id}`);
    await waitForStatus(running, 'succeeded');
    expect(await runsOf(running)).toBe(1);
    expect(await client.get(parent.id)).toMatchObject({ status: 'failed', childrenDone: 2, childrenFailed: 1 });
    await inspector.discard(parent.id);
    expect(await client.get(parent.id)).toBeUndefined();
    await inspector.discard(failing);
  });

  it('refuses a stalled attempt\'s write once an operator\'s retry restarted the job (the same attempt number): no stale error, no DLQ copy of it', async () => {
    // The first run stalls past its 3 s lease and is failed (lease expired); the retry's run holds 6 s; the first wakes once it has started, and fails.
    const job = await client.enqueue('test.stale-writer', { holdMs: 6000 });
    expect((await waitForStatus(job.id, 'failed')).lastError).toMatchObject({ class: 'LeaseExpired', attempt: 1 });
    await inspector.retry(job.id);
    await waitFor('the stalled run to wake and be refused', async () => (await workerLogLines(job.id)).some((line) => line.includes('no DLQ copy made')), { timeoutMs: 60_000 });
    expect(await runsOf(`woke:${job.id}`)).toBe(1);
    const done = await waitForStatus(job.id, 'succeeded', 60_000);
    expect(done).toMatchObject({ attempt: 1, result: { run: 2 } });
    expect(done.errors?.map((e) => e.class)).toEqual(['LeaseExpired']);
    expect((await copiesOf([job.id])).get(job.id)!.map((m) => attribute(m, 'jobline.error-class'))).toEqual(['LeaseExpired']);
    expect(await runsOf(job.id)).toBe(2);
  });

  it('counts a cancelled child as final: its parent finishes; retrying the child reopens the parent, which finishes with it', async () => {
    const lock = unique('lock');
    // One lock: whichever child gets the slot holds it 6 s; the other waits, queued, when the operator cancels it.
    const parent = await client.enqueue('test.parent', { children: [{ tenant: 't', lock, holdMs: 6000 }, { tenant: 't', lock, holdMs: 6000 }] });
    const children = childrenOf(parent.id, 2);
    const waiting = await waitFor('a child to wait for the slot', async () => {
      for (const id of children) if ((await client.get(id))?.waitingFor?.limit === 'concurrency') return id;
      return undefined;
    });
    const holding = children.find((id) => id !== waiting)!;
    await inspector.cancel(waiting);
    const failed = await waitForStatus(parent.id, 'failed', 60_000);
    expect(failed).toMatchObject({ childrenDone: 2, childrenCancelled: 1, lastError: { class: 'ChildrenFailed', message: '1 of 2 children did not succeed: 1 was cancelled' } });
    expect(await runsOf(waiting)).toBe(0);
    await inspector.retry(waiting);
    expect(await client.get(parent.id)).toMatchObject({ status: 'waiting', childrenDone: 1, childrenCancelled: 0 });
    expect(await waitForStatus(parent.id, 'succeeded', 60_000)).toMatchObject({ childrenDone: 2, childrenCancelled: 0 });
    expect([await runsOf(holding), await runsOf(waiting)]).toEqual([1, 1]);
  });

  it('a redrive after an operator\'s retry deletes the copy the retry overtook and moves the job once, from its current failure', async () => {
    const job = await client.enqueue('test.child', { tenant: 'overtaken', lock: unique('lock'), fail: 'always' });
    await waitForStatus(job.id, 'failed');
    await inspector.retry(job.id);
    await waitFor('the retried run', async () => (await runsOf(job.id)) === 2);
    const current = await waitForStatus(job.id, 'failed');
    // Two copies now: the first failure's (overtaken by the retry) and the second's.
    await waitFor('both copies', async () => (await copiesOf([job.id])).get(job.id)!.length === 2);
    const report = await inspector.redrive('default', { kinds: ['test.child'] });
    expect(report.dropped).toBeGreaterThanOrEqual(1);
    await waitFor('the redriven run', async () => (await runsOf(job.id)) === 3);
    const after = await waitForStatus(job.id, 'failed');
    expect(after.claimToken).not.toBe(current.claimToken);
    const copies = await waitFor('the new copy', async () => {
      const found = (await copiesOf([job.id])).get(job.id)!;
      return found.length > 0 ? found : undefined;
    });
    expect(copies.map((m) => attribute(m, 'jobline.claim'))).toEqual([after.claimToken]);
    expect(await runsOf(job.id)).toBe(3);
  });

  it('never joins an enqueue to a debounced job an operator cancelled, and refuses to retry a job its key superseded', async () => {
    const key = unique('debounce');
    const first = await client.enqueue('test.debounced', { key, seq: 1 });
    await inspector.cancel(first.id);
    const second = await client.enqueue('test.debounced', { key, seq: 2 });
    expect(second.id).not.toBe(first.id);
    expect(second.debounced).toBeUndefined();
    expect(await waitForStatus(second.id, 'succeeded')).toMatchObject({ result: { seq: 2 } });
    // The cancelled job's message, when it comes, is superseded: its payload kept, so it can be retried...
    await waitFor('the cancelled job\'s payload to be kept', async () => (await client.get(first.id))?.payload !== undefined);
    await inspector.retry(first.id);
    // ...and the retried job, superseded by the key's job, is cancelled as such, and not retried again.
    const superseded = await waitFor('the retried job to be superseded', async () => {
      const record = await client.get(first.id);
      return record?.supersededBy ? record : undefined;
    });
    expect(superseded).toMatchObject({ status: 'cancelled', supersededBy: second.id });
    await expect(inspector.retry(first.id)).rejects.toThrow(`it was superseded: job ${second.id}`);
    expect(await runsOf(`debounced:${key}`)).toBe(1);
  });

  it('redrives one kind of a DLQ holding 20 dead jobs of two while the lane runs: each runs once more, the other kind\'s stay untouched', async () => {
    const redriven = await client.enqueueMany(Array.from({ length: 10 }, () => ({ job: 'test.child', payload: { tenant: 'bulk', lock: unique('lock'), fail: 'always' } })));
    const untouched = await client.enqueueMany(Array.from({ length: 10 }, (_, i) => ({ job: 'test.permanent', payload: { reason: `stays dead ${i}` } })));
    await Promise.all([...redriven, ...untouched].map((j) => waitForStatus(j.id, 'failed')));
    // A failure is recorded first and copied to the DLQ after: wait for all 20 copies before the redrive.
    const ids = [...redriven, ...untouched].map((j) => j.id);
    await waitFor('the 20 DLQ copies', async () => [...(await copiesOf(ids)).values()].every((copies) => copies.length === 1));
    const report = await inspector.redrive('default', { kinds: ['test.child'] });
    expect(report.moved).toBeGreaterThanOrEqual(10);
    for (const job of redriven) await waitFor(`job ${job.id} to run again`, async () => (await runsOf(job.id)) === 2);
    await Promise.all(redriven.map((j) => waitForStatus(j.id, 'failed')));
    const copies = await copiesOf([...redriven, ...untouched].map((j) => j.id));
    for (const job of redriven) {
      expect(await runsOf(job.id)).toBe(2);
      expect(copies.get(job.id)!.map((m) => attribute(m, 'jobline.claim'))).toEqual([(await client.get(job.id))!.claimToken]);
    }
    for (const job of untouched) {
      expect(await runsOf(job.id)).toBe(1);
      expect(await client.get(job.id)).toMatchObject({ status: 'failed', attempt: 1 });
      expect(copies.get(job.id)).toHaveLength(1);
    }
  });

  it('keeps a grouped kind\'s message group through enqueue, retry and redrive (read in place, the lane paused)', async () => {
    const job = await paused(async () => {
      const enqueued = await client.enqueue('test.child', { tenant: 'tenant-42', lock: unique('lock'), fail: 'always' });
      expect(await groupInQueue(enqueued.id)).toBe('tenant-42');
      return enqueued;
    });
    await waitForStatus(job.id, 'failed');
    await paused(async () => {
      await inspector.retry(job.id);
      expect(await groupInQueue(job.id)).toBe('tenant-42');
    });
    await waitFor('the retried run', async () => (await runsOf(job.id)) === 2);
    await waitForStatus(job.id, 'failed');
    await paused(async () => {
      await inspector.redrive('default', { kinds: ['test.child'] });
      expect(await groupInQueue(job.id)).toBe('tenant-42');
    });
    await waitFor('the redriven run', async () => (await runsOf(job.id)) === 3);
  });

  it('keeps the group of a job the dispatcher sends (enqueued in a transaction) and of one a schedule sends (in its body), and runs both', async () => {
    // Each in-place read is a receive, and test.child's DLQ takes a message after 6: one job on
    // the lane at a time, and the scheduled one read only once it is due.
    const inTransaction = await paused(async () => {
      const [sent] = await client.enqueueInTransaction([], [{ job: 'test.child', payload: { tenant: 'tenant-tx', lock: unique('lock') } }]);
      expect(await groupInQueue(sent!.id)).toBe('tenant-tx');
      return sent!;
    });
    expect(await waitForStatus(inTransaction.id, 'succeeded')).toMatchObject({ attempt: 1 });
    const delayed = await paused(async () => {
      // 6 s is past the test stack's 5 s threshold: EventBridge Scheduler holds it.
      const held = await client.enqueue('test.child', { tenant: 'tenant-later', lock: unique('lock') }, { delaySeconds: 6 });
      expect(held.status).toBe('scheduled');
      await waitFor('the scheduled job to be due', async () => Date.now() >= Date.parse(held.runAt!), { timeoutMs: 20_000, intervalMs: 500 });
      // Scheduler's SQS target sets no group on a standard queue: the body carries it, and the worker reads it there.
      expect((await messageInQueue(held.id, 30_000, 1000)).bodyGroup).toBe('tenant-later');
      return held;
    });
    expect(await waitForStatus(delayed.id, 'succeeded')).toMatchObject({ attempt: 1 });
  });
});
