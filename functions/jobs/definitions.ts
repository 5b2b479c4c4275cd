import * as z from 'zod';
import { defineJob } from 'jobline';

/**
 * The reference app's job kinds, as data: the CDK app, the enqueue API and the worker all
 * import this file; only the worker imports the handlers.
 */
export const sendEmail = defineJob({
  kind: 'email.send',
  schema: z.object({
    to: z.email({ error: 'to must be an email address' }),
    template: z.string().min(1),
    variables: z.record(z.string(), z.string()).default({}),
    /** Send token: jobs with the same token send one email between them. @default the job id */
    token: z.string().min(1).max(200).optional(),
  }),
  retry: { maxAttempts: 6, backoffBaseSeconds: 10, backoffCapSeconds: 600 },
  timeoutSeconds: 10,
  // The provider's sending rate: SES starts an account at 14 emails a second. The app sends from
  // one address (EMAIL_FROM), so the kind's own limit is the sender's.
  rateLimit: { limit: 10, periodSeconds: 1 },
  // Addresses and the names in a template's variables are personal data: shown as [redacted].
  redact: ['to', 'variables'],
});

const isoDate = z.iso.date({ error: 'must be a date like 2026-01-31' });

/**
 * Builds a report file from DynamoDB data into S3 under a predictable key, then — only
 * once it succeeded — emails the requester a download link. One report per (type, range)
 * at a time: an identical request within 10 minutes returns the existing job.
 */
export const generateReport = defineJob({
  kind: 'report.generate',
  schema: z.object({
    type: z.literal('signups', { error: 'type must be "signups"' }),
    from: isoDate,
    to: isoDate,
    format: z.enum(['csv', 'json']).default('csv'),
    filters: z.object({ country: z.string().length(2).optional() }).default({}),
    requestedBy: z.email({ error: 'requestedBy must be an email address' }),
  }).refine((r) => r.from <= r.to, { message: 'from must not be after to', path: ['to'] })
    .refine((r) => Date.parse(r.to) - Date.parse(r.from) <= 366 * 86_400_000, { message: 'a report covers at most 366 days', path: ['to'] }),
  unique: { key: (r) => `${r.type}:${r.from}:${r.to}`, windowSeconds: 600 },
  retry: { maxAttempts: 4, backoffBaseSeconds: 5, backoffCapSeconds: 120 },
  timeoutSeconds: 10,
});

/** The columns a contacts CSV must have, in this order. */
export const CONTACT_COLUMNS = ['email', 'name', 'country', 'signed_up_on'] as const;
/** Rows per import chunk. */
export const CHUNK_ROWS = 500;

/**
 * Imports an uploaded contacts CSV: checks the header (a wrong one fails the import at once,
 * nothing imported), finds chunk boundaries by streaming the file, and spawns one
 * `import.chunk` per 500 rows. It is their parent: it shows their progress and finishes when
 * they all have; a chunk that cannot be read fails it and cancels the rest.
 */
export const startImport = defineJob({
  kind: 'import.start',
  schema: z.object({ fileId: z.string().min(1), key: z.string().min(1), uploadedBy: z.string().min(1) }),
  retry: { maxAttempts: 3, backoffBaseSeconds: 5 },
  timeoutSeconds: 10,
});

/**
 * Imports rows [firstLine, firstLine + rows) of a CSV, read by byte range; upserts them by
 * (day, email). At most 4 chunks of one uploading customer run at once.
 */
export const importChunk = defineJob({
  kind: 'import.chunk',
  schema: z.object({
    fileId: z.string().min(1),
    key: z.string().min(1),
    /** First byte of the chunk. */
    start: z.number().int().min(0),
    /** One past its last byte. */
    end: z.number().int().min(1),
    /** File line number of its first row (the header is line 1). */
    firstLine: z.number().int().min(2),
    rows: z.number().int().min(1).max(CHUNK_ROWS),
    /** The customer who uploaded the file. */
    uploadedBy: z.string().min(1),
  }),
  retry: { maxAttempts: 5, backoffBaseSeconds: 1, backoffCapSeconds: 60 },
  timeoutSeconds: 10,
  // One customer's 50,000-row import runs 4 chunks at a time, so it never starves the others'
  // (and on AWS, SQS fair queues deliver each customer's chunks fairly).
  concurrency: { limit: 4, key: (chunk) => chunk.uploadedBy },
  group: { key: (chunk) => chunk.uploadedBy },
});

/** Every kind of the reference app. */
export const referenceJobs = [sendEmail, generateReport, startImport, importChunk] as const;
