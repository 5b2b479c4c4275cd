import { parse, type Options } from 'csv-parse';
import { parse as parseText } from 'csv-parse/sync';
import { CONTACT_COLUMNS } from './definitions.js';
import type { Contact } from './example-data.js';

/** One chunk of a CSV file: a byte range that starts and ends between rows, and the rows in it. */
export interface CsvChunk {
  readonly start: number;
  readonly end: number;
  /** File line number its byte range starts on (the header is line 1). */
  readonly firstLine: number;
  /** Rows in it, bad ones included (blank lines are not rows). */
  readonly rows: number;
}

/** The longest header read before giving up on finding its end. */
export const MAX_HEADER_BYTES = 64 * 1024;

/**
 * How the import reads CSV (RFC 4180, through csv-parse): quoted fields may hold commas,
 * quotes (`""`) and line breaks; spaces around fields are trimmed; lines that are blank or hold
 * only empty fields are skipped; a row that cannot be parsed (a stray quote) is skipped and
 * reported, not fatal — an unclosed quote makes the rest of the file one bad row, as CSV reads it.
 */
const ROWS: Options = { trim: true, skip_empty_lines: true, skip_records_with_empty_values: true, relax_column_count: true, skip_records_with_error: true };

/** Where in the text a skipped row's parse error happened, in bytes (csv-parse may report one row more than once). */
const bytesOfSkip = (error: unknown): number => (error as { bytes?: number } | undefined)?.bytes ?? 0;
const NEWLINE = 0x0a;

/**
 * Reads a CSV stream once, holding about one chunk of it at a time, and returns its header (a
 * UTF-8 byte-order mark dropped) and the byte ranges of consecutive chunks of `rowsPerChunk`
 * rows. Each range ends where the parser finished a row, so a row whose quoted field spans
 * lines is never cut, and a chunk parsed on its own reads the same rows. A 500,000-row file
 * never sits in memory.
 */
export async function findChunks(stream: AsyncIterable<Uint8Array>, rowsPerChunk: number): Promise<{ header: string[]; chunks: CsvChunk[]; totalRows: number }> {
  const chunks: CsvChunk[] = [];
  const lines = new LineCounter();
  let header: string[] | undefined;
  let chunk: { start: number; firstLine: number; rows: number } | undefined;
  // Where the last row read ended, in bytes into the file.
  let ended = 0;
  let totalRows = 0;
  // A row the parser skips (it cannot be parsed) is still a row of the chunk it falls in: its chunk reports it as bad.
  const skippedAt = new Set<number>();
  let skippedSinceLastRow = 0;
  const parser = parse({ ...ROWS, bom: true, info: true, on_skip: (error) => {
    if (skippedAt.has(bytesOfSkip(error))) return;
    skippedAt.add(bytesOfSkip(error));
    skippedSinceLastRow++;
  } });
  const reading = (async () => {
    for await (const buffer of stream) {
      lines.add(buffer);
      if (!parser.write(buffer)) await new Promise((resolve) => parser.once('drain', resolve));
    }
    parser.end();
  })();
  const open = () => ({ start: ended, firstLine: lines.lineAt(ended), rows: 0 });
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { bytes: number } }>) {
    if (header === undefined) {
      header = record;
      ended = info.bytes;
      continue;
    }
    chunk ??= open();
    chunk.rows += 1 + skippedSinceLastRow;
    totalRows += 1 + skippedSinceLastRow;
    skippedSinceLastRow = 0;
    ended = info.bytes;
    if (chunk.rows >= rowsPerChunk) {
      chunks.push({ ...chunk, end: ended });
      chunk = undefined;
    }
  }
  await reading;
  // Bad rows after the last good one, and the rest of the file: the last chunk runs to the end.
  if (skippedSinceLastRow > 0 || chunk) {
    chunk ??= open();
    chunk.rows += skippedSinceLastRow;
    totalRows += skippedSinceLastRow;
    chunks.push({ ...chunk, end: lines.bytes });
  }
  return { header: header ?? [], chunks, totalRows };
}

