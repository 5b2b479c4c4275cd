import { describe, expect, it } from 'vitest';
import { api, recordsHolding, unique, waitForStatus } from './support/deployed.js';

describe('who may do what through the deployed enqueue API (SigV4-signed calls)', () => {
  it('answers 403 with its reason for a child kind the app does not list, and writes nothing', async () => {
    const marker = unique('child-over-http');
    for (const kind of ['test.child', 'import.chunk']) {
      const reply = await api.enqueue({ kind, payload: { marker } });
      expect(reply).toEqual({ status: 403, body: { error: { code: 'kind_not_enqueueable', message: `kind "${kind}" cannot be enqueued over this API: the app does not list it in createEnqueueApi's kinds` } } });
    }
    // The list of kinds an unknown kind's answer names leaves the unlisted ones out.
    const unknown = await api.enqueue({ kind: 'no.such.kind', payload: {} });
    expect(unknown.status).toBe(400);
    expect((unknown.body as { error: { details: { knownKinds: string[] } } }).error.details.knownKinds).not.toContain('import.chunk');
    expect(await recordsHolding(marker)).toEqual([]);
  });

  it('answers 403 when the app\'s authorize hook refuses, writes nothing, and accepts the call beside it', async () => {
    const refusedValue = `refuse:${unique('hook')}`;
    const refused = await api.enqueue({ kind: 'test.echo', payload: { value: refusedValue } });
    expect(refused).toEqual({ status: 403, body: { error: { code: 'forbidden', message: 'the test hook refuses values starting with "refuse:"' } } });
    const allowed = await api.enqueue({ kind: 'test.echo', payload: { value: unique('allowed') } });
    expect(allowed.status).toBe(202);
    await waitForStatus((allowed.body as { id: string }).id, 'succeeded');
    expect(await recordsHolding(refusedValue)).toEqual([]);
  });

  it('never mails a report to an address the caller chose: an IAM signer has no verified email, so report.generate is refused', async () => {
    const requestedBy = `${unique('attacker')}@evil.example`;
    const reply = await api.enqueue({ kind: 'report.generate', payload: { type: 'signups', from: '2026-01-01', to: '2026-01-02', requestedBy } });
    expect(reply).toEqual({ status: 403, body: { error: { code: 'forbidden', message: 'a report is mailed to requestedBy, which must be the caller\'s own verified email address: this caller has none' } } });
    expect(await recordsHolding(requestedBy)).toEqual([]);
  });
});
