import { Logger } from '@aws-lambda-powertools/logger';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { runJobTransaction } from '../../lib/client/transactional-enqueue.js';
import { createDispatcher } from '../../lib/dispatcher/create-dispatcher.js';
import { jobsOfStream } from '../../lib/dispatcher/stream-records.js';
import { DuplicateJobError, TransactionCancelledError, TransactionTooLargeError } from '../../lib/errors.js';
import { dispatchKept } from '../../lib/dispatcher/dispatch-kept.js';
import { newJobId } from '../../lib/job-id.js';
import type { JobRecord } from '../../lib/job-record.js';
import { jobTransactionItems, type CancellationReason, type TransactItem } from '../../lib/store/dynamo/job-transaction.js';
import type { JobStore, TransactionalJobStore } from '../../lib/store/job-store.js';
import type { NewJob } from '../../lib/store/new-job.js';
import { MemoryScheduler, MemoryTransport, testConfig } from 'jobline/testing';

const logger = new Logger({ logLevel: 'SILENT' });
const now = new Date('2026-05-01T12:00:00Z');
const record = (overrides: Partial<JobRecord> = {}): JobRecord => ({
  id: newJobId(4, now.getTime()), kind: 'k', lane: 'default', status: 'queued', attempt: 0, maxAttempts: 3, createdAt: now.toISOString(), updatedAt: now.toISOString(), payloadBytes: 2, ...overrides,
});
const newJob = (overrides: Partial<NewJob> = {}): NewJob => ({ id: newJobId(4, now.getTime()), kind: 'k', lane: 'default', status: 'queued', maxAttempts: 3, payloadBytes: 2, createdAt: now, ...overrides });

describe('dispatchKept', () => {
  it('sends due and short-delayed jobs to their lanes in batches, schedules long delays, and marks each dispatched', async () => {
    const transport = new MemoryTransport();
    const scheduler = new MemoryScheduler();
    const marked: Array<[string, string]> = [];
    const due = record();
    const soon = record({ lane: 'bulk', status: 'scheduled', runAt: new Date(now.getTime() + 30_000).toISOString() });
    const later = record({ status: 'scheduled', runAt: new Date(now.getTime() + 3_600_000).toISOString(), scheduleName: 'once.later' });
    const report = await dispatchKept([due, soon, later].map((r) => ({ record: r, payloadJson: '{"a":1}' })), now, {
      transport, scheduler, thresholdSeconds: 900, logger, markDispatched: async (id, status) => void marked.push([id, status]),
    });
    expect(report).toEqual({ dispatched: [due.id, soon.id, later.id], failed: [] });
    expect(transport.sent.map((m) => [m.lane, m.id, m.delaySeconds])).toEqual([['default', due.id, 0], ['bulk', soon.id, 30]]);
    expect(scheduler.schedules.get('once.later')).toMatchObject({ lane: 'default', at: new Date(later.runAt!) });
    expect(marked).toEqual([[due.id, 'queued'], [soon.id, 'scheduled'], [later.id, 'scheduled']]);
  });

  it('reports what SQS refused without marking it, and takes an existing schedule as scheduled', async () => {
    const transport = new MemoryTransport();
    const scheduler = new MemoryScheduler();
    const refused = record();
    const scheduled = record({ status: 'scheduled', runAt: new Date(now.getTime() + 3_600_000).toISOString(), scheduleName: 'once.dup' });
    await scheduler.scheduleOnce('once.dup', now, 'default', 'body');
    transport.failSendFor.add(refused.id);
    const marked: string[] = [];
    const report = await dispatchKept([refused, scheduled].map((r) => ({ record: r, payloadJson: '{}' })), now, { transport, scheduler, thresholdSeconds: 900, logger, markDispatched: async (id) => void marked.push(id) });
    expect(report).toEqual({ dispatched: [scheduled.id], failed: [refused.id] });
    expect(marked).toEqual([scheduled.id]);
  });
});

