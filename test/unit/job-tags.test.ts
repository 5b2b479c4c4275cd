import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigurationError, defineJob, InvalidEnqueueOptionsError } from 'jobline';
import { defineHandler } from 'jobline/worker';
import { JobInspector } from 'jobline/inspector';
import { createTestQueue } from 'jobline/testing';
import { TAG_SLACK_SECONDS } from '../../lib/tags/job-tags.js';
import { tagsOf } from '../../lib/tags/tags-of.js';

const order = defineJob({ kind: 'order.ship', schema: z.object({ orderId: z.string(), customer: z.string() }), tags: (p) => [`customer:${p.customer}`, 'team:shipping'], unique: { key: (p) => p.orderId, windowSeconds: 3600 } });
const plain = defineJob({ kind: 'order.note', schema: z.object({ text: z.string() }) });
const due = new Date('2026-12-04T10:00:00Z');

describe('tagsOf: a job\'s tags', () => {
  it('joins its kind\'s (computed from the payload) and its enqueue\'s, without repeats, expiring after the longest retention plus slack', () => {
    const tags = tagsOf(order, { orderId: 'o-1', customer: '42' }, ['import:7f3', 'team:shipping'], due);
    expect(tags?.names).toEqual(['customer:42', 'team:shipping', 'import:7f3']);
    expect(tags?.expiresAt.getTime()).toBe(due.getTime() + (14 * 86_400 + TAG_SLACK_SECONDS) * 1000);
    expect(tagsOf(plain, { text: 'x' }, undefined, due)).toBeUndefined();
    expect(tagsOf(plain, { text: 'x' }, [], due)).toBeUndefined();
  });

  it('refuses a tag that is not one, too many, a kind\'s function that throws, and a kind not tracked in full', () => {
    for (const bad of [['has space'], [''], ['x'.repeat(65)], ['a#b'], [42 as unknown as string]]) {
      expect(() => tagsOf(plain, {}, bad, due)).toThrow(InvalidEnqueueOptionsError);
    }
    expect(() => tagsOf(plain, {}, ['a', 'b', 'c', 'd', 'e', 'f'], due)).toThrow(/at most 5 tags, got 6/);
    const throwing = defineJob({ kind: 'a.b', schema: z.object({}), tags: () => { throw new Error('no customer'); } });
    expect(() => tagsOf(throwing, {}, undefined, due)).toThrow(/could not be computed: no customer/);
    const light = defineJob({ kind: 'a.c', schema: z.object({}), tracking: 'from-claim' });
    expect(() => tagsOf(light, {}, ['x'], due)).toThrow(/tracked "from-claim"/);
  });

  it('is checked at definition: fixed tags must be tags, and only kinds tracked in full take them', () => {
    expect(() => defineJob({ kind: 'a.b', schema: z.object({}), tags: ['ok', 'not ok'] })).toThrow(ConfigurationError);
    expect(() => defineJob({ kind: 'a.b', schema: z.object({}), tags: ['a', 'b', 'c', 'd', 'e', 'f'] })).toThrow(/at most 5 tags/);
    expect(() => defineJob({ kind: 'a.b', schema: z.object({}), tags: ['ok'], tracking: 'outcome' })).toThrow(/cannot take tags/);
    expect(defineJob({ kind: 'a.b', schema: z.object({}), tags: ['fixed'] }).tags).toEqual(['fixed']);
  });
});

describe('tags and business keys, through the client and the inspector', () => {
  const setup = () => {
    // A clock that moves: ids sort by time, and newest first means the later enqueue.
    let clock = due.getTime();
    const queue = createTestQueue({ now: () => new Date(clock += 1000), jobs: [defineHandler(order, async () => 'shipped'), defineHandler(plain, async () => {}), defineHandler(defineJob({ kind: 'order.child', schema: z.object({ n: z.number() }), tags: (p) => [`n:${p.n}`] }), async () => {})] });
    const inspector = new JobInspector({ config: queue.config, backends: queue.backends });
    return { queue, inspector };
  };

  it('writes one tag item per tag, and none for a job without tags', async () => {
    const { queue } = setup();
    const tagged = await queue.client.enqueue(order, { orderId: 'o-1', customer: '42' }, { tags: ['import:7f3'] });
    const untagged = await queue.client.enqueue(plain, { text: 'x' });
    expect(queue.store.writes.filter((w) => w.startsWith('tag '))).toEqual([`tag customer:42 ${tagged.id}`, `tag team:shipping ${tagged.id}`, `tag import:7f3 ${tagged.id}`]);
    expect(queue.store.writes.filter((w) => w.endsWith(untagged.id))).toEqual([`insert ${untagged.id}`]);
    expect((await queue.get(tagged.id))?.tags).toEqual(['customer:42', 'team:shipping', 'import:7f3']);
  });

  it('lists a tag\'s jobs newest first, paged and filtered, counts them, and finds a job by its unique key', async () => {
    const { queue, inspector } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await queue.client.enqueue(order, { orderId: `o-${i}`, customer: i % 2 ? 'odd' : 'even' })).id);
    await queue.client.enqueue(plain, { text: 'untagged' });
    const first = await inspector.list({ tag: 'customer:even', limit: 2 });
    expect(first.jobs.map((j) => j.id)).toEqual([ids[4], ids[2]]);
    const second = await inspector.list({ tag: 'customer:even', limit: 2, before: first.next });
    expect(second.jobs.map((j) => j.id)).toEqual([ids[0]]);
    expect(second.next).toBeUndefined();
    await queue.deliver(ids[2]!);
    expect((await inspector.list({ tag: 'customer:even', status: 'succeeded' })).jobs.map((j) => j.id)).toEqual([ids[2]]);
    expect(await inspector.countTagged('team:shipping')).toEqual({ count: 5, complete: true });
    expect(await inspector.countTagged('customer:none')).toEqual({ count: 0, complete: true });
    expect((await inspector.findUnique('order.ship', 'o-3'))?.id).toBe(ids[3]);
    expect(await inspector.findUnique('order.ship', 'o-9')).toBeUndefined();
  });

  it('tags children and follow-ups by their kind', async () => {
    const child = defineJob({ kind: 'order.child', schema: z.object({ n: z.number() }), tags: (p) => [`n:${p.n}`] });
    const parent = defineJob({ kind: 'order.parent', schema: z.object({}) });
    const queue = createTestQueue({ jobs: [defineHandler(parent, async (_p, ctx) => { await ctx.spawn(child, [{ n: 1 }, { n: 2 }]); }), defineHandler(child, async (p, ctx) => { if (p.n === 1) ctx.then(child, { n: 3 }); })] });
    const { id } = await queue.client.enqueue(parent, {});
    await queue.deliver(id);
    const children = queue.enqueued(child);
    expect(children).toHaveLength(2);
    await queue.deliver(children[0]!.id);
    expect([...queue.store.tagged.keys()].sort()).toEqual(['n:1', 'n:2', 'n:3']);
  });
});
