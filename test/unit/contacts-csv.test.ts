import { describe, expect, it } from 'vitest';
import { findChunks, headerOf, headerProblem, parseContact, rowsOf } from '../../functions/jobs/contacts-csv.js';

async function* pieces(bytes: Buffer, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('contacts CSV (csv-parse)', () => {
  // A byte-order mark, a blank line, a quoted field with a comma and one with a line break, CRLF, and multi-byte characters.
  const csv = '\ufeffemail,name,country,signed_up_on\r\na@x.io,"Lovelace, Ada",GB,2026-01-01\r\nb@x.io,"Bö\r\nB",US,2026-01-02\r\n\r\nc@x.io,Çé,FI,2026-01-03\r\nd@x.io,D,DE,2026-01-04';
  const bytes = Buffer.from(csv);

  it('finds chunk byte ranges between rows in one streaming pass, however the stream is cut, and each chunk reads back its own rows', async () => {
    for (const size of [1, 3, 7, 1000]) {
      const { header, chunks, totalRows } = await findChunks(pieces(bytes, size), 2);
      expect(header).toEqual(['email', 'name', 'country', 'signed_up_on']);
      expect(totalRows).toBe(4);
      expect(chunks.map((c) => ({ rows: c.rows, firstLine: c.firstLine, text: bytes.subarray(c.start, c.end).toString() }))).toEqual([
        { rows: 2, firstLine: 2, text: 'a@x.io,"Lovelace, Ada",GB,2026-01-01\r\nb@x.io,"Bö\r\nB",US,2026-01-02\r\n' },
        { rows: 2, firstLine: 5, text: '\r\nc@x.io,Çé,FI,2026-01-03\r\nd@x.io,D,DE,2026-01-04' },
      ]);
      const read = chunks.map((c) => rowsOf(bytes.subarray(c.start, c.end).toString(), c.firstLine));
      // Each row with the file line it ends on: b's quoted line break puts it on line 4.
      expect(read.flatMap((r) => r.rows.map((row) => [row.fields[0], row.line]))).toEqual([['a@x.io', 2], ['b@x.io', 4], ['c@x.io', 6], ['d@x.io', 7]]);
      expect(read.flatMap((r) => r.rows.map((row) => row.fields[1]))).toEqual(['Lovelace, Ada', 'Bö\r\nB', 'Çé', 'D']);
    }
  });

  it('counts a row it cannot parse as a row of its chunk, and names its line', async () => {
    const broken = Buffer.from('email,name,country,signed_up_on\na@x.io,A,GB,2026-01-01\nb@x.io,B "x",US,2026-01-02\nc@x.io,C,FI,2026-01-03\n');
    const { chunks, totalRows } = await findChunks(pieces(broken, 5), 10);
    expect(totalRows).toBe(3);
    expect(chunks).toEqual([{ start: 32, end: broken.length, firstLine: 2, rows: 3 }]);
    const { rows, unparsable } = rowsOf(broken.subarray(32).toString(), 2);
    expect(rows.map((r) => r.fields[0])).toEqual(['a@x.io', 'c@x.io']);
    expect(unparsable).toEqual([3]);
  });

  it('reads the header from the file\'s first bytes (a byte-order mark and quotes aside) and checks it', () => {
    expect(headerOf('\ufeff"email",name,country,signed_up_on\nrest,"of the fi')).toEqual(['email', 'name', 'country', 'signed_up_on']);
    expect(headerProblem(['Email', ' name ', 'country', 'SIGNED_UP_ON'])).toBeUndefined();
    expect(headerProblem(['mail', 'name', 'country', 'signed_up_on'])).toBe('wrong header: expected "email,name,country,signed_up_on", got "mail,name,country,signed_up_on"');
  });

  it('explains rows that are not contacts', () => {
    expect(parseContact(['Ada@X.io', 'Lovelace, Ada', 'gb', '2026-02-28'])).toEqual({ contact: { email: 'ada@x.io', name: 'Lovelace, Ada', country: 'GB', day: '2026-02-28' } });
    expect(parseContact(['nope', 'A', 'GB', '2026-01-01'])).toEqual({ problem: '"nope" is not an email address' });
    expect(parseContact(['a@x.io', 'A', 'GB', '2026-02-30'])).toEqual({ problem: '"2026-02-30" is not a date like 2026-01-31' });
    expect(parseContact(['a@x.io', 'A', 'GB'])).toEqual({ problem: 'expected 4 fields, got 3' });
  });
});
