import fc from 'fast-check';
import type { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { newJobId, shardOf } from '../../lib/job-id.js';
import { listJobs, MAX_LIST_PAGES } from '../../lib/store/dynamo/job-queries.js';
import { shardKey } from '../../lib/store/dynamo/job-item.js';

const SHARDS = 4;

/**
 * A jobs table as DynamoDB's Query reads it, for the shards' time-ordered keys: a key range on
 * `sk`, newest first, `Limit` items evaluated per page before the status filter, and
 * `LastEvaluatedKey` where a page stopped. It counts the queries it answered.
 */
function fakeTable(items: ReadonlyArray<{ sk: string; status: string }>) {
  let queries = 0;
  const send = async (command: QueryCommand) => {
    queries++;
    const input = command.input;
    const values = input.ExpressionAttributeValues as Record<string, string>;
    const inShard = items.filter((i) => shardKey(shardOf(i.sk)) === values[':pk'] && i.sk >= values[':since']! && i.sk <= values[':upTo']!).sort((a, b) => (a.sk < b.sk ? 1 : -1));
    const from = input.ExclusiveStartKey ? inShard.findIndex((i) => i.sk < String(input.ExclusiveStartKey!.sk)) : 0;
    const evaluated = (from < 0 ? [] : inShard.slice(from)).slice(0, input.Limit);
    const last = evaluated.at(-1);
    const more = last !== undefined && inShard.indexOf(last) < inShard.length - 1;
    return { Items: evaluated.filter((i) => values[':status'] === undefined || i.status === values[':status']).map((i) => ({ pk: values[':pk'], ...i })), ...(more ? { LastEvaluatedKey: { pk: values[':pk'], sk: last.sk } } : {}) };
  };
  return { doc: { send } as unknown as DynamoDBDocumentClient, queries: () => queries };
}

/** Jobs created over the last hour, spread over the shards, one in `every` of them `succeeded` (the rest `running`). */
function jobs(count: number, every: number) {
  return Array.from({ length: count }, (_, i) => ({ sk: newJobId(SHARDS, Date.now() - 3_600_000 + i * 1000), status: i % every === 0 ? 'succeeded' : 'running' }));
}

describe('listing jobs by a status outside the sparse index (a filtered read of the shards)', () => {
  it('stops each shard at its page limit and returns only what every shard was read down to, with a cursor that goes on', async () => {
    // 1 in 500 succeeded: a page of 100 evaluated items usually holds none.
    const items = jobs(4000, 500);
    const table = fakeTable(items);
    const first = await listJobs(table.doc, 'jobs', SHARDS, { status: 'succeeded', limit: 5 });
    expect(table.queries()).toBeLessThanOrEqual(SHARDS * MAX_LIST_PAGES);
    expect(first.next).toBeDefined();
    const succeeded = items.filter((i) => i.status === 'succeeded').map((i) => i.sk).sort().reverse();
    // No gap: the page is the newest succeeded jobs, as far as it goes.
    expect(first.records.map((r) => r.id)).toEqual(succeeded.slice(0, first.records.length));
  });

  it('lists every job of the status exactly once, newest first, when the cursor is followed (any spread, any page size)', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 4000 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 30 }), async (count, every, limit) => {
      const items = jobs(count, every);
      const table = fakeTable(items);
      const seen: string[] = [];
      let before: string | undefined;
      for (let page = 0; page < 10_000; page++) {
        const listed = await listJobs(table.doc, 'jobs', SHARDS, { status: 'succeeded', limit, before });
        expect(listed.records.length).toBeLessThanOrEqual(limit);
        seen.push(...listed.records.map((r) => r.id));
        before = listed.next;
        if (before === undefined) break;
      }
      expect(seen).toEqual(items.filter((i) => i.status === 'succeeded').map((i) => i.sk).sort().reverse());
    }), { numRuns: 60 });
  }, 120_000);
});
