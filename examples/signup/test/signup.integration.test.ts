import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startLocalApp, type LocalApp } from 'jobline/testing';

// The whole app on the local emulator: started (or the one already running reused), this
// project's stacks deployed with its own cdk, then a real sign-up through the deployed API.
let app: LocalApp;
before(async () => {
  app = await startLocalApp();
}, { timeout: 600_000 });
after(async () => {
  await app?.stop();
});

describe('sign-up on the local emulator', () => {
  it('signs a user up through the API, and the deployed worker sends one welcome email', async () => {
    const email = `ada-${Date.now()}@example.com`;
    const signUp = () => fetch(`${app.httpApiUrl(app.outputs().SignupApiId!)}/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, name: 'Ada' }),
    });
    const response = await signUp();
    assert.equal(response.status, 201);
    const { welcomeJobId } = (await response.json()) as { welcomeJobId: string };

    const job = await app.waitForJob(welcomeJobId, 'succeeded');
    assert.deepEqual(job.result, { sentTo: email });
    const mail = (await app.sentMail()).filter((m) => m.To?.includes(email));
    assert.deepEqual(mail.map((m) => m.Subject), ['Welcome, Ada']);

    // A second sign-up with the same email enqueues nothing: still one welcome job, one email.
    assert.equal((await signUp()).status, 409);
    assert.equal((await app.deadLetters()).length, 0);
  });
});
