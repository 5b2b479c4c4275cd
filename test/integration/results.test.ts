import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { api, client, stack, waitForStatus } from './support/deployed.js';
import { jobline } from './support/jobline-cli.js';

const s3 = new S3Client({ forcePathStyle: true });
/** `{"blob":"…"}` of this many bytes of JSON, as test.result returns it. */
const blobOf = (bytes: number) => ({ blob: 'x'.repeat(bytes - 11) });

describe('a job\'s result, on the deployed stack', () => {
  it('waits for a job that finishes while it waits, and keeps a small result on the record', async () => {
    const { id } = await client.enqueue('test.result', { bytes: 200, holdMs: 1500 });
    expect(await client.result(id)).toMatchObject({ state: 'pending' });
    const answer = await client.result(id, { waitSeconds: 60 });
    expect(answer).toEqual({ id, state: 'succeeded', kind: 'test.result', result: blobOf(200), finishedAt: expect.any(String) });
    const record = await client.get(id);
    expect(record?.result).toEqual(blobOf(200));
    expect(record?.resultRef).toBeUndefined();
  });

  it('puts a result over the kind\'s maxInlineResultBytes in the results bucket and gives it back whole, through the client and the HTTP API', async () => {
    const bytes = 300_000;
    const { id } = await client.enqueue('test.result', { bytes });
    const record = await waitForStatus(id, 'succeeded');
    expect(record.result).toBeUndefined();
    expect(record.resultRef).toEqual({ key: expect.stringMatching(new RegExp(`^results/${id}/1-`)), bytes });
    // The object is in the stack's own results bucket, under the key the record names.
    const object = await s3.send(new GetObjectCommand({ Bucket: stack.config.resultsBucket!, Key: record.resultRef!.key }));
    expect(JSON.parse(await object.Body!.transformToString())).toEqual(blobOf(bytes));
    expect(await client.result(id)).toMatchObject({ state: 'succeeded', result: blobOf(bytes) });
    const reply = await api.result(id, 5);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ id, state: 'succeeded', kind: 'test.result', result: blobOf(bytes) });
    // GET /jobs/{id} answers the record with the result read back in place of its pointer.
    expect((await api.get(id)).body).toMatchObject({ id, status: 'succeeded', result: blobOf(bytes), resultRef: record.resultRef });
  });

  it('answers 202 over HTTP while the job runs, then 200 once waitSeconds sees it finish', async () => {
    const { id } = await client.enqueue('test.result', { bytes: 50, holdMs: 3000 });
    expect((await api.result(id)).status).toBe(202);
    const reply = await api.result(id, 20);
    expect(reply).toEqual({ status: 200, body: { id, state: 'succeeded', kind: 'test.result', result: blobOf(50), finishedAt: expect.any(String) } });
  });

  it('says why a failed job has none, and that a result over 4 MiB was not kept', async () => {
    const failed = await client.enqueue('test.result', { bytes: 50, fail: true });
    expect(await client.result(failed.id, { waitSeconds: 60 })).toMatchObject({ state: 'failed', status: 'failed', reason: 'failed on attempt 1: asked to fail after 0 ms' });
    const huge = await client.enqueue('test.result', { bytes: 4_500_000 });
    expect(await client.result(huge.id, { waitSeconds: 60 })).toEqual({ id: huge.id, state: 'too_large', kind: 'test.result', bytes: 4_500_000, reason: 'the result is 4500000 bytes, over the 4194304 bytes jobline keeps' });
  });

  it('prints it with `jobline jobs result`, whose exit code tells a script what it got', async () => {
    const { id } = await client.enqueue('test.result', { bytes: 2_000 });
    const done = await jobline('--json', 'jobs', 'result', id.toLowerCase(), '--wait', '60');
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ id, state: 'succeeded', result: blobOf(2_000) });
    const failed = await client.enqueue('test.result', { bytes: 50, fail: true });
    await waitForStatus(failed.id, 'failed');
    expect(await jobline('jobs', 'result', failed.id)).toMatchObject({ code: 1, stdout: expect.stringContaining('failed: failed on attempt 1: asked to fail after 0 ms') });
    const pending = await client.enqueue('test.result', { bytes: 50, holdMs: 4000 });
    expect((await jobline('jobs', 'result', pending.id)).code).toBe(5);
  });
});
