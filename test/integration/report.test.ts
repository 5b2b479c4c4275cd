import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { listAll } from '../support/list-all.js';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { awsBackends } from '../../lib/aws/aws-backends.js';
import type { JobRecord } from '../../lib/job-record.js';
import { client, dynamodb, mailTo, sqs, stack, stackOutput, waitForStatus } from './support/deployed.js';
import { waitFor } from './support/wait.js';

const s3 = new S3Client({ forcePathStyle: true });
const doc = DynamoDBDocumentClient.from(dynamodb);
const { store } = awsBackends(stack.config, { dynamodb, sqs });

async function followUpsOf(id: string): Promise<JobRecord[]> {
  const lists = await Promise.all((['queued', 'running', 'retrying', 'succeeded', 'failed'] as const).map((status) => listAll(store, { status, limit: 1000, since: new Date(Date.now() - 600_000) })));
  return lists.flat().filter((r) => r.predecessorId === id);
}

describe('report.generate on the deployed stack', () => {
  it('builds the file from DynamoDB into S3, then enqueues exactly one email; retrying the email never rebuilds the report', async () => {
    // Signups on three days of a month no other test uses.
    const month = `2041-${String(1 + Math.floor(Math.random() * 12)).padStart(2, '0')}`;
    const rows = [
      { day: `${month}-01`, email: `a-${Date.now()}@example.com`, name: 'Ada', country: 'GB' },
      { day: `${month}-02`, email: `b-${Date.now()}@example.com`, name: 'Grace, "Amazing"', country: 'US' },
      { day: `${month}-03`, email: `c-${Date.now()}@example.com`, name: 'Linus', country: 'FI' },
    ];
    await doc.send(new BatchWriteCommand({ RequestItems: { [stackOutput('ContactsTable')]: rows.map((Item) => ({ PutRequest: { Item } })) } }));
    const requestedBy = `ops-${Date.now()}@example.com`;
    const request = { type: 'signups', from: `${month}-01`, to: `${month}-03`, format: 'csv', requestedBy } as const;

    const report = await client.enqueue('report.generate', request);
    const again = await client.enqueue('report.generate', request);
    expect(again).toMatchObject({ id: report.id, duplicate: true });

    const done = await waitForStatus(report.id, 'succeeded');
    const { key, rows: count } = done.result as { key: string; rows: number };
    expect(key).toBe(`reports/signups/${month}-01_${month}-03.csv`);
    expect(count).toBe(3);
    const file = await (await s3.send(new GetObjectCommand({ Bucket: stackOutput('FilesBucket'), Key: key }))).Body!.transformToString();
    expect(file).toBe(`signed_up_on,email,name,country\n${month}-01,${rows[0]!.email},Ada,GB\n${month}-02,${rows[1]!.email},"Grace, ""Amazing""",US\n${month}-03,${rows[2]!.email},Linus,FI\n`);

    // The follow-up email: one job, failing once after its send and retried on its own.
    const [email] = await waitFor('the follow-up email to succeed', async () => {
      const followUps = await followUpsOf(report.id);
      return followUps.length > 0 && followUps.every((f) => f.status === 'succeeded') ? followUps : undefined;
    });
    expect(await followUpsOf(report.id)).toHaveLength(1);
    expect(email).toMatchObject({ kind: 'test.email-then-fail', attempt: 2, createdBy: `job:${report.id}` });
    const mail = await mailTo(requestedBy);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.Subject).toBe(`Your signups report for ${month}-01 – ${month}-03 is ready`);
    const link = /(http\S+)/.exec(mail[0]!.BodyText ?? '')![1]!;
    expect(await (await fetch(link)).text()).toBe(file);

    // The report ran once: still attempt 1, and its file was not rewritten after it finished.
    const after = await client.get(report.id);
    expect(after).toMatchObject({ status: 'succeeded', attempt: 1, finishedAt: done.finishedAt });
    const head = await s3.send(new HeadObjectCommand({ Bucket: stackOutput('FilesBucket'), Key: key }));
    expect(head.LastModified!.getTime()).toBeLessThanOrEqual(Date.parse(done.finishedAt!) + 1000);
  });

  it('rejects a report request with a bad range before anything is written', async () => {
    await expect(client.enqueue('report.generate', { type: 'signups', from: '2026-02-01', to: '2026-01-01', requestedBy: 'x@example.com' })).rejects.toThrow(/to: from must not be after to/);
  });
});
