import { DuplicateJobError, TransactionCancelledError, TransactionTooLargeError, type TransactionItemFailure } from '../errors.js';
import type { JobStore, TransactionalJobStore } from '../store/job-store.js';
import { TRANSACTION_LIMITS, type CancellationReason, type TransactItem } from '../store/dynamo/job-transaction.js';
import type { NewJob } from '../store/new-job.js';

/** A job prepared for a transaction: its record, payload and, for a unique kind, its key's claim. */
export interface TransactionalJob {
  readonly record: NewJob;
  readonly payloadJson: string;
  readonly unique?: { readonly key: string; readonly expiresAt: Date; readonly now: Date } | undefined;
}

/** The items of each job, in order, with whose each item is. */
export function jobItems(store: TransactionalJobStore, jobs: readonly TransactionalJob[]): { items: TransactItem[]; owners: Array<{ owner: 'job' | 'unique-key'; job: TransactionalJob }> } {
  const items: TransactItem[] = [];
  const owners: Array<{ owner: 'job' | 'unique-key'; job: TransactionalJob }> = [];
  for (const job of jobs) {
    const own = store.transactionItems(job.record, job.payloadJson, job.unique);
    items.push(...own);
    // The key's claim first (a unique kind), then the record and its tag items: the job's.
    own.forEach((_, index) => owners.push({ owner: job.unique && index === 0 ? 'unique-key' : 'job', job }));
  }
  return { items, owners };
}

/**
 * Runs the caller's items and the jobs' items as one transaction. Refuses what DynamoDB would
 * (over 100 items or 4 MB) before sending; turns a cancellation into a DuplicateJobError (a
 * unique key held by another job, and nothing else wrong) or a TransactionCancelledError
 * naming each item that failed — the caller's own first.
 */
export async function runJobTransaction(store: JobStore & TransactionalJobStore, callerItems: readonly TransactItem[], jobs: readonly TransactionalJob[]): Promise<void> {
  const { items, owners } = jobItems(store, jobs);
  const all = [...callerItems, ...items];
  const bytes = Buffer.byteLength(JSON.stringify(all), 'utf8');
  if (all.length > TRANSACTION_LIMITS.actions || bytes > TRANSACTION_LIMITS.bytes) throw new TransactionTooLargeError(all.length, bytes, TRANSACTION_LIMITS);
  const result = await store.transact(all);
  if (result.ok) return;
  const failures = result.reasons
    .map((reason, index) => ({ reason, index }))
    .filter(({ reason }) => reason.code !== 'None')
    .map(({ reason, index }) => describe(reason, index, callerItems, owners));
  const held = failures.filter((f) => f.owner === 'unique-key' && f.code === 'ConditionalCheckFailed');
  if (held.length > 0 && held.length === failures.length) {
    const job = owners[held[0]!.index - callerItems.length]!.job;
    const holder = await store.uniqueKeyHolder(job.record.kind, job.unique!.key);
    if (holder) throw new DuplicateJobError(job.record.kind, job.unique!.key, holder, { cause: result.error });
  }
  throw new TransactionCancelledError(failures.sort((a, b) => (a.owner === 'caller' ? 0 : 1) - (b.owner === 'caller' ? 0 : 1)), { cause: result.error });
}

function describe(reason: CancellationReason, index: number, callerItems: readonly TransactItem[], owners: ReadonlyArray<{ owner: 'job' | 'unique-key'; job: TransactionalJob }>): TransactionItemFailure {
  if (index < callerItems.length) {
    const item = callerItems[index]!;
    const action = item.Put ?? item.Update ?? item.Delete ?? item.ConditionCheck;
    const key = item.Update?.Key ?? item.Delete?.Key ?? item.ConditionCheck?.Key;
    return { index, owner: 'caller', code: reason.code, message: reason.message, table: action?.TableName, key };
  }
  const { owner, job } = owners[index - callerItems.length]!;
  return { index, owner, code: reason.code, message: reason.message, table: undefined, key: owner === 'job' ? { id: job.record.id } : { uniqueKey: job.unique?.key } };
}
