import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTestQueue, expectEnqueued, expectNotEnqueued, runJob } from 'jobline/testing';
import { welcomeEmail } from '../src/jobs.js';
import { signup, type User, type Users } from '../src/signup.js';
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
  const memoryUsers = (): Users & { all: Map<string, User> } => {
    const all = new Map<string, User>();
    return { all, async create(user) { if (all.has(user.email)) return 'exists'; all.set(user.email, user); return 'created'; } };
  };

  it('stores the user and enqueues their welcome email', async () => {
    const queue = createTestQueue({ jobs: [welcomeEmail] });
    const users = memoryUsers();
    const reply = await signup(JSON.stringify({ email: 'Ada@Example.com', name: 'Ada' }), { users, jobs: queue.client });
    assert.equal(reply.status, 201);
    const [message] = expectEnqueued(queue, welcomeEmail, { email: 'ada@example.com', name: 'Ada' });
    assert.equal(message?.id, reply.body.welcomeJobId);
    assert.equal(users.all.get('ada@example.com')?.userId, reply.body.userId);
  });

  it('answers 409 to a second sign-up with the same email and enqueues nothing more', async () => {
    const queue = createTestQueue({ jobs: [welcomeEmail] });
    const users = memoryUsers();
    await signup(JSON.stringify({ email: 'ada@example.com', name: 'Ada' }), { users, jobs: queue.client });
    const again = await signup(JSON.stringify({ email: 'ada@example.com', name: 'Ada L.' }), { users, jobs: queue.client });
    assert.equal(again.status, 409);
    assert.equal(queue.enqueued(welcomeEmail).length, 1);
  });

  it('answers 400 to a bad body and enqueues nothing', async () => {
    const queue = createTestQueue({ jobs: [welcomeEmail] });
    for (const body of ['{', JSON.stringify({ email: 'nope', name: 'Ada' }), JSON.stringify({ email: 'a@example.com' })]) {
      assert.equal((await signup(body, { users: memoryUsers(), jobs: queue.client })).status, 400);
    }
    expectNotEnqueued(queue, welcomeEmail);
  });
});
