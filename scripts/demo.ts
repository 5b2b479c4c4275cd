/**
 * `npm run demo` (after `npm run dev`, or on its own): uploads a generated 50,000-row contacts
 * CSV with some bad rows, imports it (a progress bar follows the chunks), sends a welcome
 * email, then requests a signups report over the imported days, and prints a summary once
 * everything has finished. Everything runs on the deployed reference stack.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SingleBar, Presets } from 'cli-progress';
import { JobClient } from 'jobline';
import type { JobRecord } from 'jobline';
import { referenceJobs } from '../functions/jobs/definitions.js';
import { startLocalApp, type LocalApp } from 'jobline/testing';

const ROOT = new URL('../', import.meta.url).pathname;

const ROWS = Number(process.env.DEMO_ROWS ?? 50_000);
const BAD_ROWS = 37;
const DAYS = 28;

let exitCode = 0;
let app: LocalApp | undefined;
try {
  app = await startLocalApp({ projectDir: ROOT, stacks: ['Jobline'], log: (line) => console.log(line) });
  const outputs = app.outputs();
  const output = (prefix: string) => Object.entries(outputs).find(([key]) => key.startsWith(prefix))?.[1] ?? '';
  const client = new JobClient({ jobs: referenceJobs, config: app.queue().config, createdBy: 'npm run demo' });
  const s3 = new S3Client({ forcePathStyle: true });

  // 1. A CSV of ROWS contacts over DAYS days, BAD_ROWS of them broken.
  const tag = `demo${Date.now()}`;
  const month = '2026-02';
  const bad = new Set(Array.from({ length: BAD_ROWS }, (_, i) => 2 + Math.floor(((i + 0.5) * ROWS) / BAD_ROWS)));
  const lines = ['email,name,country,signed_up_on'];
  for (let i = 0; i < ROWS; i++) {
    const row = `${tag}-${i}@example.com,Person ${i},${['GB', 'US', 'FI', 'DE'][i % 4]},${month}-${String(1 + (i % DAYS)).padStart(2, '0')}`;
    lines.push(bad.has(i + 2) ? row.replace('@', ' at ') : row);
  }
  const key = `imports/${tag}.csv`;
  const body = `${lines.join('\n')}\n`;
  await s3.send(new PutObjectCommand({ Bucket: output('FilesBucket'), Key: key, Body: body }));
  console.log(`\nUploaded s3://${output('FilesBucket')}/${key}: ${ROWS.toLocaleString()} rows (${BAD_ROWS} bad), ${(body.length / 1e6).toFixed(1)} MB`);

  // 2. The import and a welcome email.
  const started = Date.now();
  const importJob = await client.enqueue('import.start', { fileId: tag, key, uploadedBy: 'ada@example.com' });
  const welcome = await client.enqueue('email.send', { to: 'ada@example.com', template: 'welcome', variables: { name: 'Ada' } });
  console.log(`Enqueued import.start ${importJob.id} and email.send ${welcome.id}\n`);

  const bar = new SingleBar({ format: 'import {bar} {percentage}% | {value}/{total} rows | chunks {chunksDone}/{chunks} | {status}', hideCursor: true }, Presets.shades_classic);
  bar.start(ROWS, 0, { chunksDone: 0, chunks: '?', status: 'queued' });
  const importDone = await waitUntil(async () => {
    const record = await client.get(importJob.id);
    const totals = record?.childTotals ?? {};
    bar.update((totals.imported ?? 0) + (totals.failed ?? 0), { chunksDone: record?.childrenDone ?? 0, chunks: record?.childrenTotal ?? '?', status: record?.status ?? '?' });
    return record && ['succeeded', 'failed'].includes(record.status) ? record : undefined;
  }, 600_000);
  bar.stop();

  // 3. A report over the imported days, emailed when it is ready.
  const report = await client.enqueue('report.generate', { type: 'signups', from: `${month}-01`, to: `${month}-${DAYS}`, format: 'csv', requestedBy: 'ada@example.com' });
  const reportDone = await waitUntil(async () => {
    const record = await client.get(report.id);
    return record && ['succeeded', 'failed'].includes(record.status) ? record : undefined;
  }, 120_000);
  const welcomeDone = await client.get(welcome.id);

  const summary = importDone.result as { totals?: { imported?: number; failed?: number }; badRows?: number[]; chunks?: number } | undefined;
  console.log('\nSummary');
  console.log(`  import   ${importDone.status} in ${((Date.parse(importDone.finishedAt ?? '') - started) / 1000).toFixed(1)} s: ${summary?.totals?.imported?.toLocaleString()} rows imported, ${summary?.totals?.failed} bad (lines ${summary?.badRows?.slice(0, 5).join(', ')}…), ${summary?.chunks} chunks`);
  console.log(`  email    ${welcomeDone?.status} (attempt ${welcomeDone?.attempt})`);
  const result = reportDone.result as { key?: string; rows?: number } | undefined;
  console.log(`  report   ${reportDone.status}: ${result?.rows?.toLocaleString()} rows → s3://${output('FilesBucket')}/${result?.key}; a link was emailed to ada@example.com`);
  if (importDone.status !== 'succeeded' || reportDone.status !== 'succeeded') exitCode = 1;
} catch (error) {
  exitCode = 1;
  console.error(error);
} finally {
  await app?.stop();
}
process.exit(exitCode);

async function waitUntil(probe: () => Promise<JobRecord | undefined>, timeoutMs: number): Promise<JobRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
