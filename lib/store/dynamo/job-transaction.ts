import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CancellationReason, TransactItem } from '../transaction.js';
import { DISPATCH_ATTRIBUTE } from './job-item.js';
import type { NewJob } from '../new-job.js';
import { epochSeconds, newItem, newJobPuts } from './job-writes.js';

export type { CancellationReason, TransactItem } from '../transaction.js';

/** DynamoDB's limits on one transaction. */
export const TRANSACTION_LIMITS = { actions: 100, bytes: 4 * 1024 * 1024 } as const;

/** The unique-key claim's item: a job of the kind holds the key until its window ends. */
export function uniqueClaimKey(kind: string, key: string): { pk: string } {
  return { pk: `unique#${kind}#${key}` };
}

/**
 * The items that write a job inside a caller's transaction: its record — payload kept, marked
 * for the stream's dispatcher — and, for a unique kind, its key's claim (free, or its window
 * over), which cancels the transaction when another job holds the key. The record enters no
 * index (a transaction costs double: every unit counts); the claim drops the payload, and a
 * job still queued past the stuck horizon with its payload is sent by the sweeper.
 */
export function jobTransactionItems(tables: { jobs: string; claims: string }, job: NewJob, payloadJson: string, unique?: { key: string; expiresAt: Date; now: Date }): TransactItem[] {
  // A job id is new; a retried transaction that wrote it already fails on the record's condition instead of writing it twice.
  const puts = newJobPuts(tables.jobs, job, { ...newItem(job), payloadJson, [DISPATCH_ATTRIBUTE.name]: DISPATCH_ATTRIBUTE.viaStream }, 'attribute_not_exists(sk)');
  if (!unique) return puts;
  return [uniqueKeyClaim(tables.claims, job, unique), ...puts];
}

/**
 * The write that takes a unique key for `job` until `expiresAt`: it holds when the key is free
 * or its window is over (TTL may not have reaped the old claim yet). The one place that condition
 * is written: the client's insert and a caller's own transaction both use it.
 */
export function uniqueKeyClaim(claimsTable: string, job: Pick<NewJob, 'id' | 'kind'>, unique: { key: string; expiresAt: Date; now: Date }): TransactItem & { Put: object } {
  return {
    Put: {
      TableName: claimsTable,
      Item: { ...uniqueClaimKey(job.kind, unique.key), jobId: job.id, expiresAt: epochSeconds(unique.expiresAt) },
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
      ExpressionAttributeValues: { ':now': epochSeconds(unique.now) },
    },
  };
}

/** Runs a transaction; `reasons` when DynamoDB cancelled it (nothing was written), one per item. */
export async function runTransaction(doc: DynamoDBDocumentClient, items: readonly TransactItem[]): Promise<{ ok: true } | { ok: false; reasons: CancellationReason[]; error: TransactionCanceledException }> {
  try {
    await doc.send(new TransactWriteCommand({ TransactItems: [...items] }));
    return { ok: true };
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    return { ok: false, error, reasons: (error.CancellationReasons ?? []).map((r) => ({ code: r.Code ?? 'None', message: r.Message })) };
  }
}

/** The job holding a unique key's claim, if one does (strongly consistent). */
export async function uniqueKeyHolder(doc: DynamoDBDocumentClient, claimsTable: string, kind: string, key: string): Promise<string | undefined> {
  const output = await doc.send(new GetCommand({ TableName: claimsTable, Key: uniqueClaimKey(kind, key), ConsistentRead: true }));
  return output.Item?.jobId as string | undefined;
}
