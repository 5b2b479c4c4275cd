import { describe, expect, it } from 'vitest';
import { JobInspector } from 'jobline/inspector';
import { client, handlerRuns, stack, unique, waitForStatus } from './support/deployed.js';
import { waitFor } from './support/wait.js';
import { jobline } from './support/jobline-cli.js';

const inspector = new JobInspector({ config: stack.config });

describe('bulk actions by filter, on the deployed stack', () => {
  it('retries exactly the 50 failed jobs of one kind among 500 others: interrupted and resumed, each reruns once; a second run and a dry run change nothing', async () => {
    const tag = `bulk:${unique('b')}`;
    const tags = [tag];
    // The 50: test.fail-first fails on its first run and succeeds on a later one. The 500 others, under the same tag:
    // 250 that fail for good (another kind), 250 that succeed (the kind's own status filter must leave them).
    const requests = [
      ...Array.from({ length: 50 }, (_, i) => ({ job: 'test.fail-first', payload: { note: `mine-${i}` }, options: { tags } })),
      ...Array.from({ length: 250 }, (_, i) => ({ job: 'test.permanent', payload: { reason: `other-${i}` }, options: { tags } })),
      ...Array.from({ length: 250 }, (_, i) => ({ job: 'test.echo', payload: { value: `${tag}-${i}` }, options: { tags } })),
    ];
    const jobs = await client.enqueueMany(requests);
    const mine = jobs.slice(0, 50).map((j) => j.id);
    const others = jobs.slice(50, 300).map((j) => j.id);
    await waitFor('the 300 failures and 250 successes', async () => {
      const { jobs: listed } = await inspector.list({ tag, limit: 1000 });
      return listed.filter((j) => j.status === 'failed').length === 300 && listed.filter((j) => j.status === 'succeeded').length === 250;
    }, { timeoutMs: 120_000, intervalMs: 1000 });
    const filter = { kind: 'test.fail-first', status: 'failed' as const, tag };

    // The dry run, from the CLI: the count and a sample; nothing changes.
    const dry = await jobline('jobs', 'bulk', 'retry', '--kind', 'test.fail-first', '--tag', tag);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('would retry 50 jobs');
    expect(dry.stdout).toContain('nothing changed: add --yes to retry them');
    expect((await client.get(mine[0]!))?.status).toBe('failed');

    // Interrupted once 20 are done (at the end of a page: pages of 20 tag items hold a varying number of the 50), then resumed.
    const controller = new AbortController();
    const first = await inspector.bulk('retry', filter, { pageSize: 20, signal: controller.signal, onProgress: (p) => { if (p.done >= 20) controller.abort(); } });
    expect(first.complete).toBe(false);
    expect(first.done).toBeGreaterThanOrEqual(20);
    expect(first.done).toBeLessThan(50);
    const resumed = await inspector.resumeBulk(first.id);
    expect(resumed).toMatchObject({ selected: 50, done: 50, complete: true, skipped: {} });
    await Promise.all(mine.map((id) => waitForStatus(id, 'succeeded')));
    expect(new Set(await Promise.all(mine.map((id) => handlerRuns(id))))).toEqual(new Set([2]));
    // The 250 that fail for good were not touched: one run each, still failed.
    const untouched = await Promise.all(others.slice(0, 25).map((id) => client.get(id)));
    expect(untouched.every((r) => r?.status === 'failed' && r.attempt === 1)).toBe(true);

    // Again: the operation is finished, and a new one with the same filter selects nothing.
    expect(await inspector.resumeBulk(first.id)).toMatchObject({ done: 50, complete: true });
    const again = await jobline('--json', 'jobs', 'bulk', 'retry', '--kind', 'test.fail-first', '--tag', tag, '--yes');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ selected: 0, done: 0, complete: true });
    expect(new Set(await Promise.all(mine.map((id) => handlerRuns(id))))).toEqual(new Set([2]));
  });
});
