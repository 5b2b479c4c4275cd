import { describe, expect, it } from 'vitest';
import { JobTimeoutError, PermanentError, RetryAfterError } from '../../lib/errors.js';
import { classifyFailure } from '../../lib/retry/classify-failure.js';

const policy = { maxAttempts: 3, backoffBaseSeconds: 4, backoffCapSeconds: 60, jitter: 0 };
const now = new Date('2026-01-01T00:00:00Z');

describe('classifyFailure', () => {
  it('fails a PermanentError at once, whatever attempts remain', () => {
    const outcome = classifyFailure(new PermanentError('template "x" does not exist'), 1, policy, now);
    expect(outcome).toEqual({ action: 'fail', error: expect.objectContaining({ message: 'template "x" does not exist', class: 'PermanentError', permanent: true, attempt: 1 }) });
  });

  it('retries any other error with the backoff while attempts remain', () => {
    expect(classifyFailure(new TypeError('socket hang up'), 2, policy, now)).toEqual({
      action: 'retry', delaySeconds: 8, error: expect.objectContaining({ class: 'TypeError', permanent: false, attempt: 2, at: now.toISOString() }),
    });
  });

  it('takes the delay of a RetryAfterError', () => {
    expect(classifyFailure(new RetryAfterError('rate limited', 42.2), 1, policy, now)).toMatchObject({ action: 'retry', delaySeconds: 43 });
  });

  it('marks a timeout and retries it', () => {
    expect(classifyFailure(new JobTimeoutError(5000), 1, policy, now)).toMatchObject({ action: 'retry', error: { timeout: true, class: 'JobTimeoutError' } });
  });

  it('fails on the last attempt and says so', () => {
    const outcome = classifyFailure(new Error('still down'), 3, policy, now);
    expect(outcome.action).toBe('fail');
    expect(outcome.error.message).toBe('still down (attempt 3 of 3, none left)');
  });

  it('keeps thrown non-errors readable and long messages short', () => {
    expect(classifyFailure({ code: 7 }, 1, policy, now).error).toMatchObject({ message: '{"code":7}', class: 'object' });
    expect(classifyFailure(new Error('x'.repeat(2000)), 1, policy, now).error.message).toHaveLength(500);
  });
});

describe('jobline errors', () => {
  it('share a base with cause and a permanent flag; configuration and bad-input errors are permanent', async () => {
    const { ConfigurationError, InvalidPayloadError, JoblineError, LeaseLostError } = await import('../../lib/errors.js');
    const cause = new Error('socket closed');
    const lost = new LeaseLostError('lease gone', { cause, context: 'heartbeat' });
    expect(lost).toBeInstanceOf(JoblineError);
    expect(lost).toMatchObject({ message: 'heartbeat: lease gone', cause, permanent: false });
    const misconfigured = new ConfigurationError('ctx.then', ['lane "x" is not configured']);
    expect(classifyFailure(misconfigured, 1, policy, now)).toMatchObject({ action: 'fail', error: { class: 'ConfigurationError', permanent: true } });
    const invalid = new InvalidPayloadError('k', [{ path: 'to', message: 'required' }], { context: 'follow-up' });
    expect(invalid.message).toBe('follow-up: invalid payload for "k": to: required');
    expect(classifyFailure(invalid, 1, policy, now)).toMatchObject({ action: 'fail' });
  });
});
