import { CONTACT_COLUMNS } from './definitions.js';
import type { Contact } from './example-data.js';

/** One chunk of a CSV file: a byte range and the rows in it. */
export interface CsvChunk {
  readonly start: number;
  readonly end: number;
  /** File line number of its first line (the header is line 1). */
  readonly firstLine: number;
  /** Non-blank lines (rows) in it. */
  readonly rows: number;
}

const NEWLINE = 0x0a;
const BLANK = new Set([0x0d, 0x20, 0x09]);
/** The longest header line read before giving up on finding its end. */
export const MAX_HEADER_BYTES = 64 * 1024;

/**
 * Reads a CSV stream once, holding only the current buffer, and returns its header line and
 * the byte ranges of consecutive chunks of `rowsPerChunk` rows (blank lines are skipped, not
 * counted). A 500,000-row file never sits in memory.
 */
export async function findChunks(stream: AsyncIterable<Uint8Array>, rowsPerChunk: number): Promise<{ header: string; chunks: CsvChunk[]; totalRows: number }> {
  const headerBytes: number[] = [];
  const chunks: CsvChunk[] = [];
  let inHeader = true;
  let offset = 0;
  let line = 2;
  let lineStart = 0;
  let lineHasContent = false;
  let chunk: { start: number; firstLine: number; rows: number } | undefined;
  let totalRows = 0;
  const finishLine = (end: number) => {
    if (lineHasContent) {
      chunk ??= { start: lineStart, firstLine: line, rows: 0 };
      chunk.rows++;
      totalRows++;
      if (chunk.rows === rowsPerChunk) {
        chunks.push({ ...chunk, end });
        chunk = undefined;
      }
    }
    lineHasContent = false;
    line++;
    lineStart = end;
  };
  for await (const buffer of stream) {
    for (let i = 0; i < buffer.length; i++) {
      const byte = buffer[i]!;
      if (inHeader) {
        if (byte === NEWLINE) {
          inHeader = false;
          lineStart = offset + i + 1;
        } else if (headerBytes.length < MAX_HEADER_BYTES) headerBytes.push(byte);
      } else if (byte === NEWLINE) finishLine(offset + i + 1);
      else if (!BLANK.has(byte)) lineHasContent = true;
    }
    offset += buffer.length;
  }
  if (!inHeader) finishLine(offset);
  if (chunk) chunks.push({ ...chunk, end: offset });
  return { header: Buffer.from(headerBytes).toString('utf8').replace(/\r$/, ''), chunks, totalRows };
}

/** Checks a header line against the contact columns; returns the problem in plain words, or undefined. */
export function headerProblem(header: string): string | undefined {
  const columns = header.split(',').map((c) => c.trim().toLowerCase());
  const expected = CONTACT_COLUMNS.join(',');
  return columns.join(',') === expected ? undefined : `wrong header: expected "${expected}", got "${header.slice(0, 200)}"`;
}

/** Splits one CSV line into fields: commas separate, double quotes quote (`""` is a quote). Fields span no lines. */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A row as a contact, or the reason it is not one. */
export function parseContact(line: string): { contact: Contact } | { problem: string } {
  const fields = parseCsvLine(line.replace(/\r$/, '')).map((f) => f.trim());
  if (fields.length !== CONTACT_COLUMNS.length) return { problem: `expected ${CONTACT_COLUMNS.length} fields, got ${fields.length}` };
  const [email, name, country, day] = fields as [string, string, string, string];
  if (!EMAIL.test(email)) return { problem: `"${email}" is not an email address` };
  if (!name || name.length > 200) return { problem: 'name must be 1–200 characters' };
  if (!/^[A-Za-z]{2}$/.test(country)) return { problem: `"${country}" is not a two-letter country code` };
  if (!DAY.test(day) || Number.isNaN(Date.parse(day)) || new Date(day).toISOString().slice(0, 10) !== day) return { problem: `"${day}" is not a date like 2026-01-31` };
  return { contact: { email: email.toLowerCase(), name, country: country.toUpperCase(), day } };
}
