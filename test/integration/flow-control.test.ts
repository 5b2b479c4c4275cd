import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { client, dynamodb, stackOutput, unique } from './support/deployed.js';
import { waitFor } from './support/wait.js';

const doc = DynamoDBDocumentClient.from(dynamodb);
const spansOf = async (id: string) => ((await doc.send(new GetCommand({ TableName: stackOutput('ProbeTable'), Key: { id: `span:${id}` }, ConsistentRead: true }))).Item?.spans ?? []) as Array<{ startedAt: number; endedAt: number }>;

/** The most spans that overlap at any moment. */
function maxOverlap(spans: ReadonlyArray<{ startedAt: number; endedAt: number }>): number {
  const events = spans.flatMap((s) => [[s.startedAt, 1], [s.endedAt, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, delta] of events) most = Math.max(most, (now += delta));
  return most;
}

describe('a concurrency limit per key (test.limited: 2 per tenant)', () => {
  it('never runs more than 2 of one tenant at once, lets another tenant through meanwhile, and uses no attempt for waiting', async () => {
    const busy = unique('busy');
    const quiet = unique('quiet');
    const backlog = await client.enqueueMany(Array.from({ length: 30 }, () => ({ job: 'test.limited', payload: { tenant: busy, holdMs: 400 } })));
    const others = await client.enqueueMany(Array.from({ length: 3 }, () => ({ job: 'test.limited', payload: { tenant: quiet, holdMs: 400 } })));
    const all = [...backlog, ...others];
    const records = await waitFor('all 33 limited jobs to succeed', async () => {
      const found = await Promise.all(all.map((j) => client.get(j.id)));
      return found.every((r) => r?.status === 'succeeded') && found.map((r) => r!);
    }, { timeoutMs: 150_000, intervalMs: 2000 });

    const spans = await Promise.all(all.map(async (j) => (await spansOf(j.id))[0]!));
    const busySpans = spans.slice(0, 30);
    expect(maxOverlap(busySpans)).toBeLessThanOrEqual(2);
    expect(maxOverlap(busySpans)).toBe(2);
    // The quiet tenant's jobs, enqueued after the backlog, were done before the backlog was.
    const lastQuiet = Math.max(...spans.slice(30).map((s) => s.endedAt));
    expect(lastQuiet).toBeLessThan(Math.max(...busySpans.map((s) => s.endedAt)));
    // Waiting used no attempt: every job ran once, on its first attempt.
    expect(records.map((r) => r.attempt)).toEqual(all.map(() => 1));
    expect(spans.every((s) => s !== undefined)).toBe(true);
  }, 180_000);
});
