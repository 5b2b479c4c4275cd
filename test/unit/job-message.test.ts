import { describe, expect, it } from 'vitest';
import { decodeJobMessage, encodeJobMessage } from '../../lib/job-message.js';
import { newJobId } from '../../lib/job-id.js';

describe('job messages', () => {
  it('round-trip', () => {
    const id = newJobId(4);
    expect(decodeJobMessage(encodeJobMessage(id, 'email.send', '{"to":"a@b.c"}'))).toEqual({ ok: true, message: { v: 1, id, kind: 'email.send', payload: { to: 'a@b.c' } } });
  });

  it('explain garbage instead of throwing', () => {
    expect(decodeJobMessage('hello')).toMatchObject({ ok: false, reason: expect.stringContaining('not JSON') });
    expect(decodeJobMessage('{"v":1,"id":"x","kind":""}')).toMatchObject({ ok: false, reason: expect.stringMatching(/id: id is not a job id.*kind: kind is empty/) });
    expect(decodeJobMessage('{"v":2}')).toMatchObject({ ok: false, reason: expect.stringContaining('unsupported message version') });
  });
});
