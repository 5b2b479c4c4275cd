import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { childJobId } from '../../lib/continuations/children.js';
import { client, dynamodb, stack, stackOutput, waitForStatus } from './support/deployed.js';

const s3 = new S3Client({ forcePathStyle: true });
const doc = DynamoDBDocumentClient.from(dynamodb);
const DAYS = 5;

/** A contacts CSV of `rows` rows over DAYS days of a year no other test uses; the rows at `bad` (file line numbers) are broken in different ways. */
function contactsCsv(tag: string, year: number, rows: number, bad: readonly number[], header = 'email,name,country,signed_up_on'): string {
  const breakers = [(r: string) => r.replace('@', ' at '), (r: string) => r.replace(/,[A-Z]{2},/, ',Germany,'), (r: string) => r.replace(/\d{4}-\d{2}-\d{2}$/, '2026-02-30'), (r: string) => r.split(',').slice(0, 3).join(',')];
  const lines = [header];
  for (let i = 0; i < rows; i++) {
    const line = i + 2;
    const row = `${tag}-${i}@example.com,"Person ${i}, Jr.",${['GB', 'US', 'FI'][i % 3]},${year}-03-0${1 + (i % DAYS)}`;
    lines.push(bad.includes(line) ? breakers[bad.indexOf(line) % breakers.length]!(row) : row);
  }
  return `${lines.join('\n')}\n`;
}

async function upload(name: string, body: string): Promise<string> {
  const key = `imports/${name}.csv`;
  await s3.send(new PutObjectCommand({ Bucket: stackOutput('FilesBucket'), Key: key, Body: body }));
  return key;
}

/** Contacts rows of this test's emails in the test's year. */
async function importedRows(tag: string, year: number): Promise<number> {
  let count = 0;
  for (let d = 1; d <= DAYS; d++) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new QueryCommand({ TableName: stackOutput('ContactsTable'), KeyConditionExpression: '#d = :d', ExpressionAttributeNames: { '#d': 'day' }, ExpressionAttributeValues: { ':d': `${year}-03-0${d}` }, ExclusiveStartKey: start }));
      count += (page.Items ?? []).filter((item) => String(item.email).startsWith(`${tag}-`)).length;
      start = page.LastEvaluatedKey;
    } while (start);
  }
  return count;
}

describe('CSV import on the deployed stack', () => {
  it('imports 5,000 rows with 7 bad ones in 10 chunks under a parent with exact counts; a chunk failing once is retried alone; a rerun writes no duplicates', async () => {
    const tag = `imp${Date.now()}`;
    const year = 2100 + Math.floor(Math.random() * 800);
    const bad = [3, 499, 1000, 2002, 2501, 4000, 5001];
    const key = await upload(`${tag}-flaky-chunk`, contactsCsv(tag, year, 5000, bad));

    const parent = await client.enqueue('import.start', { fileId: tag, key, uploadedBy: 'ada@example.com' });
    const done = await waitForStatus(parent.id, 'succeeded', 150_000);
    expect(done.result).toEqual({
      fileId: tag, key, uploadedBy: 'ada@example.com', totalRows: 5000, chunks: 10,
      children: { total: 10, succeeded: 10, failed: 0, cancelled: 0 },
      totals: { imported: 4993, failed: 7 },
      badRows: bad,
    });
    expect(done).toMatchObject({ childrenTotal: 10, childrenDone: 10, childrenFailed: 0, childrenCancelled: 0 });
    expect(await importedRows(tag, year)).toBe(4993);

    // The chunk starting at line 2002 failed once and was retried on its own.
    const children = await Promise.all(Array.from({ length: 10 }, (_, i) => client.get(childJobId(parent.id, i, stack.config.shardCount))));
    expect(children.map((c) => c?.attempt)).toEqual([1, 1, 1, 1, 2, 1, 1, 1, 1, 1]);
    expect(children[4]?.errors?.[0]?.message).toBe('simulated read timeout on the first attempt');
    expect(children.every((c) => c?.status === 'succeeded' && c.parentId === parent.id)).toBe(true);

    // Importing the same file again upserts the same keys: still 4,993 rows.
    const again = await client.enqueue('import.start', { fileId: `${tag}-again`, key, uploadedBy: 'ada@example.com' });
    expect((await waitForStatus(again.id, 'succeeded', 150_000)).result).toMatchObject({ totals: { imported: 4993, failed: 7 } });
    expect(await importedRows(tag, year)).toBe(4993);
  });

  it('fails an import with a wrong header at once: no chunk spawned, no row written', async () => {
    const tag = `hdr${Date.now()}`;
    const year = 2100 + Math.floor(Math.random() * 800);
    const key = await upload(tag, contactsCsv(tag, year, 600, [], 'mail,name,country,signup'));
    const parent = await client.enqueue('import.start', { fileId: tag, key, uploadedBy: 'ada@example.com' });
    const failed = await waitForStatus(parent.id, 'failed');
    expect(failed).toMatchObject({ attempt: 1, lastError: { permanent: true, message: 'wrong header: expected "email,name,country,signed_up_on", got "mail,name,country,signup"' } });
    expect(failed.childrenTotal).toBeUndefined();
    expect(await client.get(childJobId(parent.id, 0, stack.config.shardCount))).toBeUndefined();
    expect(await importedRows(tag, year)).toBe(0);
  });
});
