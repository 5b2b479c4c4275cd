import { ifConditionHolds } from '../../aws/conditional-write.js';
import type { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient, type PutCommandInput, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { JobStatus } from '../../job-status.js';
import type { FailedOutcome, SucceededOutcome, UntrackedRun } from '../attempt-outcome.js';
import { jobKey, stateKey, tagPartition } from './job-item.js';
import type { AttemptRef } from '../attempt-outcome.js';
import type { NewJob } from '../new-job.js';
import { statusIn, type StatusCondition } from './status-condition.js';
import { CLAIMABLE_STATUSES, PARENT_FINISHABLE_STATUSES } from '../../job-status.js';
import { UNKNOWN_CREATOR, type ClaimRequest } from '../claim-request.js';
import { keptResult, MAX_PARENT_SUMMARY_BYTES, smallResult } from '../small-result.js';
import type { JobWait } from '../../job-record.js';
import type { ParentFinish } from '../job-store.js';
import type { ConditionalUpdate } from './partiql-update.js';

// A retrying job is claimable once its backoff is over (a duplicate delivery never skips it).
const CLAIMABLE_AT_ONCE = statusIn(CLAIMABLE_STATUSES.filter((s) => s !== 'retrying'));

/*
 * The items and updates DynamoJobStore writes, as plain values: a new job's item, a write
 * fenced to an attempt, a child's report to its parent.
 */

const RUNNING = statusIn(['running']);

/** Times a write that lost a race to another writer is tried again before it gives up. */
export const RACE_RETRIES = 3;

/** The update of a write fenced to the claiming attempt: it applies only while that attempt (its claim's token) still runs the job. */
export function fencedUpdate(tableName: string, ref: AttemptRef, change: FencedChange): UpdateCommandInput & { UpdateExpression: string } {
  const entries = Object.entries(change.SET).filter(([, value]) => value !== undefined);
  const absent = Object.entries(change.IF_ABSENT ?? {});
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ...RUNNING.values, ':token': ref.token };
  const sets = entries.map(([name, value], i) => {
    names[`#a${i}`] = name;
    values[`:v${i}`] = value;
    return `#a${i} = :v${i}`;
  });
  absent.forEach(([name, value], i) => {
    names[`#d${i}`] = name;
    values[`:d${i}`] = value;
    sets.push(`#d${i} = if_not_exists(#d${i}, :d${i})`);
  });
  return {
    TableName: tableName,
    Key: jobKey(ref.id),
    UpdateExpression: `SET ${sets.join(', ')}${change.REMOVE.length ? ` REMOVE ${change.REMOVE.join(', ')}` : ''}`,
    ConditionExpression: `${RUNNING.expression} AND claimToken = :token`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/**
 * Whether the item a fenced write's condition failed on already shows that very write: the
 * SDK retried a write whose first response was lost (a timeout, a reset connection) after
 * DynamoDB had carried it out. Only the attempt's own outcome write leaves its attempt in the
 * status it sets, stamped with its own `updatedAt`.
 */
export function showsFencedChange(item: Record<string, unknown>, ref: AttemptRef, change: FencedChange): boolean {
  const { status, updatedAt } = change.SET;
  return status !== undefined && updatedAt !== undefined && item.claimToken === ref.token && item.status === status && item.updatedAt === updatedAt;
}

/** A fenced write: attributes to set, to set only where absent, and to remove. */
export interface FencedChange {
  readonly SET: Record<string, unknown>;
  readonly REMOVE: string[];
  readonly IF_ABSENT?: Record<string, unknown>;
}

export function newItem(job: NewJob): Record<string, unknown> {
  const createdAt = job.createdAt.toISOString();
  return {
    ...jobKey(job.id),
    kind: job.kind,
    lane: job.lane,
    status: job.status,
    attempt: 0,
    maxAttempts: job.maxAttempts,
    payloadBytes: job.payloadBytes,
    createdAt,
    updatedAt: createdAt,
    runAt: job.runAt?.toISOString(),
    createdBy: job.createdBy,
    scheduleName: job.scheduleName,
    uniqueKey: job.uniqueKey,
    predecessorId: job.predecessorId,
    parentId: job.parentId,
    groupId: job.groupId,
    tags: job.tags?.names,
    trace: job.trace,
    stateKey: job.status === 'scheduled' ? stateKey('scheduled', job.id) : undefined,
  };
}

/** A new job's tag items (none for a job without tags): each points at the record by its id, and expires after the record can have. */
export function tagItems(job: NewJob): Array<Record<string, unknown>> {
  return (job.tags?.names ?? []).map((tag) => ({ pk: tagPartition(tag), sk: job.id, kind: job.kind, expiresAt: epochSeconds(job.tags!.expiresAt) }));
}

/** A new job's record and its tag items, as the writes of a transaction. */
export function newJobPuts(tableName: string, job: NewJob, record: Record<string, unknown> = newItem(job), condition?: string): Array<{ Put: { TableName: string; Item: Record<string, unknown>; ConditionExpression?: string } }> {
  return [
    { Put: { TableName: tableName, Item: record, ...(condition ? { ConditionExpression: condition } : {}) } },
    ...tagItems(job).map((Item) => ({ Put: { TableName: tableName, Item } })),
  ];
}

/** Whether the item a claim's condition failed on is running under that very claim (its first response was lost). */
export function isOwnClaim(item: Record<string, unknown>, token: string): boolean {
  return item.status === 'running' && item.claimToken === token;
}

/** The status of the item a conditional write failed on (ReturnValuesOnConditionCheckFailure: ALL_OLD), if there was one. */
export function statusOf(error: ConditionalCheckFailedException): string | undefined {
  return error.Item ? String(unmarshall(error.Item).status) : undefined;
}

/**
 * Marks a job's message as sent: it leaves the undispatched index and drops its payload copy,
 * and a `scheduled` one is listed as scheduled again (no-op once claimed).
 */
export async function markDispatched(doc: DynamoDBDocumentClient, tableName: string, id: string, status?: JobStatus): Promise<void> {
  const scheduled = status === 'scheduled';
  await ifConditionHolds(doc.send(new UpdateCommand({
    TableName: tableName, Key: jobKey(id),
    UpdateExpression: scheduled ? 'SET stateKey = :scheduled REMOVE payloadJson' : 'REMOVE stateKey, payloadJson',
    ConditionExpression: 'begins_with(stateKey, :undispatched)',
    ExpressionAttributeValues: { ':undispatched': 'undispatched#', ...(scheduled ? { ':scheduled': stateKey('scheduled', id) } : {}) },
  })));
}

export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/**
 * The claim of a job for an attempt: running, attempt counted, leased; it creates the record
 * when the message came without one. Applies only to a claimable job, or a running one whose
 * lease ended with attempts left; the old item comes back when it does not apply.
 */
/**
 * The claim: takes the job for one attempt if it is claimable (or has no record yet), or if the
 * attempt that runs it let its lease end with attempts left. `token` (unique per claim) is kept
 * on the item, so that a claim whose response was lost knows its own write when the SDK's retry
 * finds the job already running ({@link isOwnClaim}).
 */
export function claimUpdate(tableName: string, request: ClaimRequest, token: string): UpdateCommandInput {
  const now = request.now.toISOString();
  return {
    TableName: tableName,
    Key: jobKey(request.id),
    UpdateExpression: [
      'SET #status = :running, attempt = if_not_exists(attempt, :zero) + :one, startedAt = :now, updatedAt = :now, leaseUntil = :lease, claimToken = :token,',
      'kind = if_not_exists(kind, :kind), lane = if_not_exists(lane, :lane), maxAttempts = if_not_exists(maxAttempts, :max),',
      'createdAt = if_not_exists(createdAt, :created), payloadBytes = if_not_exists(payloadBytes, :bytes)',
      // A record written at enqueue keeps what it says (or does not say) about who enqueued it.
      ...(request.recordedAtEnqueue ? [] : [', createdBy = if_not_exists(createdBy, :createdBy)']),
      ...(request.groupId ? [', groupId = if_not_exists(groupId, :group)'] : []),
      ...(claimKeepsTrace(request) ? [', trace = if_not_exists(trace, :trace)'] : []),
      `REMOVE ${CLAIM_REMOVES.join(', ')}`,
    ].join(' '),
    ConditionExpression: `${request.recordedAtEnqueue ? '' : 'attribute_not_exists(sk) OR '}${CLAIMABLE_AT_ONCE.expression} OR (#status = :retrying AND nextRunAt <= :now) OR (#status = :running AND leaseUntil < :now AND attempt < maxAttempts)`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ...CLAIMABLE_AT_ONCE.values, ':running': 'running', ':retrying': 'retrying',
      ':zero': 0, ':one': 1, ':now': now, ':lease': request.leaseUntil.toISOString(),
      ':kind': request.kind, ':lane': request.lane, ':max': request.maxAttempts, ':bytes': request.payloadBytes,
      ...(request.recordedAtEnqueue ? {} : { ':createdBy': request.createdBy ?? UNKNOWN_CREATOR }), ':token': token,
      ':created': (request.createdAt ?? request.now).toISOString(),
      ...(request.groupId ? { ':group': request.groupId } : {}),
      ...(claimKeepsTrace(request) ? { ':trace': request.trace } : {}),
    },
    ReturnValues: 'ALL_NEW',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/** A claim that may create the record keeps the creation context its message carries; a record written at enqueue has its own. */
function claimKeepsTrace(request: ClaimRequest): boolean {
  return request.trace !== undefined && !request.recordedAtEnqueue;
}

/** What a claim removes: the job's place in the state index, its retry's schedule, its kept payload, what it waited for. */
export const CLAIM_REMOVES = ['stateKey', 'nextRunAt', 'scheduleName', 'payloadJson', 'waitingFor'] as const;

/** Whether {@link claimUpdate}'s condition holds on `item` at `now`, for a job recorded at enqueue. */
export function claimableAt(item: Record<string, unknown>, now: Date): boolean {
  const status = item.status as JobStatus;
  const at = now.toISOString();
  if (status === 'retrying') return typeof item.nextRunAt === 'string' && item.nextRunAt <= at;
  if (status === 'running') return typeof item.leaseUntil === 'string' && item.leaseUntil < at && Number(item.attempt) < Number(item.maxAttempts);
  return CLAIMABLE_STATUSES.includes(status);
}

/**
 * The claim of a job whose record `item` was just read, as one conditional update that holds
 * only while the record is as read (its status, attempt and last update): what
 * {@link claimUpdate} writes on a record written at enqueue, and the record it leaves — so the
 * claim needs no item back, and can go in a batch of statements. Undefined when the record
 * lacks what claimUpdate would fill in (it was not written at enqueue, or its message carries a
 * group the record does not name): such a claim is claimUpdate's.
 */
export function claimOfRead(tableName: string, item: Record<string, unknown>, request: ClaimRequest, token: string): { update: ConditionalUpdate; after: Record<string, unknown> } | undefined {
  const filled = ['kind', 'lane', 'maxAttempts', 'createdAt', 'payloadBytes', 'attempt', 'updatedAt'].every((name) => item[name] !== undefined);
  if (!request.recordedAtEnqueue || !filled || (request.groupId !== undefined && item.groupId === undefined)) return undefined;
  const now = request.now.toISOString();
  const set = { status: 'running', attempt: Number(item.attempt) + 1, startedAt: now, updatedAt: now, leaseUntil: request.leaseUntil.toISOString(), claimToken: token };
  const after: Record<string, unknown> = { ...item, ...set };
  for (const name of CLAIM_REMOVES) delete after[name];
  return {
    update: { tableName, key: jobKey(request.id), set, remove: CLAIM_REMOVES, equals: { status: item.status, attempt: item.attempt, updatedAt: item.updatedAt } },
    after,
  };
}

/** A fenced write as one conditional update: applied only while the attempt `ref` runs. */
export function fencedStatement(tableName: string, ref: AttemptRef, change: FencedChange): ConditionalUpdate {
  return { tableName, key: jobKey(ref.id), set: change.SET, remove: change.REMOVE, equals: { status: 'running', claimToken: ref.token } };
}

/**
 * The one item of a job tracked by its outcome only: its final state, written only where the
 * job has no record (a duplicate that ran beside it may have written first).
 */
export function untrackedPut(tableName: string, run: UntrackedRun, outcome: SucceededOutcome | FailedOutcome): PutCommandInput {
  const now = outcome.now.toISOString();
  const common = {
    ...jobKey(run.id), kind: run.kind, lane: run.lane, status: outcome.status, attempt: run.attempt, maxAttempts: run.maxAttempts,
    payloadBytes: run.payloadBytes, createdAt: run.createdAt.toISOString(), updatedAt: now, startedAt: run.startedAt.toISOString(),
    finishedAt: now, durationMs: outcome.durationMs, createdBy: run.createdBy ?? UNKNOWN_CREATOR, expiresAt: epochSeconds(outcome.expiresAt),
  };
  const Item = outcome.status === 'succeeded'
    ? { ...common, ...keptResult(outcome) }
    : { ...common, lastError: outcome.error, errors: outcome.errors, payloadJson: outcome.payloadJson, stateKey: stateKey('failed', run.id) };
  return { TableName: tableName, Item, ConditionExpression: 'attribute_not_exists(sk)' };
}

/** Takes a waiting parent's settling: written only if no one holds it, or its holder's time is older than `staleAfterMs`. */
export function settlementClaim(tableName: string, id: string, now: Date, staleAfterMs: number): UpdateCommandInput {
  return {
    TableName: tableName,
    Key: jobKey(id),
    UpdateExpression: 'SET settlingAt = :now',
    ConditionExpression: '#status = :waiting AND (attribute_not_exists(settlingAt) OR settlingAt < :stale)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':now': now.toISOString(), ':waiting': 'waiting', ':stale': new Date(now.getTime() - staleAfterMs).toISOString() },
  };
}

// Conditions on `status`, from the transition table's sets.
const PARENT_FINISHABLE = statusIn(PARENT_FINISHABLE_STATUSES);
const WAITING_TO_START = statusIn(['queued', 'scheduled']);
// Writes that keep the status: a cancelled job keeps its payload, a retrying one its schedule, a claimable one what it waits for.
const CANCELLED = statusIn(['cancelled']);
const RETRYING = statusIn(['retrying']);
const CLAIMABLE = statusIn(CLAIMABLE_STATUSES);

/** Keeps the payload of a job whose message could not be sent, for the sweeper: only while it waits to start (a job cancelled meanwhile keeps its own state). */
export function undispatchedKeep(tableName: string, id: string, payloadJson: string, now: Date): UpdateCommandInput {
  return {
    TableName: tableName,
    Key: jobKey(id),
    UpdateExpression: 'SET payloadJson = :payload, stateKey = :stateKey, updatedAt = :now',
    ConditionExpression: WAITING_TO_START.expression,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':payload': payloadJson, ':stateKey': stateKey('undispatched', id), ':now': now.toISOString(), ...WAITING_TO_START.values },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/** A child's record, written once: one written already (the parent's earlier attempt spawned it) stays as it is. */
export function childPut(tableName: string, child: NewJob): PutCommandInput {
  return { TableName: tableName, Item: newItem(child), ConditionExpression: 'attribute_not_exists(sk)' };
}

/**
 * A parent's final status, written only while it is finishable and its children's counts are
 * the ones the decision was made on (or, failing fast, once a child has failed).
 */
export function parentFinish(tableName: string, id: string, update: ParentFinish): UpdateCommandInput {
  const decided = update.decidedOn === 'a-child-failed'
    ? { condition: 'childrenFailed > :zero', values: { ':zero': 0 } }
    // (A parent prepared before children were counted as cancelled has no such counter: none were.)
    : { condition: `childrenDone = childrenTotal AND childrenDone = :done AND childrenFailed = :failed AND (childrenCancelled = :cancelled${update.decidedOn.counts.cancelled === 0 ? ' OR attribute_not_exists(childrenCancelled)' : ''})`, values: { ':done': update.decidedOn.counts.done, ':failed': update.decidedOn.counts.failed, ':cancelled': update.decidedOn.counts.cancelled } };
  return {
    TableName: tableName,
    Key: jobKey(id),
    UpdateExpression: `SET #status = :final, finishedAt = :now, updatedAt = :now, settledAt = :now, #result = :result, expiresAt = :expires${update.error ? ', lastError = :error, stateKey = :failedKey' : ' REMOVE stateKey'}`,
    ConditionExpression: `${PARENT_FINISHABLE.expression} AND ${decided.condition}`,
    ExpressionAttributeNames: { '#status': 'status', '#result': 'result' },
    ExpressionAttributeValues: {
      ':final': update.status, ':now': update.now.toISOString(), ':result': smallResult(update.result, MAX_PARENT_SUMMARY_BYTES) ?? null, ':expires': epochSeconds(update.expiresAt),
      ...PARENT_FINISHABLE.values, ...decided.values,
      ...(update.error ? { ':error': update.error, ':failedKey': stateKey('failed', id) } : {}),
    },
  };
}

/** A cancelled job's payload kept (it was held by a schedule), while it is still cancelled. */
export function cancelledPayloadKeep(tableName: string, id: string, payloadJson: string, now: Date): UpdateCommandInput {
  return attributeWhile(tableName, id, 'SET payloadJson = :set, updatedAt = :now', CANCELLED, payloadJson, now);
}

/** What a job waits for (a limit), noted while it is claimable. */
export function waitNote(tableName: string, id: string, wait: JobWait, now: Date): UpdateCommandInput {
  return attributeWhile(tableName, id, 'SET waitingFor = :set, updatedAt = :now', CLAIMABLE, wait, now);
}

/** The schedule a retry past 12 h waits in, noted on the record while that attempt's retry is the job's state. */
export function retryScheduleNote(tableName: string, ref: AttemptRef, scheduleName: string): UpdateCommandInput {
  return {
    TableName: tableName,
    Key: jobKey(ref.id),
    UpdateExpression: 'SET scheduleName = :name',
    ConditionExpression: `${RETRYING.expression} AND claimToken = :token`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':name': scheduleName, ...RETRYING.values, ':token': ref.token },
  };
}

/** One attribute (`:set`) set while the job is in one of `condition`'s statuses. */
function attributeWhile(tableName: string, id: string, UpdateExpression: string, condition: StatusCondition, value: unknown, now: Date): UpdateCommandInput {
  return {
    TableName: tableName,
    Key: jobKey(id),
    UpdateExpression,
    ConditionExpression: condition.expression,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':set': value, ':now': now.toISOString(), ...condition.values },
  };
}
