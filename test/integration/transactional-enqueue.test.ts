import { LambdaClient, ListEventSourceMappingsCommand, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DuplicateJobError, TransactionCancelledError, TransactionTooLargeError, type TransactItem } from 'jobline';
import { describe, expect, it } from 'vitest';
import { client, dynamodb, handlerRuns, logLines, recordsHolding, stack, stackOutput, sweepNow, unique, waitForStatus, workerLogLines } from './support/deployed.js';
import { waitFor } from './support/wait.js';

// Jobs written in the caller's own DynamoDB transaction, beside their business writes on their
// own table (the test stack's probe table stands in for it), and sent by the stream's dispatcher.
const doc = DynamoDBDocumentClient.from(dynamodb);
const businessTable = () => stackOutput('ProbeTable');
const newUser = (id: string): TransactItem => ({ Put: { TableName: businessTable(), Item: { id, kind: 'user' }, ConditionExpression: 'attribute_not_exists(id)' } });
const exists = async (id: string) => (await doc.send(new GetCommand({ TableName: businessTable(), Key: { id }, ConsistentRead: true }))).Item !== undefined;

describe('transactional enqueue', () => {
  it('writes the business item and the job together; the dispatcher sends the job and it runs once', async () => {
    const user = unique('user');
    const [job] = await client.enqueueInTransaction([newUser(user)], [{ job: 'test.echo', payload: { value: user } }]);
    expect(job).toMatchObject({ kind: 'test.echo', status: 'queued' });
    expect(await exists(user)).toBe(true);
    await waitForStatus(job!.id, 'succeeded', 30_000);
    expect(await handlerRuns(job!.id)).toBe(1);
    // Dispatched: the payload copy is gone from the record, and it left the undispatched index.
    expect((await client.get(job!.id))?.payload).toBeUndefined();
  });

  it('gives the items to put in a transaction of your own (the document client\'s TransactWriteCommand)', async () => {
    const user = unique('own');
    const { job, items } = client.transactionItems('test.echo', { value: user }, { delaySeconds: 2 });
    expect(job.status).toBe('scheduled');
    await doc.send(new TransactWriteCommand({ TransactItems: [newUser(user), ...items] }));
    const done = await waitForStatus(job.id, 'succeeded', 30_000);
    // Its delay kept its meaning: it ran no earlier than due.
    expect(Date.parse(done.startedAt!)).toBeGreaterThanOrEqual(Date.parse(job.runAt!) - 1000);
  });

  it('writes neither when the caller\'s own condition fails, and says which item failed', async () => {
    const user = unique('taken');
    await client.enqueueInTransaction([newUser(user)], [{ job: 'test.echo', payload: { value: user } }]);
    const value = unique('second');
    const error = await client.enqueueInTransaction([newUser(user)], [{ job: 'test.echo', payload: { value } }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionCancelledError);
    expect((error as TransactionCancelledError).failures).toEqual([expect.objectContaining({ index: 0, owner: 'caller', code: 'ConditionalCheckFailed', table: businessTable() })]);
    expect((error as Error).message).toMatch(/^the transaction was cancelled and nothing was written: your item 0 \(.+\) failed its condition/);
    expect((error as TransactionCancelledError).permanent).toBe(true);
    // A later transactional job runs; the refused one never does (its record was never written).
    const [later] = await client.enqueueInTransaction([newUser(unique('later'))], [{ job: 'test.echo', payload: { value: unique('later') } }]);
    await waitForStatus(later!.id, 'succeeded', 30_000);
    expect(await handlerRuns(`value:${value}`)).toBe(0);
    // Nothing of the refused transaction is in the jobs table: no record, no undispatched copy.
    expect(await recordsHolding(value)).toEqual([]);
  });

  it('tells a duplicate unique key inside a transaction, with the existing job\'s id, and writes nothing', async () => {
    const key = unique('report');
    const [first] = await client.enqueueInTransaction([newUser(unique('a'))], [{ job: 'test.unique-echo', payload: { value: key } }]);
    const second = unique('b');
    const error = await client.enqueueInTransaction([newUser(second)], [{ job: 'test.unique-echo', payload: { value: key } }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateJobError);
    expect(error).toMatchObject({ kind: 'test.unique-echo', key, existingJobId: first!.id });
    expect(await exists(second)).toBe(false);
  });

  it('refuses a transaction over DynamoDB\'s 100 items before sending it', async () => {
    const items = Array.from({ length: 100 }, (_, i) => newUser(unique(`many-${i}`)));
    await expect(client.enqueueInTransaction(items, [{ job: 'test.echo', payload: { value: 'too many' } }])).rejects.toBeInstanceOf(TransactionTooLargeError);
  });

  it('runs 200 jobs enqueued transactionally in a burst exactly once each', async () => {
    const burst = unique('burst');
    const values = Array.from({ length: 200 }, (_, i) => `${burst}-${i}`);
    const jobs = (await Promise.all(values.map((value) => client.enqueueInTransaction([newUser(value)], [{ job: 'test.echo', payload: { value } }])))).flat();
    expect(new Set(jobs.map((j) => j.id)).size).toBe(200);
    await waitFor('200 transactional jobs to succeed', async () => {
      const records = await Promise.all(jobs.map((j) => client.get(j.id)));
      return records.every((r) => r?.status === 'succeeded');
    }, { timeoutMs: 120_000, intervalMs: 1000 });
    const runs = await Promise.all(values.map((value) => handlerRuns(`value:${value}`)));
    expect(runs.filter((n) => n !== 1)).toEqual([]);
  }, 180_000);

  it('is sent by the sweeper when the dispatcher does not run, and a later copy from the stream runs nothing twice', async () => {
    const lambda = new LambdaClient({});
    const [mapping] = (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: stackOutput('JoblineDispatcherFunctionName') }))).EventSourceMappings ?? [];
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping!.UUID, Enabled: false }));
    let value: string;
    let id: string;
    try {
      value = unique('undispatched');
      id = (await client.enqueueInTransaction([newUser(value)], [{ job: 'test.echo', payload: { value } }]))[0]!.id;
      // Past the test stack's 5-second stuck horizon, a sweep finds it queued with its payload and sends it.
      await waitFor('a sweep to send the job', async () => {
        await sweepNow();
        return (await logLines(stack.sweeperFunctionName, 'sent transactional jobs the dispatcher had not')).some((line) => line.includes(id));
      }, { timeoutMs: 60_000, intervalMs: 2000 });
      await waitForStatus(id, 'succeeded', 30_000);
    } finally {
      await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping!.UUID, Enabled: true }));
    }
    // The stream's copy, delivered once the dispatcher runs again, reaches the worker and finds the job done.
    await waitFor('the stream\'s copy to reach the worker and be dropped', async () =>
      (await workerLogLines('dropping a delivery of a job that is not claimable')).some((line) => line.includes(id!) && line.includes('succeeded')), { timeoutMs: 60_000, intervalMs: 2000 });
    expect(await handlerRuns(`value:${value!}`)).toBe(1);
    expect(await handlerRuns(id!)).toBe(1);
  }, 120_000);

  it('recovers when the dispatcher fails to send (injected): each job is still dispatched and runs once', async () => {
    const values = [0, 1, 2].map((i) => unique(`flaky-dispatch-${i}`));
    const jobs = await client.enqueueInTransaction(values.map((v) => newUser(v)), values.map((value) => ({ job: 'test.dispatch-flaky', payload: { value } })));
    await waitFor('the jobs whose first dispatch failed to succeed', async () => {
      const records = await Promise.all(jobs.map((j) => client.get(j.id)));
      if (records.every((r) => r?.status === 'succeeded')) return true;
      // The stream delivers the failed records again; should it give up, the sweeper sends them.
      if (records.some((r) => r?.status === 'queued')) await sweepNow();
      return false;
    }, { timeoutMs: 90_000, intervalMs: 2000 });
    expect(await Promise.all(values.map((value) => handlerRuns(`value:${value}`)))).toEqual([1, 1, 1]);
    // The fault did fire: the dispatcher's first send of each was refused.
    const refusals = await logLines(stackOutput('JoblineDispatcherFunctionName'), 'injected refusal');
    for (const job of jobs) expect(refusals.some((line) => line.includes(job.id))).toBe(true);
  }, 120_000);
});
