import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { MemoryDynamoDB } from '../../bench/partitions/fake-dynamodb.js';
import { WriteLog } from '../../bench/partitions/write-log.js';
import { documentClient } from '../../lib/aws/document-client.js';
import { DynamoRateStore, RATE_TTL_SECONDS } from '../../lib/flow-control/dynamo-rate-store.js';
import { createJobTables } from '../../scripts/lib/job-tables.js';

// The rate store's item on the in-memory DynamoDB: TTL must never reap it while turns are reserved.
async function rateStore() {
  const dynamodb = new MemoryDynamoDB(new WriteLog(() => 0), (name) => name).client();
  const tables = await createJobTables(dynamodb, 'rate');
  const doc = documentClient(dynamodb);
  const item = async (kind: string, key: string) => (await doc.send(new GetCommand({ TableName: tables.claimsTableName, Key: { pk: `rate#${kind}#${key}` } }))).Item!;
  return { store: new DynamoRateStore(doc, tables.claimsTableName), item };
}

describe('DynamoRateStore', () => {
  it('keeps its item past its last reserved turn however far ahead a backlog reserves: its expiry moves on with the turns', async () => {
    const { store, item } = await rateStore();
    const now = new Date('2026-06-01T00:00:00Z');
    // One turn an hour: a backlog of 100 reserves turns four days ahead, past a one-day TTL.
    const turns: number[] = [];
    for (let i = 0; i < 100; i++) turns.push((await store.reserve({ kind: 'k', key: 'tenant', intervalMs: 3_600_000, now })).getTime());
    expect(turns.at(-1)! - turns[0]!).toBe(99 * 3_600_000);
    const { nextAt, expiresAt } = await item('k', 'tenant');
    // The item outlives the last turn (and the one it would hand out next) by at least half a TTL.
    expect(Number(expiresAt)).toBeGreaterThanOrEqual(Math.ceil(Number(nextAt) / 1000) + RATE_TTL_SECONDS / 2);
  });

  it('hands an idle key the turn now, and an item that outlives the turn after it by a full TTL', async () => {
    const { store, item } = await rateStore();
    const now = new Date('2026-06-01T00:00:00Z');
    // One turn every 20 hours: the next turn is most of a TTL away.
    expect((await store.reserve({ kind: 'k', key: 'slow', intervalMs: 72_000_000, now })).getTime()).toBe(now.getTime());
    const { nextAt, expiresAt } = await item('k', 'slow');
    expect(Number(nextAt)).toBe(now.getTime() + 72_000_000);
    expect(Number(expiresAt)).toBe(Math.ceil(Number(nextAt) / 1000) + RATE_TTL_SECONDS);
  });
});
