import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigurationError } from '../../lib/errors.js';
import { DEFAULT_LANE, DEFAULT_MAX_ATTEMPTS, defineJob } from '../../lib/job-definition.js';

describe('defineJob', () => {
  it('fills every option from the exported defaults', () => {
    const job = defineJob({ kind: 'email.send', schema: z.object({ to: z.string() }) });
    expect(job.lane).toBe(DEFAULT_LANE);
    expect(job.retry.maxAttempts).toBe(DEFAULT_MAX_ATTEMPTS);
    expect(job.retry.backoffCapSeconds).toBeGreaterThanOrEqual(job.retry.backoffBaseSeconds);
    expect(Object.isFrozen(job)).toBe(true);
  });

  it('names every problem at once instead of clamping', () => {
    let thrown: unknown;
    try {
      defineJob({
        kind: 'Email Send',
        schema: z.object({}),
        lane: 'Bad Lane',
        retry: { maxAttempts: 0, backoffBaseSeconds: 10, backoffCapSeconds: 5, jitter: 2 },
        timeoutSeconds: 901,
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    const problems = (thrown as ConfigurationError).problems.join('\n');
    expect(problems).toContain('kind must be');
    expect(problems).toContain('lane must be');
    expect(problems).toContain('retry.maxAttempts must be an integer from 1 to 100, got 0');
    expect(problems).toContain('retry.backoffCapSeconds must be an integer from backoffBaseSeconds (10)');
    expect(problems).toContain('retry.jitter must be a number from 0 to 1, got 2');
    expect(problems).toContain('timeoutSeconds must be an integer from 1 to 900');
    expect((thrown as ConfigurationError).problems).toHaveLength(6);
  });

  it('checks recurring schedules: name, expression, time zone, and the payload against the schema', () => {
    const define = () => defineJob({
      kind: 'report.generate',
      schema: z.object({ type: z.string() }),
      schedules: [
        { name: 'nightly', expression: 'cron(0 2 * * ? *)', timezone: 'Europe/Berlin', payload: { type: 'sales' } },
        { name: 'Bad Name', expression: 'every day', timezone: 'Mars/Olympus', payload: { type: 3 } as never },
      ],
    });
    expect(define).toThrow(ConfigurationError);
    try {
      define();
    } catch (error) {
      const problems = (error as ConfigurationError).problems.join('\n');
      expect(problems).toContain('schedules: name must be');
      expect(problems).toContain('expression "every day" is not one EventBridge Scheduler takes: it must be cron(minutes hours day-of-month month day-of-week year) or rate(value unit)');
      expect(problems).toContain('timezone must be an IANA time zone');
      expect(problems).toContain('payload does not match the schema: type:');
      expect((error as ConfigurationError).problems).toHaveLength(4);
    }
  });
});

describe('retention and leases, decided in one place', () => {
  it('keeps succeeded and failed (and cancelled) jobs for the kind\'s retention, or the defaults for an unknown kind', async () => {
    const { DEFAULT_FAILED_RETENTION_SECONDS, DEFAULT_SUCCEEDED_RETENTION_SECONDS, expiryOf, retentionSeconds } = await import('../../lib/job-definition.js');
    const kept = defineJob({ kind: 'kept', schema: z.object({}), retention: { succeededSeconds: 120, failedSeconds: 600 } });
    expect([retentionSeconds(kept, 'succeeded'), retentionSeconds(kept, 'failed'), retentionSeconds(kept, 'cancelled')]).toEqual([120, 600, 600]);
    expect([retentionSeconds(undefined, 'succeeded'), retentionSeconds(undefined, 'cancelled')]).toEqual([DEFAULT_SUCCEEDED_RETENTION_SECONDS, DEFAULT_FAILED_RETENTION_SECONDS]);
    expect(expiryOf(kept, 'succeeded', new Date('2026-01-01T00:00:00Z'))).toEqual(new Date('2026-01-01T00:02:00Z'));
  });

  it('leases a heartbeat kind\'s attempt for three heartbeats, and no other kind\'s', async () => {
    const { HEARTBEAT_LEASE_BEATS, heartbeatLeaseSeconds } = await import('../../lib/job-definition.js');
    expect(HEARTBEAT_LEASE_BEATS).toBe(3);
    expect(heartbeatLeaseSeconds(defineJob({ kind: 'long', schema: z.object({}), heartbeatSeconds: 5, timeoutSeconds: 60 }))).toBe(15);
    expect(heartbeatLeaseSeconds(defineJob({ kind: 'short', schema: z.object({}) }))).toBeUndefined();
  });
});

describe('schedule expressions, checked as EventBridge Scheduler checks them', () => {
  it.each([
    'rate(1 minute)', 'rate(5 minutes)', 'rate(1 day)', 'cron(0 2 * * ? *)', 'cron(15 10 ? * MON-FRI *)', 'cron(0/15 * * * ? *)', 'cron(0 8 1 JAN,JUL ? 2027)', 'cron(0 9 ? * 2#1 *)', 'cron(0 18 L * ? *)',
  ])('takes %s', async (expression) => {
    const { scheduleExpressionProblem } = await import('../../lib/schedule-expression.js');
    expect(scheduleExpressionProblem(expression)).toBeUndefined();
  });

  it.each([
    ['rate(0 minutes)', 'a rate must be at least 1'],
    ['rate(1 minutes)', 'a rate of 1 takes the singular unit, like rate(1 hour)'],
    ['rate(5 minute)', 'a rate of 5 takes the plural unit, like rate(5 hours)'],
    ['rate(5 weeks)', 'it must be cron(minutes hours day-of-month month day-of-week year) or rate(value unit)'],
    ['cron(0 2 * * ?)', 'cron(…) takes 6 fields (minutes hours day-of-month month day-of-week year), got 5'],
    ['cron(0 2 * * * *)', 'exactly one of day-of-month and day-of-week must be ?'],
    ['cron(0 2 ? * ? *)', 'exactly one of day-of-month and day-of-week must be ?'],
    ['cron(61 2 * * ? *)', 'the minutes field "61" has 61, outside 0–59'],
    ['cron(0 24 * * ? *)', 'the hours field "24" has 24, outside 0–23'],
    ['cron(0 2 * 13 ? *)', 'the month field "13" has 13, outside 1–12'],
    ['cron(0/0 * * * ? *)', 'the minutes field "0/0" needs a whole step of at least 1 after /'],
    ['cron(0 2 * * ? x)', 'the year field "x" has characters it cannot take'],
  ])('refuses %s: %s', async (expression, reason) => {
    const { scheduleExpressionProblem } = await import('../../lib/schedule-expression.js');
    expect(scheduleExpressionProblem(expression)).toContain(reason);
  });
});
