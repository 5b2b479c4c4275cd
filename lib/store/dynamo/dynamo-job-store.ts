import { ConditionalCheckFailedException, TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient} from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { BATCH_WRITE_LIMIT, putAll } from '../../aws/batch-write.js';
import { JoblineError } from '../../errors.js';
import type { JobRecord, JobWait } from '../../job-record.js';
import type { JobStatus } from '../../job-status.js';
import type { AttemptOutcome, FailedOutcome, RetryingOutcome, SucceededOutcome, WaitingOutcome } from '../attempt-outcome.js';
import { jobKey, stateKey, toJobRecord } from './job-item.js';
import { countJobsByLane, countTagged, listJobs, taggedIds } from './job-queries.js';
import { BATCH_GET_LIMIT, getAll } from '../../aws/batch-get.js';
import { BATCH_STATEMENT_LIMIT, runWriteStatements, type StatementResult, type WriteStatement } from '../../aws/batch-statements.js';
import { coalesce } from '../../aws/coalesce.js';
import { updateStatement } from './partiql-update.js';
import { type AttemptRef, type CancelUpdate, type ParentFinish, type ClaimRequest, type ClaimResult, type JobStore, type ListPage, type ListQuery, type NewJob, type TransactionalJobStore, type UniqueInsertResult, type UntrackedRun } from '../job-store.js';
import { jobTransactionItems, runTransaction, uniqueClaimKey, uniqueKeyClaim, uniqueKeyHolder, type TransactItem } from './job-transaction.js';
import { parentReport } from './child-counts.js';
import { DynamoOperatorWrites } from './dynamo-operator-writes.js';
import {
  cancelledPayloadKeep, childPut, claimableAt, claimOfRead, claimUpdate, fencedStatement, epochSeconds, fencedUpdate, isOwnClaim, markDispatched, newItem, newJobPuts, parentFinish, RACE_RETRIES, retryScheduleNote,
  settlementClaim, showsFencedChange, tagItems, undispatchedKeep, untrackedPut, waitNote, type FencedChange,
} from './job-writes.js';
import { keptResult, smallResult } from '../small-result.js';
import { documentClient } from '../../aws/document-client.js';
import { ifConditionHolds, ownWriteToken } from '../../aws/conditional-write.js';


type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;


