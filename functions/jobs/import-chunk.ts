import { GetObjectCommand } from '@aws-sdk/client-s3';
import { putAll } from 'jobline/worker';
import { PermanentError } from 'jobline';
import type { PayloadOf } from 'jobline';
import { defineHandler, type JobContext } from 'jobline/worker';
import { parseContact, rowsOf } from './contacts-csv.js';
import { importChunk } from './definitions.js';
import { contacts, resourceName, s3, type Contact } from './example-data.js';

/** What a chunk reports (its numbers are summed on the import; its bad rows gathered). */
export interface ChunkResult {
  readonly imported: number;
  readonly failed: number;
  /** File line numbers of the rows that could not be imported (the line a row ends on). */
  readonly badRows: number[];
}

/**
 * Imports one chunk: reads only its byte range, upserts its valid rows by (day, email) — so
 * a rerun writes no duplicates — and counts the bad ones with their line numbers. A file that
 * is gone is permanent (the import fails fast); anything else is retried for this chunk alone.
 */
export async function importRows(chunk: PayloadOf<typeof importChunk>, ctx: JobContext): Promise<ChunkResult> {
  let text: string;
  try {
    const part = await s3.send(new GetObjectCommand({ Bucket: resourceName('FILES_BUCKET'), Key: chunk.key, Range: `bytes=${chunk.start}-${chunk.end - 1}` }), { abortSignal: ctx.signal });
    text = await part.Body!.transformToString();
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') throw new PermanentError(`the uploaded file ${chunk.key} is gone`);
    throw error;
  }
  const { rows, unparsable } = rowsOf(text, chunk.firstLine);
  const valid = new Map<string, Contact>();
  const badRows = [...unparsable];
  for (const { fields, line } of rows) {
    const parsed = parseContact(fields);
    if ('contact' in parsed) valid.set(`${parsed.contact.day}|${parsed.contact.email}`, parsed.contact);
    else badRows.push(line);
  }
  await putAll(contacts, resourceName('CONTACTS_TABLE'), [...valid.values()], 'contacts', ctx.signal);
  // Every valid row was written (a row repeated in the file overwrites its twin).
  return { imported: rows.length + unparsable.length - badRows.length, failed: badRows.length, badRows: badRows.sort((a, b) => a - b) };
}

/** `import.chunk`, bound to its handler. */
export const importChunkJob = defineHandler(importChunk, importRows);
