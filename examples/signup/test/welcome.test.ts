import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TransactionCancelledError, type EnqueueRequest, type JobClient, type TransactItem } from 'jobline';
import { createTestQueue, expectEnqueued, runJob } from 'jobline/testing';
import { welcomeEmail } from '../src/jobs.js';
import { newUserItem, signup, type User } from '../src/signup.js';
import { welcomeJob, type Email } from '../src/welcome-handler.js';

const ada = { userId: 'u-1', email: 'ada@example.com', name: 'Ada' };

describe('welcome email', () => {
  it('sends one email to the new user', async () => {
    const sent: Email[] = [];
    const run = await runJob(welcomeJob(async (email) => void sent.push(email)), ada);
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(run.result, { sentTo: 'ada@example.com' });
    assert.deepEqual(sent.map((e) => [e.to, e.subject]), [['ada@example.com', 'Welcome, Ada']]);
  });

  it('retries when the mail service fails, and fails for good on the last attempt', async () => {
    const failing = welcomeJob(async () => { throw new Error('SES is throttling'); });
    const first = await runJob(failing, ada);
    assert.equal(first.status, 'retrying');
    assert.equal(first.error?.message, 'SES is throttling');
    const last = await runJob(failing, ada, { attempt: welcomeEmail.retry.maxAttempts });
    assert.equal(last.status, 'failed');
    assert.equal(last.deadLettered, true);
  });

  it('fails at once, without sending, for an address that takes no mail or a payload its schema refuses', async () => {
    const sent: Email[] = [];
    const job = welcomeJob(async (email) => void sent.push(email));
    const reserved = await runJob(job, { ...ada, email: 'ada@example.invalid' });
    assert.equal(reserved.status, 'failed');
    assert.equal(reserved.error?.permanent, true);
    const malformed = await runJob(job, { ...ada, email: 'not an address' });
    assert.equal(malformed.status, 'failed');
    assert.equal(malformed.error?.permanent, true);
    assert.equal(sent.length, 0);
  });
});

describe('POST /signup', () => {
  /** The client's transactional enqueue, as the test sees it: what was asked, and DynamoDB's answer for a taken email. */
  const transactions = (taken: ReadonlySet<string> = new Set()) => {
    const calls: Array<{ items: readonly TransactItem[]; jobs: readonly EnqueueRequest[] }> = [];
    const jobs: Pick<JobClient, 'enqueueInTransaction'> = {
      async enqueueInTransaction(items, requests) {
        calls.push({ items, jobs: requests });
        const email = (items[0]?.Put?.Item as { email?: string } | undefined)?.email ?? '';
        if (taken.has(email)) throw new TransactionCancelledError([{ index: 0, owner: 'caller', code: 'ConditionalCheckFailed', table: 'users' }]);
        return requests.map((_, i) => ({ id: `job-${i}`, kind: welcomeEmail.kind, status: 'queued' as const }));
      },
    };
    return { calls, jobs };
  };

  it('writes the user and enqueues their welcome email in one transaction', async () => {
    const { calls, jobs } = transactions();
    const reply = await signup(JSON.stringify({ email: 'Ada@Example.com', name: 'Ada' }), { usersTable: 'users', jobs });
    assert.equal(reply.status, 201);
    assert.equal(reply.body.welcomeJobId, 'job-0');
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0]!.items, [newUserItem('users', { ...(calls[0]!.items[0]!.Put!.Item as User) })]);
    assert.equal((calls[0]!.items[0]!.Put!.Item as User).email, 'ada@example.com');
    assert.deepEqual(calls[0]!.jobs.map((j) => [j.job === welcomeEmail, j.payload]), [[true, { userId: reply.body.userId, email: 'ada@example.com', name: 'Ada' }]]);
  });

  it('answers 409 when the email is taken (the transaction wrote nothing)', async () => {
    const { jobs } = transactions(new Set(['ada@example.com']));
    const again = await signup(JSON.stringify({ email: 'ada@example.com', name: 'Ada L.' }), { usersTable: 'users', jobs });
    assert.equal(again.status, 409);
    assert.deepEqual(again.body, { error: 'ada@example.com has signed up already' });
  });

  it('answers 400 to a bad body and writes nothing', async () => {
    const { calls, jobs } = transactions();
    for (const body of ['{', JSON.stringify({ email: 'nope', name: 'Ada' }), JSON.stringify({ email: 'a@example.com' })]) {
      assert.equal((await signup(body, { usersTable: 'users', jobs })).status, 400);
    }
    assert.equal(calls.length, 0);
  });

  it('validates the welcome email\'s payload with the kind\'s schema, as the client does before writing', async () => {
    const queue = createTestQueue({ jobs: [welcomeEmail] });
    await queue.client.enqueue(welcomeEmail, { userId: 'u-1', email: 'ada@example.com', name: 'Ada' });
    expectEnqueued(queue, welcomeEmail, { email: 'ada@example.com' });
    await assert.rejects(queue.client.enqueue(welcomeEmail, { userId: 'u-2', email: 'not an address', name: 'Bo' }), { name: 'InvalidPayloadError' });
  });
});
