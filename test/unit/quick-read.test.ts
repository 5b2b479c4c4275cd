import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configReaderForTests as config, parseConfig } from '../../lib/config.js';
import { messageReaderForTests as message, decodeJobMessage, encodeJobMessage } from '../../lib/job-message.js';
import { DEFAULT_SHARD_COUNT, newJobId } from '../../lib/job-id.js';
import type { QuickReader } from '../../lib/quick-read.js';

/**
 * The worker reads its config and each message with a hand-written check first and builds the
 * zod schema only for what that check passes on (lib/quick-read.ts). These tests hold the two to
 * one verdict: whatever the check takes, the schema takes with the same value. They fail if the
 * check takes a value the schema refuses or changes (a wrong bound, a missed key), and if the
 * check stops taking what jobline writes (the cold start would quietly build the schemas again).
 */

const lane = {
  queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs-default',
  queueArn: 'arn:aws:sqs:us-east-1:123456789012:jobs-default',
  deadLetterQueueUrl: 'http://127.0.0.1:4566/000000000000/jobs-default-dlq',
};
const functionConfig = {
  tableName: 'jobs',
  idempotencyTableName: 'jobs-idempotency',
  shardCount: 16,
  lanes: { default: lane, bulk: { ...lane, eventSourceMappingId: 'f00' } },
  scheduler: { groupName: 'jobs', roleArn: 'arn:aws:iam::123456789012:role/scheduler', thresholdSeconds: 900 },
  resultsBucket: 'jobs-results',
  redact: { 'email.send': ['to', 'token'] },
  tracking: { 'metrics.ping': 'outcome' },
};
const jobId = newJobId(16);
const plainMessage = { v: 1, id: jobId, kind: 'email.send', recorded: true, by: 'api', group: 'tenant-1', trace: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', payload: { to: 'a@b.c' } };

/**
 * Values that sit on and beside every bound and type the two readers check. Each draw is a fresh
 * copy: the objects among them are changed by later mutations, and a shared one would grow into
 * a cycle across runs (found by a run of 300,000).
 */
const odd = fc.constantFrom<unknown>(
  undefined, null, true, false, 0, -1, 1, 2, 1.5, 16, 100, 899, 900, 901, 1e21, '', 'x', 'ab', 'abc', 'a'.repeat(63), 'a'.repeat(64), 'a'.repeat(128), 'a'.repeat(129), 'a'.repeat(512), 'a'.repeat(513),
  'arn:', 'arn:aws:sqs:x', 'ARN:aws', ' arn:aws', 'https://example.com/q', ' https://example.com/q', 'https://example.com/q ', 'https://exa\nmple.com/q', 'https://exa\tmple.com/q', 'not a url', 'http:example.com',
  'mailto:a@b.c', 'https://[::1]:4566/q', [], ['to'], ['to', 1], {}, { a: 'b' }, { __proto__: null }, JSON.parse('{"__proto__":{"x":1}}'), jobId, jobId.toLowerCase(), 'outcome',
).map(fresh);

/** A copy of a drawn value (structuredClone keeps an own `__proto__` key, and loses only a null prototype, made again here). */
function fresh(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  return Object.getPrototypeOf(value) === null ? Object.assign(Object.create(null) as object, value) : structuredClone(value);
}

/** Paths into an object, each to be replaced by an odd value, deleted, or joined by an extra key. */
function mutated(base: object, paths: readonly (readonly string[])[]) {
  return fc.array(fc.record({ path: fc.constantFrom(...paths), to: odd, how: fc.constantFrom('set', 'delete', 'extra') }), { maxLength: 2 }).map((changes) => {
    const copy = structuredClone(base) as Record<string, unknown>;
    for (const { path, to, how } of changes) {
      let at: Record<string, unknown> = copy;
      for (const key of path.slice(0, -1)) {
        if (typeof at[key] !== 'object' || at[key] === null) break;
        at = at[key] as Record<string, unknown>;
      }
      const last = path[path.length - 1]!;
      if (how === 'delete') delete at[last];
      else if (how === 'extra') at[`${last}Extra`] = to;
      else at[last] = to;
    }
    return copy;
  });
}

function holdsToSchema<T>(reader: QuickReader<T>, inputs: fc.Arbitrary<unknown>) {
  let taken = 0;
  let passed = 0;
  fc.assert(fc.property(inputs, (raw) => {
    const quick = reader.quick(raw);
    if (quick === undefined) {
      passed++;
      return;
    }
    taken++;
    const slow = reader.schema().safeParse(raw);
    expect(slow.success, `the schema refuses what the quick check took: ${JSON.stringify(raw)}`).toBe(true);
    expect(quick).toStrictEqual(slow.data);
  }), { numRuns: 20_000 });
  // Both sides were tried, so the property says something.
  expect(taken).toBeGreaterThan(100);
  expect(passed).toBeGreaterThan(100);
}

describe('quick reads of what jobline writes', () => {
  it('a config the quick check takes is the config zod makes of it', () => {
    holdsToSchema(config, mutated(functionConfig, [
      ['tableName'], ['idempotencyTableName'], ['shardCount'], ['lanes'], ['resultsBucket'], ['redact'], ['tracking'], ['kinds'],
      ['lanes', 'default'], ['lanes', 'default', 'queueUrl'], ['lanes', 'default', 'queueArn'], ['lanes', 'default', 'deadLetterQueueUrl'], ['lanes', 'bulk', 'eventSourceMappingId'],
      ['scheduler'], ['scheduler', 'groupName'], ['scheduler', 'roleArn'], ['scheduler', 'thresholdSeconds'],
      ['redact', 'email.send'], ['redact', 'other'], ['tracking', 'metrics.ping'], ['tracking', 'other'],
    ]));
  });

  it('a message the quick check takes is the message zod makes of it', () => {
    holdsToSchema(message, mutated(plainMessage, [['v'], ['id'], ['kind'], ['payload'], ['by'], ['recorded'], ['group'], ['trace'], ['cron'], ['flow']]));
  });

  it('takes a function config as the construct writes it, and a message as the client writes it, without the schema', () => {
    const minimal = { tableName: 'jobs', idempotencyTableName: 'i', lanes: { default: lane }, scheduler: { groupName: 'g', roleArn: 'arn:aws:iam::1:role/r' } };
    expect(config.quick(functionConfig)).toStrictEqual(functionConfig);
    // Defaults applied as zod applies them.
    expect(config.quick(minimal)).toStrictEqual(parseConfig(JSON.stringify(minimal)));
    expect(config.quick(minimal)).toMatchObject({ shardCount: DEFAULT_SHARD_COUNT, scheduler: { thresholdSeconds: 900 } });
    const body = encodeJobMessage(jobId, 'email.send', '{"to":"a@b.c"}', { recorded: true, by: 'api', trace: plainMessage.trace });
    expect(message.quick(JSON.parse(body))).toStrictEqual({ v: 1, id: jobId, kind: 'email.send', recorded: true, by: 'api', trace: plainMessage.trace, payload: { to: 'a@b.c' } });
  });

  it('leaves to the schema what it does not check, which still reads it or names what is wrong', () => {
    const operators = { ...functionConfig, kinds: ['email.send'] };
    expect(config.quick(operators)).toBeUndefined();
    expect(parseConfig(JSON.stringify(operators)).kinds).toEqual(['email.send']);
    expect(() => parseConfig(JSON.stringify({ ...functionConfig, shardCount: 0 }))).toThrow(/shardCount/);
    // A `__proto__` key (JSON.parse makes it an own key) would set the prototype of the object the check builds.
    expect(config.quick(JSON.parse(`{"tableName":"t","idempotencyTableName":"i","lanes":{"__proto__":${JSON.stringify(lane)}},"scheduler":${JSON.stringify(functionConfig.scheduler)}}`))).toBeUndefined();
    expect(config.quick(JSON.parse(`{"tableName":"t","idempotencyTableName":"i","lanes":{},"scheduler":${JSON.stringify(functionConfig.scheduler)},"redact":{"__proto__":["to"]}}`))).toBeUndefined();
    const waiting = { ...plainMessage, flow: { reservedAt: 5 } };
    expect(message.quick(waiting)).toBeUndefined();
    expect(decodeJobMessage(JSON.stringify(waiting))).toMatchObject({ ok: true, message: { flow: { reservedAt: 5 } } });
    expect(decodeJobMessage(JSON.stringify({ ...plainMessage, group: '' }))).toMatchObject({ ok: false, reason: expect.stringContaining('group') });
  });
});
