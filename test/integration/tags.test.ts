import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { JobInspector } from 'jobline/inspector';
import { api, client, doc, stack, unique, waitForStatus } from './support/deployed.js';
import { jobline } from './support/jobline-cli.js';

const inspector = new JobInspector({ config: stack.config });

/** The tag items (partition `T#…`) in the jobs table that point at one of `ids`. */
async function tagItemsOf(ids: ReadonlySet<string>): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: stack.config.tableName, FilterExpression: 'begins_with(pk, :tag)', ExpressionAttributeValues: { ':tag': 'T#' }, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []).filter((item) => ids.has(String(item.sk))));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

describe('tags and business keys, on the deployed stack', () => {
  it('finds the one tagged job among 1,000 by its tag; the 999 without tags wrote no tag item', async () => {
    const batch = unique('tags');
    const customer = unique('c');
    const requests = Array.from({ length: 1000 }, (_, i) => i === 617
      ? { job: 'test.result', payload: { bytes: 20, customer }, options: { tags: [`batch:${batch}`] } }
      : { job: 'test.echo', payload: { value: `${batch}-${i}` } });
    const enqueued = await client.enqueueMany(requests);
    const tagged = enqueued[617]!;
    // Computed by its kind from the payload (customer:…), and given at enqueue (batch:…).
    for (const tag of [`customer:${customer}`, `batch:${batch}`]) {
      const page = await inspector.list({ tag });
      expect(page.jobs.map((j) => j.id)).toEqual([tagged.id]);
      expect(page.jobs[0]!.tags).toEqual([`customer:${customer}`, `batch:${batch}`]);
      expect(await inspector.countTagged(tag)).toEqual({ count: 1, complete: true });
    }
    const untagged = new Set(enqueued.filter((_, i) => i !== 617).map((j) => j.id));
    expect(await tagItemsOf(untagged)).toEqual([]);
    expect((await tagItemsOf(new Set([tagged.id]))).map((item) => item.pk).sort()).toEqual([`T#batch:${batch}`, `T#customer:${customer}`]);
    // The listing shows it as it is now.
    await waitForStatus(tagged.id, 'succeeded');
    expect((await inspector.list({ tag: `customer:${customer}`, status: 'succeeded' })).jobs.map((j) => j.id)).toEqual([tagged.id]);
  });

  it('tags a job enqueued over HTTP, lists and counts a tag from the CLI, and finds a job by its unique key', async () => {
    const customer = unique('http');
    const reply = await api.enqueue({ kind: 'test.result', payload: { bytes: 20 }, options: { tags: [`customer:${customer}`] } });
    expect(reply.status).toBe(202);
    const { id } = reply.body as { id: string };
    const listed = await jobline('--json', 'jobs', 'ls', '--tag', `customer:${customer}`);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { jobs: Array<{ id: string }> }).jobs.map((j) => j.id)).toEqual([id]);
    expect(await jobline('jobs', 'count', '--tag', `customer:${customer}`)).toMatchObject({ code: 0, stdout: `customer:${customer}: 1 job\n` });
    const badTag = await api.enqueue({ kind: 'test.result', payload: { bytes: 20 }, options: { tags: ['not a tag'] } });
    expect(badTag).toMatchObject({ status: 400, body: { error: { code: 'invalid_options' } } });

    const key = unique('order');
    const held = await client.enqueue('test.unique-echo', { value: key });
    expect((await inspector.findUnique('test.unique-echo', key))?.id).toBe(held.id);
    const found = await jobline('--json', 'jobs', 'find', 'test.unique-echo', key);
    expect(found.code).toBe(0);
    expect(JSON.parse(found.stdout)).toMatchObject({ id: held.id, uniqueKey: key });
    expect((await jobline('jobs', 'find', 'test.unique-echo', unique('nobody'))).code).toBe(3);
  });
});
