import { describe, expect, it } from 'vitest';
import { atExpression, scheduleNameFor } from '../../lib/scheduler/job-scheduler.js';

describe('one-time schedules', () => {
  it('round the time up to the second, so a job never runs before it is due', () => {
    expect(atExpression(new Date('2026-05-01T10:00:07.001Z'))).toBe('at(2026-05-01T10:00:08)');
    expect(atExpression(new Date('2026-05-01T10:00:07.000Z'))).toBe('at(2026-05-01T10:00:07)');
  });

  it('are named per job and attempt within the 64-character limit', () => {
    expect(scheduleNameFor('01M80VT4N002GN3JWN515DN8JQ', 3)).toBe('j-01M80VT4N002GN3JWN515DN8JQ-3');
  });
});