/**
 * The line number of a byte offset of a stream read once, asked in increasing order: it keeps
 * the buffers from the last offset asked on, and how many line breaks came before each.
 */
class LineCounter {
  private readonly pending: Array<{ start: number; bytes: Uint8Array; before: number }> = [];
  /** Bytes added so far. */
  bytes = 0;
  private breaks = 0;

  add(buffer: Uint8Array): void {
    this.pending.push({ start: this.bytes, bytes: buffer, before: this.breaks });
    this.bytes += buffer.length;
    this.breaks += lineBreaks(buffer);
  }

  /** The line (from 1) the byte at `offset` is on. */
  lineAt(offset: number): number {
    while (this.pending.length > 1 && this.pending[1]!.start <= offset) this.pending.shift();
    const first = this.pending[0];
    return 1 + (first ? first.before + lineBreaks(first.bytes.subarray(0, offset - first.start)) : this.breaks);
  }
}

function lineBreaks(bytes: Uint8Array): number {
  let count = 0;
  for (const byte of bytes) if (byte === NEWLINE) count++;
  return count;
}

/** The header row at the start of `head` (the file's first bytes): its columns, a byte-order mark dropped. */
export function headerOf(head: string): string[] {
  const [first] = parseText(head, { bom: true, to_line: 1, relax_quotes: true, relax_column_count: true }) as string[][];
  return first ?? [];
}

/** Checks a header's columns against the contact columns (case and spaces aside); returns the problem in plain words, or undefined. */
export function headerProblem(columns: readonly string[]): string | undefined {
  const got = columns.map((c) => c.trim().toLowerCase()).join(',');
  const expected = CONTACT_COLUMNS.join(',');
  return got === expected ? undefined : `wrong header: expected "${expected}", got "${columns.join(',').slice(0, 200)}"`;
}

/**
 * A chunk's rows (its text starts on file line `firstLine`): each parsed one with the file line
 * it ends on, and the file lines where rows could not be parsed. Lines are counted from the
 * bytes (csv-parse's own count drifts after a CRLF inside quotes).
 */
export function rowsOf(text: string, firstLine: number): { rows: Array<{ fields: string[]; line: number }>; unparsable: number[] } {
  const bytes = Buffer.from(text);
  // A row ending at byte `end` (its line break included) is on the line of its last byte.
  const lineOf = (end: number) => firstLine + lineBreaks(bytes.subarray(0, Math.max(0, end - 1)));
  const unparsable = new Set<number>();
  const records = parseText(bytes, { ...ROWS, info: true, on_skip: (error) => void unparsable.add(lineOf(bytesOfSkip(error))) }) as unknown as Array<{ record: string[]; info: { bytes: number } }>;
  return { rows: records.map(({ record, info }) => ({ fields: record, line: lineOf(info.bytes) })), unparsable: [...unparsable] };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A row's fields as a contact, or the reason they are not one. */
export function parseContact(row: readonly string[]): { contact: Contact } | { problem: string } {
  const fields = row.map((f) => f.trim());
  if (fields.length !== CONTACT_COLUMNS.length) return { problem: `expected ${CONTACT_COLUMNS.length} fields, got ${fields.length}` };
  const [email, name, country, day] = fields as [string, string, string, string];
  if (!EMAIL.test(email)) return { problem: `"${email}" is not an email address` };
  if (!name || name.length > 200) return { problem: 'name must be 1–200 characters' };
  if (!/^[A-Za-z]{2}$/.test(country)) return { problem: `"${country}" is not a two-letter country code` };
  if (!DAY.test(day) || Number.isNaN(Date.parse(day)) || new Date(day).toISOString().slice(0, 10) !== day) return { problem: `"${day}" is not a date like 2026-01-31` };
  return { contact: { email: email.toLowerCase(), name, country: country.toUpperCase(), day } };
}
