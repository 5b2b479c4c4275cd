import { describe, expect, it } from 'vitest';
import { findChunks, headerProblem, parseContact, parseCsvLine } from '../../functions/jobs/contacts-csv.js';

async function* pieces(text: string, size: number): AsyncIterable<Uint8Array> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('contacts CSV', () => {
  const csv = 'email,name,country,signed_up_on\na@x.io,A,GB,2026-01-01\nb@x.io,B,US,2026-01-02\n\nc@x.io,C,FI,2026-01-03\nd@x.io,D,DE,2026-01-04';

  it('finds chunk byte ranges in one streaming pass, however the stream is cut', async () => {
    for (const size of [1, 3, 7, 1000]) {
      const { header, chunks, totalRows } = await findChunks(pieces(csv, size), 2);
      expect(header).toBe('email,name,country,signed_up_on');
      expect(totalRows).toBe(4);
      expect(chunks.map((c) => ({ rows: c.rows, firstLine: c.firstLine, text: csv.slice(c.start, c.end) }))).toEqual([
        { rows: 2, firstLine: 2, text: 'a@x.io,A,GB,2026-01-01\nb@x.io,B,US,2026-01-02\n' },
        { rows: 2, firstLine: 5, text: 'c@x.io,C,FI,2026-01-03\nd@x.io,D,DE,2026-01-04' },
      ]);
    }
  });

  it('checks the header', () => {
    expect(headerProblem('Email, name ,country,SIGNED_UP_ON')).toBeUndefined();
    expect(headerProblem('mail,name,country,signed_up_on')).toBe('wrong header: expected "email,name,country,signed_up_on", got "mail,name,country,signed_up_on"');
  });

  it('parses quoted fields and explains bad rows', () => {
    expect(parseCsvLine('"a,b","say ""hi""",c')).toEqual(['a,b', 'say "hi"', 'c']);
    expect(parseContact('Ada@X.io,"Lovelace, Ada",gb,2026-02-28\r')).toEqual({ contact: { email: 'ada@x.io', name: 'Lovelace, Ada', country: 'GB', day: '2026-02-28' } });
    expect(parseContact('nope,A,GB,2026-01-01')).toEqual({ problem: '"nope" is not an email address' });
    expect(parseContact('a@x.io,A,GB,2026-02-30')).toEqual({ problem: '"2026-02-30" is not a date like 2026-01-31' });
    expect(parseContact('a@x.io,A,GB')).toEqual({ problem: 'expected 4 fields, got 3' });
  });
});
