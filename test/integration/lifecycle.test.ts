import { describe, expect, it } from 'vitest';
import { newJobId } from '../../lib/job-id.js';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { api, attribute, client, findDeadLetter, handlerRuns, stack, unique, waitForStatus } from './support/deployed.js';
import { waitFor } from './support/wait.js';


describe('job lifecycle on the deployed stack', () => {
  it('runs a job enqueued through the client: queued → running → succeeded', async () => {
    const job = await client.enqueue('test.echo', { value: unique('happy'), holdMs: 1500 });
    expect(job.status).toBe('queued');

    const running = await waitForStatus(job.id, 'running');
    expect(running).toMatchObject({ attempt: 1, createdBy: 'integration-test' });
    expect(Date.parse(running.leaseUntil!)).toBeGreaterThan(Date.parse(running.startedAt!));

    const done = await waitForStatus(job.id, 'succeeded');
    expect(done.durationMs).toBeGreaterThanOrEqual(1500);
    expect(done.result).toMatchObject({ echo: expect.stringMatching(/^happy-/) });
    // The emulator ran the worker on the Node the construct declares (nodejs24.x runs v24), as AWS would.
    const runtime = (await new LambdaClient({}).send(new GetFunctionConfigurationCommand({ FunctionName: stack.workerFunctionName }))).Runtime;
    expect([runtime, (done.result as { node: string }).node.split('.')[0]]).toEqual([runtime, `v${/^nodejs(\d+)\.x$/.exec(runtime ?? '')?.[1]}`]);
    expect(done.leaseUntil).toBeUndefined();
    expect(done.expiresAt).toBeGreaterThan(Date.now() / 1000);
    expect(await handlerRuns(job.id)).toBe(1);
  });

  it('runs a job enqueued through POST /jobs, signed with SigV4, and serves it at GET /jobs/{id}', async () => {
    const accepted = await api.enqueue({ kind: 'test.echo', payload: { value: unique('http') } });
    expect(accepted.status).toBe(202);
    const { id, status } = accepted.body as { id: string; status: string };
    expect(status).toBe('queued');

    const record = await waitFor('GET /jobs/{id} to show success', async () => {
      const reply = await api.get(id);
      return reply.status === 200 && (reply.body as { status: string }).status === 'succeeded' ? (reply.body as Record<string, unknown>) : undefined;
    });
    expect(record).toMatchObject({ id, kind: 'test.echo', attempt: 1, createdBy: expect.stringMatching(/^arn:aws:iam::/) });
    expect(await handlerRuns(id)).toBe(1);
  });

  it('refuses unsigned calls to the API', async () => {
    const reply = await api.request('POST', '/jobs', JSON.stringify({ kind: 'test.echo', payload: { value: 'x' } }), false);
    expect(reply.status).toBe(403);
  });

  it('answers bad requests with a 4xx that says what is wrong', async () => {
    const cases: Array<[unknown, number, string]> = [
      ['{"kind": "test.echo", payload', 400, 'invalid_json'],
      [{ kind: 'no.such.kind', payload: {} }, 400, 'unknown_kind'],
      [{ kind: 'test.echo', payload: { value: 42 } }, 422, 'invalid_payload'],
      [{ kind: 'test.echo', payload: { value: 'x'.repeat(70_000) } }, 413, 'payload_too_large'],
      [{ kind: 'test.echo' }, 400, 'invalid_request'],
    ];
    for (const [body, status, code] of cases) {
      const reply = await api.enqueue(body);
      expect({ status: reply.status, code: (reply.body as { error?: { code: string } }).error?.code }).toEqual({ status, code });
      expect((reply.body as { error: { message: string } }).error.message.length).toBeGreaterThan(10);
    }
    expect((await api.get('not-an-id')).status).toBe(400);
    expect((await api.get(newJobId(4))).status).toBe(404);
  });

  it('retries a kind that fails twice transiently, then succeeds on attempt 3 with its errors kept', async () => {
    const job = await client.enqueue('test.flaky', { failTimes: 2 });
    const done = await waitForStatus(job.id, 'succeeded');
    expect(done.attempt).toBe(3);
    expect(done.errors?.map((e) => [e.attempt, e.message, e.permanent])).toEqual([
      [1, 'flaky failure on attempt 1 of 2 planned', false],
      [2, 'flaky failure on attempt 2 of 2 planned', false],
    ]);
    expect(await handlerRuns(job.id)).toBe(3);
  });

  it('fails a permanent error after one attempt, with the reason on the record and the message in the DLQ', async () => {
    const reason = unique('template "nope" does not exist');
    const job = await client.enqueue('test.permanent', { reason });
    const failed = await waitForStatus(job.id, 'failed');
    expect(failed).toMatchObject({ attempt: 1, lastError: { message: reason, class: 'PermanentError', permanent: true }, payload: { reason } });

    const dead = await findDeadLetter(job.id);
    expect(JSON.parse(dead.Body!)).toMatchObject({ id: job.id, kind: 'test.permanent', payload: { reason } });
    expect([attribute(dead, 'jobline.kind'), attribute(dead, 'jobline.attempt'), attribute(dead, 'jobline.error'), attribute(dead, 'jobline.permanent')])
      .toEqual(['test.permanent', '1', reason, 'true']);
    expect(await handlerRuns(job.id)).toBe(1);
  });

  it('fails a job whose attempts are exhausted, with the last error, and dead-letters it', async () => {
    const job = await client.enqueue('test.always-fails', {});
    const failed = await waitForStatus(job.id, 'failed');
    expect(failed.attempt).toBe(3);
    expect(failed.lastError).toMatchObject({ message: 'transient failure on attempt 3 (attempt 3 of 3, none left)', permanent: false, attempt: 3 });
    expect(failed.errors).toHaveLength(3);
    const dead = await findDeadLetter(job.id);
    expect(attribute(dead, 'jobline.attempt')).toBe('3');
    expect(attribute(dead, 'jobline.error')).toContain('none left');
    expect(await handlerRuns(job.id)).toBe(3);
  });

  it('holds a delayed job for its delay (SQS DelaySeconds)', async () => {
    const job = await client.enqueue('test.echo', { value: unique('delayed') }, { delaySeconds: 4 });
    expect(job.status).toBe('scheduled');
    expect(await client.get(job.id)).toMatchObject({ status: 'scheduled', runAt: job.runAt });
    const done = await waitForStatus(job.id, 'succeeded');
    expect(Date.parse(done.startedAt!) - Date.parse(done.createdAt)).toBeGreaterThanOrEqual(4000);
  });
});