/** {@link JobStore} on a DynamoDB table laid out as in `job-item.ts`. */
export class DynamoJobStore implements JobStore, TransactionalJobStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly operators: DynamoOperatorWrites;

  /** Strongly consistent reads of job records, those of one turn of the event loop in one BatchGetItem. */
  private readonly readJob = coalesce<string, Record<string, unknown> | undefined>({
    maxBatch: BATCH_GET_LIMIT,
    keyOf: (id) => id,
    run: async (ids) => {
      const byId = await this.itemsById(ids);
      return ids.map((id) => byId.get(id));
    },
  });

  /** Conditional updates, those of one turn of the event loop in one BatchExecuteStatement (25 a request). */
  private readonly writeStatement = coalesce<WriteStatement, StatementResult>({
    maxBatch: BATCH_STATEMENT_LIMIT,
    keyOf: (statement) => statement.itemKey,
    run: (statements) => runWriteStatements(this.doc, statements),
  });

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly shardCount: number,
    /** Where unique-key claims live (the idempotency table). */
    private readonly claimsTableName: string,
    /** Claims and outcomes each as a single write, never batched: the path a batched write falls back to, for tests to hold to the same contract. @default true */
    private readonly batched: boolean = true,
  ) {
    this.doc = documentClient(client);
    this.operators = new DynamoOperatorWrites(this.doc, tableName);
  }

  async insert(jobs: readonly NewJob[]): Promise<void> {
    await putAll(this.doc, this.tableName, jobs.flatMap((job) => [newItem(job), ...tagItems(job)]), 'job records');
  }

  async insertUnique(job: NewJob, claim: { key: string; expiresAt: Date; now: Date }, tries = RACE_RETRIES): Promise<UniqueInsertResult> {
    const claimKey = uniqueClaimKey(job.kind, claim.key);
    try {
      await this.doc.send(new TransactWriteCommand({
        TransactItems: [uniqueKeyClaim(this.claimsTableName, job, claim), ...newJobPuts(this.tableName, job)],
      }));
      return { inserted: true };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException) || error.CancellationReasons?.[0]?.Code !== 'ConditionalCheckFailed') throw error;
      const existing = await this.doc.send(new GetCommand({ TableName: this.claimsTableName, Key: claimKey, ConsistentRead: true }));
      const existingJobId = existing.Item?.jobId as string | undefined;
      // The claim expired between the two calls: try again (a few times; a key that keeps flipping is an error).
      if (!existingJobId) {
        if (tries <= 1) throw new JoblineError(`the unique key "${claim.key}" of ${job.kind} changed hands ${RACE_RETRIES} times while job ${job.id} was written; enqueue it again`, { cause: error });
        return this.insertUnique(job, claim, tries - 1);
      }
      return { inserted: false, existingJobId };
    }
  }

  transactionItems(job: NewJob, payloadJson: string, unique?: { key: string; expiresAt: Date; now: Date }): TransactItem[] {
    return jobTransactionItems({ jobs: this.tableName, claims: this.claimsTableName }, job, payloadJson, unique);
  }

  transact(items: readonly TransactItem[]): ReturnType<TransactionalJobStore['transact']> {
    return runTransaction(this.doc, items);
  }

  uniqueKeyHolder(kind: string, key: string): Promise<string | undefined> {
    return uniqueKeyHolder(this.doc, this.claimsTableName, kind, key);
  }

  async keepUndispatched(id: string, payloadJson: string, now: Date): Promise<void> {
    // Only while it waits to start: a job cancelled meanwhile keeps its own state (and is listed as cancelled).
    try {
      await this.doc.send(new UpdateCommand(undispatchedKeep(this.tableName, id, payloadJson, now)));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) || !error.Item) throw error;
    }
  }

  /**
   * A job recorded at enqueue is read first (the reads of a batch's claims in one request),
   * then claimed by a write that holds only while its record is as read (the writes of a batch's
   * claims in one request): the record it leaves is known without a read back, and a duplicate
   * of a job that is over or running costs no write. Anything else — a record that changed in
   * between, a statement DynamoDB did not run, a job with no record yet — is claimed by
   * {@link claimOne}, which decides on the record as it then is.
   */
  async claim(request: ClaimRequest): Promise<ClaimResult> {
    if (!this.batched || !request.recordedAtEnqueue) return this.claimOne(request);
    const item = await this.readJob(request.id);
    if (!item) return { outcome: 'missing' };
    if (!claimableAt(item, request.now)) return unclaimable(toJobRecord(item), request.now);
    const token = ownWriteToken();
    const claim = claimOfRead(this.tableName, item, request, token);
    if (!claim) return this.claimOne(request);
    const result = await this.writeStatement(updateStatement(claim.update));
    if (result.ok) return { outcome: 'claimed', record: toJobRecord(claim.after) };
    // The SDK sent the batch again after its first response was lost: this claim is in it.
    if (result.code === 'ConditionalCheckFailed' && result.item && isOwnClaim(result.item, token)) return { outcome: 'claimed', record: toJobRecord(result.item) };
    return this.claimOne(request);
  }

  /** Claims one job with one conditional write, reading nothing first. */
  private async claimOne(request: ClaimRequest): Promise<ClaimResult> {
    const token = ownWriteToken();
    try {
      const output = await this.doc.send(new UpdateCommand(claimUpdate(this.tableName, request, token)));
      return { outcome: 'claimed', record: toJobRecord(output.Attributes ?? {}) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (!error.Item) return { outcome: 'missing' };
      const item = unmarshall(error.Item);
      const record = toJobRecord(item);
      if (isOwnClaim(item, token)) return { outcome: 'claimed', record };
      return unclaimable(record, request.now);
    }
  }

  async recordOutcome(ref: AttemptRef, outcome: AttemptOutcome): Promise<boolean> {
    switch (outcome.status) {
      case 'succeeded': return this.recordSuccess(ref, outcome);
      case 'retrying': return this.recordRetry(ref, outcome);
      case 'failed': return this.recordFailure(ref, outcome);
      case 'waiting': return this.recordWaiting(ref, outcome);
    }
  }

  private async recordSuccess(ref: AttemptRef, update: SucceededOutcome): Promise<boolean> {
    const change = {
      SET: { status: 'succeeded', finishedAt: update.now.toISOString(), updatedAt: update.now.toISOString(), durationMs: update.durationMs, expiresAt: epochSeconds(update.expiresAt), ...keptResult(update) },
      // Removing an attribute a job does not have costs nothing: only watched jobs pay for leaving the index.
      REMOVE: ['leaseUntil', 'watchKey'],
    };
    if (!update.followUps.length && !update.parent) return this.finish(ref, change);
    return this.transactFenced(ref, change, [
      ...(update.parent ? [{ Update: parentReport(this.tableName, update.parent) }] : []),
      ...update.followUps.flatMap((f) => newJobPuts(this.tableName, f.record, { ...newItem(f.record), payloadJson: f.payloadJson, stateKey: stateKey('undispatched', f.record.id) }, 'attribute_not_exists(sk)')),
    ], update.parent?.parentId);
  }

  async recordUntracked(run: UntrackedRun, outcome: SucceededOutcome | FailedOutcome): Promise<boolean> {
    return (await ifConditionHolds(this.doc.send(new PutCommand(untrackedPut(this.tableName, run, outcome))))) !== undefined;
  }

  async markDispatched(id: string, status?: JobStatus): Promise<void> {
    await markDispatched(this.doc, this.tableName, id, status);
  }

  private async recordRetry(ref: AttemptRef, update: RetryingOutcome): Promise<boolean> {
    return this.finish(ref, {
      SET: { status: 'retrying', updatedAt: update.now.toISOString(), durationMs: update.durationMs, lastError: update.error, errors: update.errors, nextRunAt: update.nextRunAt.toISOString(), stateKey: stateKey('retrying', ref.id) },
      REMOVE: ['leaseUntil'],
    });
  }

  private async recordFailure(ref: AttemptRef, update: FailedOutcome): Promise<boolean> {
    const change = {
      SET: {
        status: 'failed', finishedAt: update.now.toISOString(), updatedAt: update.now.toISOString(), durationMs: update.durationMs,
        lastError: update.error, errors: update.errors, payloadJson: update.payloadJson, expiresAt: epochSeconds(update.expiresAt), stateKey: stateKey('failed', ref.id),
      },
      REMOVE: ['leaseUntil', 'watchKey'],
    };
    if (!update.parent) return this.finish(ref, change);
    return this.transactFenced(ref, change, [{ Update: parentReport(this.tableName, update.parent) }], update.parent.parentId);
  }

  private async recordWaiting(ref: AttemptRef, update: WaitingOutcome): Promise<boolean> {
    return this.finish(ref, {
      SET: { status: 'waiting', updatedAt: update.now.toISOString(), durationMs: update.durationMs, stateKey: stateKey('waiting', ref.id), result: smallResult(update.result) },
      REMOVE: ['leaseUntil'],
    });
  }

  async prepareChildren(ref: AttemptRef, update: { total: number; failFast: boolean }): Promise<boolean> {
    return this.finish(ref, {
      SET: { childrenTotal: update.total, failFast: update.failFast },
      REMOVE: [],
      IF_ABSENT: { childrenDone: 0, childrenFailed: 0, childrenCancelled: 0, childTotals: {} },
    });
  }

  async insertChildren(children: readonly NewJob[]): Promise<void> {
    for (let i = 0; i < children.length; i += BATCH_WRITE_LIMIT) {
      await Promise.all(children.slice(i, i + BATCH_WRITE_LIMIT).map(async (child) => {
        // A child written already (the parent's earlier attempt spawned it) stays as it is.
        await ifConditionHolds(this.doc.send(new PutCommand(childPut(this.tableName, child))));
        // Its tags' items: the same items again if it was.
        await Promise.all(tagItems(child).map((Item) => this.doc.send(new PutCommand({ TableName: this.tableName, Item }))));
      }));
    }
  }

  async claimSettlement(id: string, now: Date, staleAfterMs: number): Promise<boolean> {
    return (await ifConditionHolds(this.doc.send(new UpdateCommand(settlementClaim(this.tableName, id, now, staleAfterMs))))) !== undefined;
  }

  async finishParent(id: string, update: ParentFinish): Promise<boolean> {
    return (await ifConditionHolds(this.doc.send(new UpdateCommand(parentFinish(this.tableName, id, update))))) !== undefined;
  }

  /**
   * A transaction whose first item is the fenced write (the rest: its parent's report, its
   * follow-ups): false when that fence no longer holds. A parent that is gone (its TTL ended)
   * has nothing to count on: the outcome is written alone then, never retried forever.
   */
  private async transactFenced(ref: AttemptRef, change: FencedChange, rest: TransactItems, parentId?: string): Promise<boolean> {
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: [{ Update: fencedUpdate(this.tableName, ref, change) }, ...rest] }));
      return true;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return false;
      if (parentId && reasons[1]?.Code === 'ConditionalCheckFailed' && !(await this.get(parentId))) {
        return rest.length > 1 ? this.transactFenced(ref, change, rest.slice(1)) : this.finish(ref, change);
      }
      throw error;
    }
  }

  cancel(id: string, update: CancelUpdate): Promise<JobRecord> {
    return this.operators.cancel(id, update);
  }

  async heartbeat(ref: AttemptRef, update: { now: Date; leaseUntil?: Date | undefined; progress?: unknown }): Promise<boolean> {
    return this.finish(ref, {
      SET: { updatedAt: update.now.toISOString(), leaseUntil: update.leaseUntil?.toISOString(), progress: smallResult(update.progress) },
      REMOVE: [],
    });
  }

  requeue(id: string, now: Date): Promise<JobRecord> {
    return this.operators.requeue(id, now);
  }

  async keepCancelledPayload(id: string, payloadJson: string, now: Date): Promise<boolean> {
    return (await ifConditionHolds(this.doc.send(new UpdateCommand(cancelledPayloadKeep(this.tableName, id, payloadJson, now))))) !== undefined;
  }

  async noteWaiting(id: string, wait: JobWait, now: Date): Promise<boolean> {
    return (await ifConditionHolds(this.doc.send(new UpdateCommand(waitNote(this.tableName, id, wait, now))))) !== undefined;
  }

  discard(id: string): Promise<void> {
    return this.operators.discard(id);
  }

  async markRetryScheduled(ref: AttemptRef, scheduleName: string): Promise<boolean> {
    return (await ifConditionHolds(this.doc.send(new UpdateCommand(retryScheduleNote(this.tableName, ref, scheduleName))))) !== undefined;
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const output = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: jobKey(id), ConsistentRead: true }));
    return output.Item ? toJobRecord(output.Item) : undefined;
  }

  async getMany(ids: readonly string[]): Promise<JobRecord[]> {
    const byId = await this.itemsById(ids);
    return ids.flatMap((id) => { const item = byId.get(id); return item ? [toJobRecord(item)] : []; });
  }

  /** The items of `ids` that exist, by id, read strongly consistent 100 to a BatchGetItem. */
  private async itemsById(ids: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
    return new Map((await getAll(this.doc, this.tableName, ids.map(jobKey), 'job records')).map((item) => [String(item.sk), item]));
  }

  async list(query: ListQuery): Promise<ListPage> {
    return listJobs(this.doc, this.tableName, this.shardCount, query);
  }

  async listByTag(tag: string, page: { limit: number; before?: string | undefined }): Promise<ListPage> {
    const { ids, next } = await taggedIds(this.doc, this.tableName, tag, page);
    return { records: await this.getMany(ids), ...(next ? { next } : {}) };
  }

  countByTag(tag: string): Promise<{ count: number; complete: boolean }> {
    return countTagged(this.doc, this.tableName, tag);
  }

  async countByLane(status: JobStatus, since: Date): Promise<{ byLane: Record<string, number>; complete: boolean }> {
    return countJobsByLane(this.doc, this.tableName, this.shardCount, status, since);
  }

  /**
   * A write fenced to the claiming attempt: it applies only while that attempt still runs. Without attributes set only where absent it goes in a batch of statements
   * (the outcomes of a batch's jobs in one request); a statement DynamoDB did not run is written
   * alone. Either way a write whose first response was lost finds its own change, and counts as applied.
   */
  private async finish(ref: AttemptRef, change: FencedChange): Promise<boolean> {
    if (!this.batched || change.IF_ABSENT) return this.finishOne(ref, change);
    const result = await this.writeStatement(updateStatement(fencedStatement(this.tableName, ref, change)));
    if (result.ok) return true;
    if (result.code === 'ConditionalCheckFailed') return result.item !== undefined && showsFencedChange(result.item, ref, change);
    return this.finishOne(ref, change);
  }

  private async finishOne(ref: AttemptRef, change: FencedChange): Promise<boolean> {
    try {
      await this.doc.send(new UpdateCommand(fencedUpdate(this.tableName, ref, change)));
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // A retried write whose first response was lost finds its own change: it applied.
      return error.Item !== undefined && showsFencedChange(unmarshall(error.Item), ref, change);
    }
  }
}

/** What a claim found on a record it may not take: a retry's backoff not over, a job over, or one running elsewhere (its lease live, or its attempts spent). */
function unclaimable(record: JobRecord, now: Date): ClaimResult {
  if (record.status === 'retrying') return { outcome: 'early', record };
  if (record.status !== 'running') return { outcome: 'skip', record };
  const leaseLive = (record.leaseUntil ?? '') >= now.toISOString();
  return { outcome: leaseLive ? 'busy' : 'exhausted', record };
}

