import { describe, expect, it } from 'vitest';
import { cronJobId, encodeCronMessage, firingTime, SCHEDULED_TIME_PLACEHOLDER } from '../../lib/cron-firing.js';
import { decodeJobMessage } from '../../lib/job-message.js';

const sent = Date.parse('2026-06-01T02:00:41.250Z');

describe('schedule firings', () => {
  it('take the scheduled time Scheduler filled in', () => {
    expect(firingTime({ schedule: 'report/nightly', scheduledTime: '2026-06-01T02:00:00Z' }, sent)).toEqual({ time: Date.parse('2026-06-01T02:00:00Z'), fallback: false });
  });

  it('fall back to the send time floored to the minute when the placeholder arrives literally', () => {
    expect(firingTime({ schedule: 'report/nightly', scheduledTime: SCHEDULED_TIME_PLACEHOLDER }, sent)).toEqual({ time: Date.parse('2026-06-01T02:00:00Z'), fallback: true });
  });

  it('give one id per schedule and minute, different across schedules and minutes', () => {
    const firing = { schedule: 'report/nightly', scheduledTime: '' };
    const at = Date.parse('2026-06-01T02:00:00Z');
    expect(cronJobId(firing, at, 64)).toBe(cronJobId(firing, at, 64));
    expect(cronJobId(firing, at, 64)).not.toBe(cronJobId(firing, at + 60_000, 64));
    expect(cronJobId(firing, at, 64)).not.toBe(cronJobId({ ...firing, schedule: 'report/weekly' }, at, 64));
  });

  it('decode into a job message with the derived id, whether or not Scheduler filled in the time', () => {
    const body = encodeCronMessage('report.generate', 'report.generate/nightly', '{"type":"sales"}');
    const literal = decodeJobMessage(body, { sentTimestamp: sent, shardCount: 8 });
    const filled = decodeJobMessage(body.replace(SCHEDULED_TIME_PLACEHOLDER, '2026-06-01T02:00:00Z'), { sentTimestamp: sent + 5000, shardCount: 8 });
    expect(literal).toMatchObject({ ok: true, message: { kind: 'report.generate', payload: { type: 'sales' }, cron: { fallback: true, scheduledAt: '2026-06-01T02:00:00.000Z' } } });
    expect(filled).toMatchObject({ ok: true, message: { cron: { fallback: false } } });
    expect(literal.ok && filled.ok && literal.message.id === filled.message.id).toBe(true);
  });
});
