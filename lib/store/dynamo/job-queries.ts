import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { firstIdAt } from '../../job-id.js';
import { INDEXED_STATUSES, type JobStatus } from '../../job-status.js';
import { shardKey, STATE_INDEX, tagPartition, toJobRecord } from './job-item.js';
import { DEFAULT_LIST_WINDOW_MS, type ListPage, type ListQuery } from '../job-store.js';

/**
 * Most pages one shard's listing reads per request. A filtered read (a status outside the
 * sparse index) can skip many items per page; the listing then stops and hands back a cursor,
 * so no request reads more than shards × this many pages.
 */
export const MAX_LIST_PAGES = 3;
/** Most pages (1 MB each) one shard's count reads before it stops and reports a lower bound. */
const MAX_COUNT_PAGES = 10;

/**
 * Jobs in a status, newest first, within a window: from the sparse index for indexed states,
 * else from the shards' time-ordered keys. Each shard is read newest first; a shard that stopped
 * early (its page limit, or enough items) was read in full only down to its last key, so the
 * page holds only what every shard was read down to, and `next` goes on from there.
 */
export async function listJobs(doc: DynamoDBDocumentClient, tableName: string, shardCount: number, query: ListQuery): Promise<ListPage> {
  const limit = query.limit ?? 50;
  const since = firstIdAt((query.since ?? new Date(Date.now() - DEFAULT_LIST_WINDOW_MS)).getTime());
  // `before` is exclusive: the key range includes it, and it is dropped from the result.
  const upTo = query.before ?? '~';
  const indexed = query.status !== undefined && INDEXED_STATUSES.includes(query.status);
  const perShard = await Promise.all(Array.from({ length: shardCount }, (_, shard) => {
    const pad = shard.toString().padStart(2, '0');
    const input: QueryCommandInput = indexed
      ? {
        TableName: tableName, IndexName: STATE_INDEX.name,
        KeyConditionExpression: 'stateKey = :state AND sk BETWEEN :since AND :upTo',
        ExpressionAttributeValues: { ':state': `${query.status}#${pad}`, ':since': since, ':upTo': upTo },
      }
      : {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :since AND :upTo',
        ...(query.status === undefined ? {} : { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } }),
        ExpressionAttributeValues: { ':pk': shardKey(shard), ':since': since, ':upTo': upTo, ...(query.status === undefined ? {} : { ':status': query.status }) },
      };
    return queryPages(doc, { ...input, ScanIndexForward: false }, { limit: limit + 1, maxPages: MAX_LIST_PAGES });
  }));
  // Every shard was read down to its own last key; together, down to the highest of those.
  const frontier = perShard.map((s) => s.readDownTo).filter((k): k is string => k !== undefined).sort().at(-1);
  const records = perShard.flatMap((s) => s.items.map(toJobRecord))
    .filter((r) => r.id !== query.before && (frontier === undefined || r.id >= frontier))
    .sort((a, b) => (a.id < b.id ? 1 : -1));
  const page = records.slice(0, limit);
  const next = records.length > limit ? page.at(-1)!.id : frontier;
  return { records: page, ...(next === undefined ? {} : { next }) };
}

/** Jobs created since `since` in an indexed status, by lane (a lower bound when `complete` is false). */
export async function countJobsByLane(doc: DynamoDBDocumentClient, tableName: string, shardCount: number, status: JobStatus, since: Date): Promise<{ byLane: Record<string, number>; complete: boolean }> {
  if (!INDEXED_STATUSES.includes(status)) throw new RangeError(`only ${INDEXED_STATUSES.join(', ')} jobs can be counted (the sparse index holds them), not ${status}`);
  const perShard = await Promise.all(Array.from({ length: shardCount }, (_, shard) => queryPages(doc, {
    TableName: tableName, IndexName: STATE_INDEX.name,
    KeyConditionExpression: 'stateKey = :state AND sk >= :since',
    ExpressionAttributeValues: { ':state': `${status}#${shard.toString().padStart(2, '0')}`, ':since': firstIdAt(since.getTime()) },
    ProjectionExpression: 'lane',
  }, { maxPages: MAX_COUNT_PAGES })));
  const byLane: Record<string, number> = {};
  for (const item of perShard.flatMap((s) => s.items)) byLane[String(item.lane)] = (byLane[String(item.lane)] ?? 0) + 1;
  return { byLane, complete: perShard.every((s) => s.complete) };
}

/**
 * A query's items, page by page, until `limit` items (pages then ask for at least that many)
 * or `maxPages` pages. `complete` is false when items were left unread; `readDownTo` is then
 * the sort key it read down to (its last item kept, or the last key a page evaluated).
 */
async function queryPages(doc: DynamoDBDocumentClient, input: QueryCommandInput, options: { limit?: number; maxPages: number }): Promise<{ items: Record<string, unknown>[]; complete: boolean; readDownTo?: string }> {
  const limit = options.limit ?? Infinity;
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  for (let page = 0; page < options.maxPages && items.length < limit; page++) {
    const output = await doc.send(new QueryCommand({ ...input, ...(options.limit ? { Limit: Math.max(options.limit, 100) } : {}), ExclusiveStartKey: start }));
    items.push(...(output.Items ?? []));
    start = output.LastEvaluatedKey;
    if (!start) break;
  }
  const kept = items.slice(0, limit);
  if (start === undefined && items.length <= limit) return { items: kept, complete: true };
  const readDownTo = items.length >= limit ? String(kept.at(-1)!.sk) : String(start!.sk);
  return { items: kept, complete: false, readDownTo };
}

/** The ids of the jobs tagged `tag`, newest first: up to `limit` older than `before`, and where the next page starts. One Query. */
export async function taggedIds(doc: DynamoDBDocumentClient, tableName: string, tag: string, page: { limit: number; before?: string | undefined }): Promise<{ ids: string[]; next?: string }> {
  const output = await doc.send(new QueryCommand({
    TableName: tableName,
    KeyConditionExpression: `pk = :pk${page.before ? ' AND sk < :before' : ''}`,
    ExpressionAttributeValues: { ':pk': tagPartition(tag), ...(page.before ? { ':before': page.before } : {}) },
    ProjectionExpression: 'sk',
    ScanIndexForward: false,
    Limit: page.limit,
  }));
  const ids = (output.Items ?? []).map((item) => String(item.sk));
  return { ids, ...(output.LastEvaluatedKey ? { next: ids.at(-1)! } : {}) };
}

/** How many jobs carry `tag` (their tag items), counted from up to 10 pages of 1 MB: a lower bound when `complete` is false. */
export async function countTagged(doc: DynamoDBDocumentClient, tableName: string, tag: string): Promise<{ count: number; complete: boolean }> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  for (let page = 0; page < MAX_COUNT_PAGES; page++) {
    const output = await doc.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': tagPartition(tag) }, Select: 'COUNT', ExclusiveStartKey: start }));
    count += output.Count ?? 0;
    start = output.LastEvaluatedKey;
    if (!start) return { count, complete: true };
  }
  return { count, complete: false };
}
