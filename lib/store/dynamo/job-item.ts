import { shardOf } from '../../job-id.js';
import type { JobRecord } from '../../job-record.js';
import type { JobStatus } from '../../job-status.js';

/**
 * The jobs table's layout. Partition key `pk` is the record's shard (`J#00`…), taken from
 * the job id, so writes spread over `shardCount` keys and a shard's jobs sort by id (time).
 * Sort key `sk` is the job id.
 *
 * The sparse global index `byState` (partition `stateKey`, sort `sk`) holds only jobs whose
 * status is in INDEXED_STATUSES (or that wait for dispatch): the happy path never writes it.
 */
export const TABLE_KEYS = { partition: 'pk', sort: 'sk' } as const;
/** Name and keys of the sparse index of non-happy states. */
export const STATE_INDEX = { name: 'byState', partition: 'stateKey', sort: 'sk' } as const;
/**
 * Name and keys of the sparse index of watched jobs: jobs the sweeper found still queued or
 * running past the stuck horizon. Only such jobs ever enter it; finishing writes leave it.
 */
export const WATCH_INDEX = { name: 'byWatch', partition: 'watchKey', sort: 'sk' } as const;
/**
 * Partition key of a tag's items (`T#<tag>`): one item per tagged job, sort key its id, so a
 * tag's jobs list newest first in one Query. Only tagged jobs write them.
 */
export function tagPartition(tag: string): string {
  return `T#${tag}`;
}
/** Partition key of the sweeper's own items (its per-shard cursors). */
export const SWEEPER_PARTITION = 'SWEEPER';
/**
 * Marks a record written inside a caller's own transaction (`dispatch = stream`): the table's
 * stream hands exactly these inserts to the dispatcher, which sends their messages.
 */
export const DISPATCH_ATTRIBUTE = { name: 'dispatch', viaStream: 'stream' } as const;
/** True for a record written in a caller's transaction whose payload is still kept (no worker has claimed it yet). */
export function awaitsStreamDispatch(record: JobRecord): boolean {
  return (record as JobRecord & { [DISPATCH_ATTRIBUTE.name]?: string })[DISPATCH_ATTRIBUTE.name] === DISPATCH_ATTRIBUTE.viaStream && record.payload !== undefined;
}
/** The TTL attribute (seconds since the epoch). */
export const TTL_ATTRIBUTE = 'expiresAt';

/** Partition key of a shard. */
export function shardKey(shard: number): string {
  return `J#${shard.toString().padStart(2, '0')}`;
}

/** Primary key of a job's record. */
export function jobKey(id: string): { pk: string; sk: string } {
  return { pk: shardKey(shardOf(id)), sk: id };
}

/** `byState` partition for a status (or `undispatched`) in a shard. */
export function stateKey(state: JobStatus | 'undispatched', id: string): string {
  return `${state}#${shardOf(id).toString().padStart(2, '0')}`;
}

/** Turns a stored item back into a record: drops the keys, parses the kept payload. */
export function toJobRecord(item: Record<string, unknown>): JobRecord {
  const { pk: _pk, sk, stateKey: _stateKey, watchKey: _watchKey, settlingAt: _settlingAt, payloadJson, ...rest } = item;
  const record: Record<string, unknown> = { ...rest, id: sk };
  if (typeof payloadJson === 'string') record.payload = JSON.parse(payloadJson);
  return record as unknown as JobRecord;
}
