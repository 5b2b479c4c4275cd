import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { JobNotRetryableError, JoblineError } from '../../errors.js';
import type { JobRecord } from '../../job-record.js';
import { CANCELLABLE_STATUSES, DISCARDABLE_STATUSES, RETRYABLE_STATUSES } from '../../job-status.js';
import { countedAs, parentReport, parentUncount } from './child-counts.js';
import { jobKey, stateKey, toJobRecord } from './job-item.js';
import { cancelRefusal, discardRefusal, retryRefusal, type CancelUpdate } from '../operator-rules.js';
import { epochSeconds, RACE_RETRIES } from './job-writes.js';
import { ifConditionHolds } from '../../aws/conditional-write.js';
import { statusIn } from './status-condition.js';


const CANCELLABLE = statusIn(CANCELLABLE_STATUSES);
const DISCARDABLE = statusIn(DISCARDABLE_STATUSES);
const RETRYABLE = statusIn(RETRYABLE_STATUSES);

type Update = UpdateCommandInput & { UpdateExpression: string; ConditionExpression: string };

/**
 * An operator's writes on the jobs table — cancel, retry (requeue), discard — as the rules of
 * `operator-rules.ts` say: a child's cancel counts it on its parent and its retry takes it back
 * out, in one transaction with the child's own write; a parent is not discarded while its
 * children run.
 */
export class DynamoOperatorWrites {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async cancel(id: string, update: CancelUpdate): Promise<JobRecord> {
    for (let tries = 0; tries < RACE_RETRIES; tries++) {
      const record = await this.get(id);
      const refused = cancelRefusal(id, record);
      if (refused) throw refused;
      const write = this.cancelUpdate(id, update);
      // A child counts on its parent as cancelled, unless the parent is gone (discarded, expired).
      const counted = record!.parentId !== undefined && (await this.get(record!.parentId))?.childrenTotal !== undefined;
      if (await this.write(write, counted ? parentReport(this.tableName, { parentId: record!.parentId!, outcome: 'cancelled', totals: {} }) : undefined)) return (await this.get(id))!;
    }
    throw new JoblineError(`job ${id} changed ${RACE_RETRIES} times while it was being cancelled; cancel it again`);
  }

  async requeue(id: string, now: Date): Promise<JobRecord> {
    for (let tries = 0; tries < RACE_RETRIES; tries++) {
      const record = await this.get(id);
      const refused = retryRefusal(id, record);
      if (refused) throw refused;
      const write = this.requeueUpdate(record!, now);
      const parent = record!.parentId ? await this.get(record!.parentId) : undefined;
      // A parent that is gone (discarded, expired) has nothing to take the child out of.
      if (await this.write(write, parent?.childrenTotal !== undefined ? parentUncount(this.tableName, parent, countedAs(record!.status), now) : undefined)) return (await this.get(id))!;
    }
    throw new JoblineError(`job ${id} changed ${RACE_RETRIES} times while it was being retried; retry it again`);
  }

  async discard(id: string): Promise<void> {
    const record = await this.get(id);
    // A parent never comes back once its record is gone (its messages find no record to claim): reading it once is enough.
    const refused = record?.parentId !== undefined ? discardRefusal(id, record, (await this.get(record.parentId)) !== undefined) : undefined;
    if (refused) throw refused;
    try {
      await this.doc.send(new DeleteCommand({
        TableName: this.tableName, Key: jobKey(id),
        // A cancelled job whose message no worker has dropped yet would run when that message came
        // (the claim would find no record and make one); a parent's running children would report to nothing.
        ConditionExpression: `${DISCARDABLE.expression} AND (#status <> :cancelled OR attribute_exists(payloadJson)) AND (attribute_not_exists(childrenTotal) OR childrenDone >= childrenTotal)`,
        ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ...DISCARDABLE.values, ':cancelled': 'cancelled' },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      throw discardRefusal(id, error.Item ? toJobRecord(unmarshall(error.Item)) : undefined) ?? new JobNotRetryableError(id, undefined, 'discarded');
    }
  }

  private cancelUpdate(id: string, update: CancelUpdate): Update {
    const kept = update.payloadJson === undefined ? '' : ', payloadJson = :payload';
    const superseded = update.supersededBy === undefined ? '' : ', supersededBy = :by';
    return {
      TableName: this.tableName,
      Key: jobKey(id),
      UpdateExpression: `SET #status = :cancelled, finishedAt = :now, updatedAt = :now, cancelReason = :reason, expiresAt = :expires, stateKey = :stateKey${kept}${superseded} REMOVE watchKey`,
      ConditionExpression: CANCELLABLE.expression,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ...CANCELLABLE.values, ':cancelled': 'cancelled', ':now': update.now.toISOString(),
        ':reason': update.reason, ':expires': epochSeconds(update.expiresAt), ':stateKey': stateKey('cancelled', id),
        ...(update.payloadJson === undefined ? {} : { ':payload': update.payloadJson }),
        ...(update.supersededBy === undefined ? {} : { ':by': update.supersededBy }),
      },
    };
  }

  /**
   * Back to `queued` with fresh attempts. With its payload kept, the job is undispatched until
   * the caller has sent its message; a cancelled job whose message no worker has seen yet (no
   * payload kept) is only revived — that message, still on its way, runs it. Conditioned on
   * the record as read, so a worker keeping the payload in between is read again.
   */
  private requeueUpdate(record: JobRecord, now: Date): Update {
    const withPayload = record.payload !== undefined;
    return {
      TableName: this.tableName,
      Key: jobKey(record.id),
      UpdateExpression: withPayload
        ? 'SET #status = :queued, attempt = :zero, updatedAt = :now, stateKey = :undispatched REMOVE finishedAt, leaseUntil, expiresAt, nextRunAt, cancelReason'
        : 'SET #status = :queued, attempt = :zero, updatedAt = :now REMOVE stateKey, finishedAt, leaseUntil, expiresAt, nextRunAt, cancelReason',
      ConditionExpression: `${RETRYABLE.expression} AND #status = :seen AND ${withPayload ? 'attribute_exists(payloadJson)' : 'attribute_not_exists(payloadJson)'}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ...RETRYABLE.values, ':queued': 'queued', ':zero': 0, ':now': now.toISOString(), ':seen': record.status,
        ...(withPayload ? { ':undispatched': stateKey('undispatched', record.id) } : {}),
      },
    };
  }

  private async get(id: string): Promise<JobRecord | undefined> {
    const output = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: jobKey(id), ConsistentRead: true }));
    return output.Item ? toJobRecord(output.Item) : undefined;
  }

  /**
   * The job's conditional write, with its parent's in the same transaction when there is one;
   * false when a condition no longer held (the caller reads again).
   */
  private async write(job: Update, parent: UpdateCommandInput | undefined): Promise<boolean> {
    if (!parent) return (await ifConditionHolds(this.doc.send(new UpdateCommand(job)))) !== undefined;
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: [{ Update: job }, { Update: parent as Update }] }));
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')) return false;
      throw error;
    }
  }
}