describe('the dispatcher', () => {
  const streamRecord = (item: Record<string, unknown>, eventName: 'INSERT' | 'MODIFY' = 'INSERT', sequence = '1'): DynamoDBRecord =>
    ({ eventName, dynamodb: { SequenceNumber: sequence, NewImage: marshall(item, { removeUndefinedValues: true }) as never } });

  it('takes only inserts marked for it that carry their payload', () => {
    const [item] = jobTransactionItems({ jobs: 'jobs', claims: 'claims' }, newJob(), '{"x":1}').map((i) => i.Put!.Item!);
    const jobs = jobsOfStream([streamRecord(item!), streamRecord(item!, 'MODIFY'), streamRecord({ ...item, dispatch: undefined }), streamRecord({ ...item, payloadJson: undefined })]);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ sequenceNumber: '1', payloadJson: '{"x":1}', record: { status: 'queued', kind: 'k' } });
  });

  it('reports the records of jobs it could not send as batch item failures', async () => {
    const transport = new MemoryTransport();
    const [ok, refused] = [newJob(), newJob()];
    transport.failSendFor.add(refused.id);
    const handler = createDispatcher({ config: testConfig(), now: () => now, dependencies: { transport, scheduler: new MemoryScheduler(), markDispatched: async () => {} } });
    const items = [ok, refused].map((job) => jobTransactionItems({ jobs: 'jobs', claims: 'claims' }, job, '{}')[0]!.Put!.Item!);
    const response = await handler({ Records: [streamRecord(items[0]!, 'INSERT', '100'), streamRecord(items[1]!, 'INSERT', '101')] });
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '101' }] });
    expect(transport.sent.map((m) => m.id)).toEqual([ok.id]);
  });
});

describe('runJobTransaction: what a cancelled transaction tells the caller', () => {
  const storeCancelling = (reasons: CancellationReason[], holder?: string): JobStore & TransactionalJobStore => ({
    transactionItems: (job: NewJob, payloadJson: string, unique?: { key: string; expiresAt: Date; now: Date }) => jobTransactionItems({ jobs: 'jobs', claims: 'claims' }, job, payloadJson, unique),
    transact: async () => ({ ok: false, reasons, error: new Error('TransactionCanceledException') }),
    uniqueKeyHolder: async () => holder,
  }) as unknown as JobStore & TransactionalJobStore;
  const callerItem: TransactItem = { Update: { TableName: 'users', Key: { email: 'a@b' }, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': 1 } } };
  const unique = { key: 'k1', expiresAt: new Date(now.getTime() + 60_000), now };

  it('names the caller\'s item whose condition failed, first', async () => {
    const error = await runJobTransaction(storeCancelling([{ code: 'ConditionalCheckFailed' }, { code: 'None' }]), [callerItem], [{ record: newJob(), payloadJson: '{}' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionCancelledError);
    expect((error as Error).message).toBe('the transaction was cancelled and nothing was written: your item 0 (users {"email":"a@b"}) failed its condition');
  });

  it('turns a held unique key into a DuplicateJobError with the holder', async () => {
    const error = await runJobTransaction(storeCancelling([{ code: 'None' }, { code: 'ConditionalCheckFailed' }, { code: 'None' }], 'holder-id'), [callerItem], [{ record: newJob(), payloadJson: '{}', unique }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateJobError);
    expect(error).toMatchObject({ existingJobId: 'holder-id', key: 'k1', kind: 'k' });
  });

  it('is transient when only a conflict cancelled it', async () => {
    const error = await runJobTransaction(storeCancelling([{ code: 'TransactionConflict', message: 'busy' }, { code: 'None' }]), [callerItem], [{ record: newJob(), payloadJson: '{}' }]).catch((e: unknown) => e);
    expect(error).toMatchObject({ permanent: false });
    expect((error as Error).message).toContain('your item 0 (users {"email":"a@b"}) was refused: TransactionConflict (busy)');
  });

  it('refuses more than 100 items before sending', async () => {
    const items = Array.from({ length: 100 }, () => callerItem);
    await expect(runJobTransaction(storeCancelling([]), items, [{ record: newJob(), payloadJson: '{}' }])).rejects.toBeInstanceOf(TransactionTooLargeError);
  });
});
