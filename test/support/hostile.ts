import fc from 'fast-check';

/*
 * Hostile input for the enqueue API and the queue: what an attacker, a buggy client or a
 * hand-edited message sends. Shared by the unit property tests and the ones against the
 * deployed stack.
 */

/** Strings with what breaks parsers and logs: control characters, lone surrogates, huge lengths. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
  fc.constantFrom('', ' ', '\u0000', '\ud800', '__proto__', 'constructor', '../../etc/passwd', '${jndi:ldap://x}', '<script>alert(1)</script>', 'DROP TABLE jobs;'),
  fc.integer({ min: 1, max: 300 }).map((kb) => 'x'.repeat(kb * 1024)),
);

/** Values of any JSON type, nasty strings among them. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(fc.jsonValue({ maxDepth: 3 }), nasty, fc.constant(null), fc.double(), fc.boolean());

/** JSON nested `depth` levels deep, as text (JSON.stringify itself cannot write the deepest). */
const deepJson = fc.tuple(fc.integer({ min: 50, max: 200_000 }), fc.boolean()).map(([depth, arrays]) =>
  (arrays ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"v":'.repeat(depth)}1${'}'.repeat(depth)}`));

/** Ids that look like job ids, or almost. */
export const forgedId = fc.oneof(
  fc.constant('01M80VT4N002GN3JWN515DN8JQ'),
  fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
  fc.stringMatching(/^[0-9a-z]{26}$/),
  nasty,
);

/**
 * A request body for `POST /jobs` that the API must refuse (4xx), or that it may accept only
 * when it is a valid job: `kind` is one of `kinds`' or anything, the payload anything, extra and
 * forged fields (ids, parents, statuses), bad options, or not JSON at all.
 */
export function hostileApiBody(kinds: readonly string[]): fc.Arbitrary<string> {
  const kind = fc.oneof(fc.constantFrom(...kinds), nasty, anyValue);
  const options = fc.oneof(fc.constant(undefined), fc.record({ delaySeconds: anyValue }, { requiredKeys: [] }), fc.record({ runAt: anyValue, delaySeconds: anyValue }, { requiredKeys: [] }), anyValue);
  const object = fc.record({
    kind,
    payload: fc.oneof(anyValue, fc.record({ value: nasty })),
    options,
    id: forgedId,
    parentId: forgedId,
    status: fc.constantFrom('succeeded', 'running', 'failed'),
  }, { requiredKeys: [] });
  const json = object.map((body) => JSON.stringify(body));
  return fc.oneof(
    json,
    // Truncated somewhere.
    fc.tuple(json, fc.nat()).map(([text, cut]) => text.slice(0, cut % Math.max(1, text.length))),
    // Not an object.
    anyValue.map((value) => JSON.stringify(value) ?? 'undefined'),
    nasty,
    deepJson.map((payload) => `{"kind":${JSON.stringify(kinds[0])},"payload":${payload}}`),
    deepJson,
  );
}

/**
 * A raw body on a lane's queue that is not a valid job of `kinds`: not JSON, truncated, a wrong
 * version or types, an unknown kind, a forged or missing id, a payload the kind's schema
 * refuses, a forged cron firing or flow-control state.
 */
export function hostileMessageBody(kinds: readonly string[]): fc.Arbitrary<string> {
  const message = fc.record({
    v: fc.oneof(fc.constant(1), anyValue),
    id: forgedId,
    kind: fc.oneof(fc.constantFrom(...kinds), nasty),
    payload: fc.oneof(anyValue, fc.record({ value: fc.oneof(fc.integer(), fc.constant(null)) })),
    cron: fc.oneof(fc.constant(undefined), fc.record({ schedule: nasty, scheduledTime: nasty })),
    flow: fc.oneof(fc.constant(undefined), fc.record({ reservedAt: anyValue, noted: anyValue })),
  }, { requiredKeys: [] });
  const json = message.map((m) => JSON.stringify(m));
  return fc.oneof(
    json,
    fc.tuple(json, fc.nat()).map(([text, cut]) => text.slice(0, cut % Math.max(1, text.length))),
    nasty.map((text) => text.slice(0, 200_000)),
    anyValue.map((value) => JSON.stringify(value) ?? 'null'),
    fc.tuple(forgedId, deepJson).map(([id, payload]) => `{"v":1,"id":${JSON.stringify(id)},"kind":${JSON.stringify(kinds[0])},"payload":${payload}}`),
  );
}
