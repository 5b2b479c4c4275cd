import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { JobRecord } from '../../job-record.js';
import type { JobStatus } from '../../job-status.js';
import type { ChildReport } from '../attempt-outcome.js';
import { jobKey, stateKey } from './job-item.js';

/*
 * A parent's counters, kept so that each child counts exactly once: a child that reaches a
 * final state (succeeded, failed, cancelled) adds itself in the same transaction as that write,
 * and an operator's retry of a failed or cancelled child takes it back out in the same
 * transaction as the requeue. `childrenDone` is then always the number of the parent's children
 * in a final state, and the parent finishes only when that is all of them.
 */

/** The final states a child counts in, and the counter each adds to besides `childrenDone`. */
export type ChildOutcome = 'succeeded' | 'failed' | 'cancelled';

const COUNTER: Record<ChildOutcome, string | undefined> = { succeeded: undefined, failed: 'childrenFailed', cancelled: 'childrenCancelled' };

/** What a parent's counters say: children finished, and of those failed and cancelled. */
export interface ChildCounts {
  readonly done: number;
  readonly failed: number;
  readonly cancelled: number;
}

/** A parent record's counters (0 where a counter is absent). */
export function childCountsOf(parent: JobRecord): ChildCounts {
  return { done: parent.childrenDone ?? 0, failed: parent.childrenFailed ?? 0, cancelled: parent.childrenCancelled ?? 0 };
}

/** The parent's side of a child finishing: counts it, and sums its numeric result fields. Applies to any prepared parent. */
export function parentReport(tableName: string, report: ChildReport): UpdateCommandInput & { UpdateExpression: string } {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':one': 1 };
  const counter = COUNTER[report.outcome];
  const sums = Object.entries(report.totals).filter(([, v]) => Number.isFinite(v)).map(([field, value], i) => {
    names[`#t${i}`] = field;
    values[`:t${i}`] = value;
    return `childTotals.#t${i} = if_not_exists(childTotals.#t${i}, :zero) + :t${i}`;
  });
  return {
    TableName: tableName,
    Key: jobKey(report.parentId),
    UpdateExpression: `ADD childrenDone :one${counter ? `, ${counter} :one` : ''}${sums.length ? ` SET ${sums.join(', ')}` : ''}`,
    ConditionExpression: 'attribute_exists(childTotals)',
    ...(sums.length ? { ExpressionAttributeNames: names } : {}),
    // DynamoDB refuses a value no expression uses: :zero only where there are sums.
    ExpressionAttributeValues: sums.length ? { ...values, ':zero': 0 } : values,
  };
}

/** True when an operator's retry of one of `parent`'s children reopens it: its children's outcomes failed it. */
export function reopensOnChildRetry(parent: JobRecord): boolean {
  return parent.status === 'failed' && parent.settledAt !== undefined;
}

/**
 * The parent's side of an operator's retry of a child that counted as `was`: the child leaves
 * its counts. A parent its children failed (`settledAt`) reopens — `waiting` again, listed and
 * without an expiry — and finishes when the retried child does. Conditioned on the parent as
 * read (`seen`), so that a parent settled meanwhile is read again, not decremented unopened.
 */
export function parentUncount(tableName: string, seen: JobRecord, was: Exclude<ChildOutcome, 'succeeded'>, now: Date): UpdateCommandInput & { UpdateExpression: string } {
  const common = {
    TableName: tableName,
    Key: jobKey(seen.id),
    ExpressionAttributeNames: { '#status': 'status', '#counter': COUNTER[was]! },
  };
  if (reopensOnChildRetry(seen)) {
    return {
      ...common,
      UpdateExpression: 'SET #status = :waiting, stateKey = :waitingKey, updatedAt = :now REMOVE finishedAt, expiresAt, settledAt, settlingAt ADD childrenDone :minus, #counter :minus',
      ConditionExpression: '#status = :seen AND settledAt = :settledAt',
      ExpressionAttributeValues: { ':waiting': 'waiting', ':waitingKey': stateKey('waiting', seen.id), ':now': now.toISOString(), ':minus': -1, ':seen': seen.status, ':settledAt': seen.settledAt },
    };
  }
  return {
    ...common,
    // A settle that read the counts before this retry is refused by them; its hold on the settling goes too.
    UpdateExpression: 'REMOVE settlingAt ADD childrenDone :minus, #counter :minus',
    ConditionExpression: '#status = :seen AND attribute_not_exists(settledAt) AND #counter > :zero',
    ExpressionAttributeValues: { ':minus': -1, ':zero': 0, ':seen': seen.status },
  };
}

/** The outcome a retryable child counted as: `failed` or `cancelled` (the statuses a retry moves a job from). */
export function countedAs(status: JobStatus): Exclude<ChildOutcome, 'succeeded'> {
  if (status !== 'failed' && status !== 'cancelled') throw new RangeError(`a ${status} child does not count as failed or cancelled`);
  return status;
}
