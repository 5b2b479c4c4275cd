import { GetObjectCommand } from '@aws-sdk/client-s3';
import { PermanentError } from 'jobline';
import { defineHandler } from 'jobline/worker';
import { findChunks, headerOf, headerProblem, MAX_HEADER_BYTES } from './contacts-csv.js';
import { CHUNK_ROWS, importChunk, startImport } from './definitions.js';
import { resourceName, s3 } from './example-data.js';

/**
 * `import.start`: checks the header from the first bytes (a wrong header fails the import at
 * once: no chunk, no row), streams the file once to find its 500-row chunks, and spawns one
 * `import.chunk` per chunk, failing fast if one cannot be read.
 */
export const startImportJob = defineHandler(startImport, async ({ fileId, key, uploadedBy }, ctx) => {
  const bucket = resourceName('FILES_BUCKET');
  let head: string;
  try {
    const first = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${MAX_HEADER_BYTES - 1}` }), { abortSignal: ctx.signal });
    head = await first.Body!.transformToString();
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') throw new PermanentError(`no uploaded file at ${key}`);
    throw error;
  }
  const problem = headerProblem(headerOf(head));
  if (problem) throw new PermanentError(problem);

  const whole = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: ctx.signal });
  const { chunks, totalRows } = await findChunks(whole.Body as AsyncIterable<Uint8Array>, CHUNK_ROWS);
  if (chunks.length === 0) throw new PermanentError(`${key} has a header but no rows`);
  await ctx.spawn(importChunk, chunks.map((chunk) => ({ fileId, key, uploadedBy, ...chunk })), { failFast: true });
  return { fileId, key, uploadedBy, totalRows, chunks: chunks.length };
});
