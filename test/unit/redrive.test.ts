import { describe, expect, it } from 'vitest';
import { redriveDecision } from '../../lib/inspector/redrive.js';
import type { JobRecord } from '../../lib/job-record.js';
import type { JobStatus } from '../../lib/job-status.js';

const record = (status: JobStatus, claimToken = 'current'): JobRecord => ({ id: 'j', kind: 'k', lane: 'default', status, attempt: 1, maxAttempts: 3, createdAt: '', updatedAt: '', payloadBytes: 2, claimToken });

describe('redriveDecision: what a redrive does with one DLQ copy', () => {
  const cases = [
    ['no record (discarded)', undefined, 'current', false, 'drop'],
    ['failed, the copy of that failure', record('failed'), 'current', false, 'requeue'],
    ['failed, moved by this redrive already', record('failed'), 'current', true, 'leave'],
    ['failed, a copy of an earlier failure', record('failed'), 'older', false, 'drop'],
    ['failed, a copy SQS moved (no token)', record('failed'), undefined, false, 'requeue'],
    ['succeeded', record('succeeded'), 'current', false, 'drop'],
    ['cancelled', record('cancelled'), undefined, false, 'drop'],
    ['queued: an operator retried it since the copy', record('queued'), 'current', false, 'drop'],
    ['running: retried since', record('running'), 'older', false, 'drop'],
    ['running, a copy SQS moved (too many receives)', record('running'), undefined, false, 'resume'],
    ['retrying, a copy SQS moved, moved already', record('retrying'), undefined, true, 'leave'],
  ] as const;
  it.each(cases.map(([name, job, token, moved, action]) => [`${name} → ${action}`, job, token, moved, action] as const))('%s', (_name, job, token, moved, action) => {
    expect(redriveDecision(job, token, moved).action).toBe(action);
  });
});
