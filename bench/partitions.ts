/**
 * Partition-load simulation: does a stack sustain 10,000 jobs/s with no DynamoDB partition
 * key above 1,000 writes/s? Every job gets a real id (`newJobId`), and each write is counted
 * against the key it lands on — the base table's shard key for the three happy-path writes,
 * the sparse index's `status#shard` key for jobs that retry or fail.
 *
 * Run: npm run bench:partitions
 */
import { newJobId, shardOf } from '../lib/job-id.js';
import { shardKey } from '../lib/store/job-item.js';

const JOBS_PER_SECOND = Number(process.env.RATE ?? 10_000);
const SECONDS = Number(process.env.SECONDS ?? 10);
const RETRY_SHARE = 0.05; // jobs that fail once, then succeed
const FAIL_SHARE = 0.01; // jobs that end failed
const LIMIT = 1000;

function simulate(shardCount: number): { maxKey: number; meanKey: number; keys: number; totalPerSecond: number } {
  let maxKey = 0;
  let total = 0;
  let keysSeen = 0;
  for (let second = 0; second < SECONDS; second++) {
    const perKey = new Map<string, number>();
    const add = (key: string, writes: number) => perKey.set(key, (perKey.get(key) ?? 0) + writes);
    for (let i = 0; i < JOBS_PER_SECOND; i++) {
      const id = newJobId(shardCount, Date.now() + second * 1000);
      const shard = shardOf(id);
      const roll = Math.random();
      add(shardKey(shard), 3); // insert, claim, finish
      if (roll < RETRY_SHARE) {
        add(shardKey(shard), 2); // retrying, second claim
        add(`retrying#${shard}`, 2); // index entry made, then removed
      } else if (roll < RETRY_SHARE + FAIL_SHARE) {
        add(`failed#${shard}`, 1);
      }
    }
    for (const writes of perKey.values()) {
      maxKey = Math.max(maxKey, writes);
      total += writes;
    }
    keysSeen = Math.max(keysSeen, perKey.size);
  }
  return { maxKey, meanKey: total / SECONDS / keysSeen, keys: keysSeen, totalPerSecond: total / SECONDS };
}

const rows = [16, 32, 64, 128].map((shardCount) => {
  const result = simulate(shardCount);
  return {
    shardCount,
    'writes/s (all keys)': Math.round(result.totalPerSecond),
    'keys written': result.keys,
    'busiest key, writes/s': result.maxKey,
    'share of the 1,000/s limit': `${Math.round((result.maxKey / LIMIT) * 100)} %`,
    verdict: result.maxKey <= LIMIT ? 'ok' : 'over',
  };
});
console.log(`\n${JOBS_PER_SECOND} jobs/s for ${SECONDS} s (${RETRY_SHARE * 100} % retry once, ${FAIL_SHARE * 100} % fail); DynamoDB allows ${LIMIT} writes/s per partition key.`);
console.table(rows);
