import { describe, expect, it } from 'vitest';
import { MemoryDynamoDB } from '../../bench/partitions/fake-dynamodb.js';
import { WriteLog } from '../../bench/partitions/write-log.js';
import { documentClient } from '../../lib/aws/document-client.js';
import { DynamoSlotStore } from '../../lib/flow-control/dynamo-slot-store.js';
import { createJobTables } from '../../scripts/lib/job-tables.js';

// The slot store's writes on the in-memory DynamoDB, counted: a job of a line reads the slots
// first and writes only to a free one, so a full limit costs it no write at all.
async function slotStore() {
  const log = new WriteLog(() => 0);
  const dynamodb = new MemoryDynamoDB(log, (name) => name).client();
  const tables = await createJobTables(dynamodb, 'slots');
  const writes = () => [...log.entries(1)].filter((e) => e.key.startsWith('slot#')).reduce((sum, e) => sum + e.writes, 0);
  return { store: new DynamoSlotStore(documentClient(dynamodb), tables.claimsTableName), writes };
}

describe('DynamoSlotStore', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const request = (holder: string, readFirst?: boolean) => ({ kind: 'k', key: 'tenant', limit: 5, holder, now, leaseUntil: new Date(now.getTime() + 60_000), readFirst });

  it('reading first, writes nothing on a full limit and only the free slot otherwise; without it, one failed write per slot held', async () => {
    const { store, writes } = await slotStore();
    const held = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((holder) => store.acquire(request(holder))));
    expect(held.every(Boolean)).toBe(true);
    const base = writes();
    expect(await store.acquire(request('f', true))).toBeUndefined();
    expect(writes() - base).toBe(0);
    expect(await store.acquire(request('f'))).toBeUndefined();
    expect(writes() - base).toBe(5);
    await store.release(held[2]!);
    const afterRelease = writes();
    expect((await store.acquire(request('f', true)))?.index).toBe(held[2]!.index);
    expect(writes() - afterRelease).toBe(1);
    // A slot whose lease ended reads as free too.
    const later = { ...request('g', true), now: new Date(now.getTime() + 61_000) };
    expect(await store.acquire(later)).toBeDefined();
  });
});
