import { createHash, randomFillSync } from 'node:crypto';
import { decodeTime, encodeTime, ulid } from 'ulid';

/** Crockford base-32, the alphabet ULIDs use. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Largest shard count an id can carry (two base-32 characters). */
export const MAX_SHARD_COUNT = ALPHABET.length * ALPHABET.length;

/**
 * Default number of partition-key shards for job records. At 10,000 jobs/s and three writes
 * per job, 64 shards put about 470 writes/s on each key, under DynamoDB's 1,000/s per key.
 */
export const DEFAULT_SHARD_COUNT = 64;

const JOB_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Random bytes drawn a pool at a time: ulid's own source asks the OS once per character. */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

/**
 * A cryptographic PRNG for ulid's random part, from pooled bytes: ulid turns each draw into a
 * character by ⌊draw × 32⌋, so a byte ÷ 256 gives every character the same chance. Drawing
 * them one OS call per character was 85 % of `enqueueMany`'s own CPU time (BENCHMARKS.md).
 */
function pooledRandom(): number {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  return pool[poolAt++]! / 256;
}

/**
 * Makes a job id: a ULID (time-sortable, 26 characters) whose characters 11–12 carry the
 * shard the record lives in. The shard travels inside the id, so `get(id)` needs no lookup
 * and a later change of the shard count never strands an old job.
 */
export function newJobId(shardCount: number, now: number = Date.now(), random: () => number = Math.random): string {
  assertShardCount(shardCount);
  const shard = Math.floor(random() * shardCount);
  return withShard(ulid(now, pooledRandom), shard);
}

/**
 * Makes a job id from a seed: the same (time, seed) always gives the same id. Used where a
 * job's identity must be derived (a cron firing, a message that arrived without a record).
 */
export function deterministicJobId(time: number, seed: string, shardCount: number): string {
  assertShardCount(shardCount);
  // SHA-256, not a short hash: ids of a parent's thousands of children must never collide.
  const digest = createHash('sha256').update(seed).digest();
  const randomPart = Array.from({ length: 16 }, (_, i) => ALPHABET[digest[i]! % 32]).join('');
  const timePart = encodeTime(time, 10);
  return withShard(timePart + randomPart, digest.readUInt32BE(16) % shardCount);
}

/** The shard a job id carries. Throws on anything that is not a job id. */
export function shardOf(id: string): number {
  if (!isJobId(id)) throw new Error(`"${id}" is not a job id (26 Crockford base-32 characters)`);
  return ALPHABET.indexOf(id[10]!) * ALPHABET.length + ALPHABET.indexOf(id[11]!);
}

/** The creation time (ms since the epoch) a job id carries. */
export function timeOf(id: string): number {
  return decodeTime(id);
}

/** The smallest id a job created at `time` (ms) or later can have: a lower bound for range queries. */
export function firstIdAt(time: number): string {
  return encodeTime(Math.max(0, time), 10) + '0'.repeat(16);
}

/** True when `value` has the shape of a job id. */
export function isJobId(value: unknown): value is string {
  return typeof value === 'string' && JOB_ID.test(value);
}

function withShard(ulidValue: string, shard: number): string {
  const high = ALPHABET[Math.floor(shard / ALPHABET.length)]!;
  const low = ALPHABET[shard % ALPHABET.length]!;
  return ulidValue.slice(0, 10) + high + low + ulidValue.slice(12);
}

function assertShardCount(shardCount: number): void {
  if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > MAX_SHARD_COUNT) {
    throw new RangeError(`shardCount must be an integer from 1 to ${MAX_SHARD_COUNT}, got ${shardCount}`);
  }
}
