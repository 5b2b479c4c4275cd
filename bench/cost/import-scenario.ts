/** The cost benchmark's import scenario: the reference app's CSV import on resources of its own. */
import { CreateTableCommand, DynamoDBClient, type ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { defineHandler, type AnyBoundJob } from '../../lib/worker/job-handler.js';
import { addCapacity, meter } from './meter.js';
import type { Scenario } from './scenario.js';

/** A contacts CSV for the import scenario: `rows` valid rows over a few days. */
function contactsCsv(rows: number): string {
  const lines = ['email,name,country,signed_up_on'];
  for (let i = 0; i < rows; i++) lines.push(`bench-${i}@example.com,Person ${i},${['GB', 'US', 'FI'][i % 3]},2026-03-0${1 + (i % 5)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The reference app's CSV import (import.start spawning one import.chunk per 500 rows) on a
 * bucket and contacts table of its own; its S3 GETs are counted, and so are the contacts
 * table's writes (the app's own: one unit per row), through the app's clients.
 */
export async function importScenario(rows: number): Promise<Scenario> {
  // Imported here, not at the top: the app's S3 client reads AWS_ENDPOINT_URL when its module loads.
  const [{ startImportJob }, { importChunkJob }, { startImport, CHUNK_ROWS }, data] = await Promise.all([
    import('../../functions/jobs/import-start.js'), import('../../functions/jobs/import-chunk.js'), import('../../functions/jobs/definitions.js'), import('../../functions/jobs/example-data.js'),
  ]);
  const suffix = Date.now().toString(36);
  const bucket = `jobline-bench-files-${suffix}`;
  const table = `jobline-bench-contacts-${suffix}`;
  await data.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const ddb = new DynamoDBClient({});
  await ddb.send(new CreateTableCommand({
    TableName: table, BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'day', KeyType: 'HASH' }, { AttributeName: 'email', KeyType: 'RANGE' }],
    AttributeDefinitions: [{ AttributeName: 'day', AttributeType: 'S' }, { AttributeName: 'email', AttributeType: 'S' }],
  }));
  process.env.FILES_BUCKET = bucket;
  process.env.CONTACTS_TABLE = table;
  await data.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'imports/bench.csv', Body: contactsCsv(rows) }));
  if (!metered.has(data.s3)) {
    metered.add(data.s3);
    data.s3.middlewareStack.add((next, context) => async (args) => {
      if (context.commandName === 'GetObjectCommand') meter.s3Gets++;
      return next(args);
    }, { step: 'initialize', name: 's3Meter' });
    data.contacts.middlewareStack.add((next) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'INDEXES';
      const result = await next(args);
      addCapacity((result.output as { ConsumedCapacity?: ConsumedCapacity[] }).ConsumedCapacity);
      return result;
    }, { step: 'initialize', name: 'contactsMeter' });
  }
  const chunks = Math.ceil(rows / CHUNK_ROWS);
  return {
    // Without the row count: the cost test runs it smaller and finds the saved row by this label.
    label: `CSV import, per row (1 start + 1 chunk per ${CHUNK_ROWS} rows; the app's contact writes included, 1 W per row)`, definition: startImport, jobs: 1, perJobOf: chunks + 1,
    per: { label: 'row', count: rows },
    enqueue: async (client) => { await client.enqueue(startImport, { fileId: `bench-${suffix}`, key: 'imports/bench.csv', uploadedBy: 'bench' }); },
    handlers: (ran) => [startImportJob, importChunkJob].map((bound: AnyBoundJob) => defineHandler(bound.definition, async (payload, ctx) => { ran(); return bound.handler(payload, ctx); })),
  };
}
const metered = new Set<unknown>();
