import { afterEach, describe, expect, it, vi } from 'vitest';
import { clip, printJobs } from '../../cli/output.js';
import { EXIT, EXIT_CODES_HELP } from '../../cli/exit-codes.js';
import type { JobRecord } from '../../lib/job-record.js';

afterEach(() => vi.restoreAllMocks());

describe('the CLI\'s tables', () => {
  it('mark cut text with "…" and leave text that fits alone', () => {
    expect(clip('short', 5)).toBe('short');
    expect(clip('longer text', 5)).toBe('long…');
    expect(clip('longer text', 5)).toHaveLength(5);
  });

  it('list jobs aligned, without quotes or an index column, a long error cut with "…"', () => {
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
    const failed = {
      id: '01M80VT4N002GN3JWN515DN8JQ', kind: 'mail.send', status: 'failed', attempt: 3, maxAttempts: 3, lane: 'default',
      createdAt: new Date().toISOString(), lastError: { message: `mailbox ${'x'.repeat(100)} does not exist`, class: 'Error', at: new Date().toISOString(), attempt: 3, permanent: false },
    } as unknown as JobRecord;
    printJobs({ jobs: [failed] }, false);
    const [head, row] = printed[0]!.split('\n');
    expect(head).toMatch(/^id +kind +status +attempt +age +last error \/ waiting$/);
    expect(row).toMatch(/^01M80VT4N002GN3JWN515DN8JQ {2}mail\.send +failed +3\/3 +\d+s +mailbox x+…$/);
    expect(printed[0]).not.toMatch(/['"│┌]|\(index\)/);
  });

  it('list every exit code in the help, each a different number', () => {
    for (const code of Object.values(EXIT)) expect(EXIT_CODES_HELP).toMatch(new RegExp(`^  ${code}  \\S`, 'm'));
    expect(new Set(Object.values(EXIT)).size).toBe(Object.keys(EXIT).length);
  });
});
