import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { InputOf, JobDefinition, PayloadOf } from 'jobline';
import { defineHandler, type JobContext } from 'jobline/worker';
import { generateReport, sendEmail } from './definitions.js';
import { contacts, resourceName, s3, type Contact } from './example-data.js';

type ReportRequest = PayloadOf<typeof generateReport>;

/** How long the emailed link works, in seconds. */
export const LINK_SECONDS = 24 * 3600;

/** The S3 key of a report: the same request always writes the same key (a rerun overwrites it). */
export function reportKey(request: ReportRequest): string {
  const filter = request.filters.country ? `_country-${request.filters.country}` : '';
  return `reports/${request.type}/${request.from}_${request.to}${filter}.${request.format}`;
}

/** Every day from `from` to `to`, inclusive (YYYY-MM-DD). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** The report file's body: CSV with a header row, or a JSON array. */
export function renderReport(rows: readonly Contact[], format: 'csv' | 'json'): string {
  if (format === 'json') return JSON.stringify(rows.map(({ day, email, name, country }) => ({ signedUpOn: day, email, name, country })));
  const cell = (value: string) => (/[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  return ['signed_up_on,email,name,country', ...rows.map((r) => [r.day, r.email, r.name, r.country].map(cell).join(','))].join('\n') + '\n';
}

async function signupsBetween(request: ReportRequest, signal: AbortSignal): Promise<Contact[]> {
  const table = resourceName('CONTACTS_TABLE');
  const perDay = await Promise.all(daysBetween(request.from, request.to).map(async (day) => {
    const rows: Contact[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await contacts.send(new QueryCommand({
        TableName: table, KeyConditionExpression: '#day = :day', ExpressionAttributeNames: { '#day': 'day' }, ExpressionAttributeValues: { ':day': day }, ExclusiveStartKey: start,
      }), { abortSignal: signal });
      rows.push(...((page.Items ?? []) as Contact[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return rows;
  }));
  return perDay.flat().filter((r) => !request.filters.country || r.country === request.filters.country);
}

/**
 * Makes the `report.generate` handler: builds the file from the contacts table, writes it to
 * S3 under {@link reportKey}, and — through `ctx.then`, so only once it has succeeded —
 * enqueues `notify` to email the requester a presigned link. A retry of the email job never
 * reruns the report.
 */
export function makeReportHandler(notify: JobDefinition<unknown, InputOf<typeof sendEmail>>) {
  return async (request: ReportRequest, ctx: JobContext) => {
    const rows = await signupsBetween(request, ctx.signal);
    const bucket = resourceName('FILES_BUCKET');
    const key = reportKey(request);
    await s3.send(new PutObjectCommand({
      Bucket: bucket, Key: key, Body: renderReport(rows, request.format),
      ContentType: request.format === 'csv' ? 'text/csv' : 'application/json',
      Metadata: { 'job-id': ctx.id },
    }), { abortSignal: ctx.signal });
    const link = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: LINK_SECONDS });
    ctx.then(notify, {
      to: request.requestedBy,
      template: 'report-ready',
      variables: { type: request.type, from: request.from, to: request.to, rows: String(rows.length), format: request.format, link },
      token: `report:${ctx.id}`,
    });
    return { bucket, key, rows: rows.length };
  };
}

/** `report.generate`, notifying through `email.send`. */
export const generateReportJob = defineHandler(generateReport, makeReportHandler(sendEmail));
