/**
 * The lines that keep jobline's promises, each broken on purpose, and the tests that must fail
 * when it is (scripts/mutation-check.ts). `find` must occur exactly once in `file`: a refactor
 * that moves or rewrites the line makes the check throw, naming the mutation to update. Each
 * mutation keeps the code valid (a condition still uses every value it names), so a test that
 * fails fails on the broken behaviour, not on a malformed request.
 */

/** One deliberate break of one line, and the tests that guard it. */
export interface Mutation {
  readonly name: string;
  /** The file, from the repository root. */
  readonly file: string;
  /** The text replaced: exactly one occurrence in `file`. */
  readonly find: string;
  readonly replace: string;
  /** What the mutation breaks, in the terms of the behaviour the tests guard. */
  readonly why: string;
  /** Test files that must fail with the mutation in place (and pass without it). */
  readonly tests: readonly string[];
  readonly project: 'unit' | 'integration';
}

const DYNAMO_JOB_STORE = 'test/integration/dynamo-job-store.test.ts';
const DYNAMO_FLOW_CONTROL = 'test/integration/dynamo-flow-control.test.ts';

export const MUTATIONS: readonly Mutation[] = [
  {
    name: 'claim-condition',
    file: 'lib/store/dynamo/job-writes.ts',
    find: '(#status = :running AND leaseUntil < :now AND attempt < maxAttempts)',
    replace: '(#status = :running AND attempt < maxAttempts)',
    why: 'The DynamoDB claim takes a running job over without checking that its lease ended: a second worker claims a job another one runs.',
    tests: [DYNAMO_JOB_STORE],
    project: 'integration',
  },
  {
    name: 'outcome-fence',
    file: 'lib/store/dynamo/job-writes.ts',
    find: '${RUNNING.expression} AND claimToken = :token`',
    replace: '${RUNNING.expression} AND (claimToken = :token OR attribute_exists(claimToken))`',
    why: 'Outcome writes are no longer fenced to the claiming attempt: an attempt that was taken over records its outcome over the new one.',
    tests: ['test/unit/fake-dynamodb-conformance.test.ts'],
    project: 'unit',
  },
  {
    name: 'mark-dispatched-condition',
    file: 'lib/store/dynamo/job-writes.ts',
    find: "ConditionExpression: 'begins_with(stateKey, :undispatched)',",
    replace: "ConditionExpression: 'attribute_exists(sk) OR begins_with(stateKey, :undispatched)',",
    why: 'markDispatched applies to any job, not only one still undispatched: a late mark drops a failed job\'s payload and takes it off the failed list.',
    tests: [DYNAMO_JOB_STORE],
    project: 'integration',
  },
  {
    name: 'unique-key-claim',
    file: 'lib/store/dynamo/job-transaction.ts',
    find: "ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',",
    replace: "ConditionExpression: 'attribute_not_exists(pk) OR expiresAt > :now',",
    why: 'The unique-key claim\'s window comparison is flipped: a second job with the same key inside the window is written instead of refused.',
    tests: [DYNAMO_JOB_STORE],
    project: 'integration',
  },
  {
    name: 'slot-take',
    file: 'lib/flow-control/dynamo-slot-store.ts',
    find: "'attribute_not_exists(pk) OR leaseUntil < :now OR holder = :holder'",
    replace: "'attribute_not_exists(pk) OR leaseUntil > :now OR holder = :holder'",
    why: 'The DynamoDB slot lease comparison is flipped: a slot whose holder\'s lease is live is taken by another job (more than `limit` run at once).',
    tests: [DYNAMO_FLOW_CONTROL],
    project: 'integration',
  },
  {
    name: 'slot-release',
    file: 'lib/flow-control/dynamo-slot-store.ts',
    find: "ConditionExpression: 'holder = :holder',",
    replace: "ConditionExpression: 'holder = :holder OR attribute_exists(pk)',",
    why: 'A slot release deletes the slot whoever holds it: a job that lost its slot frees the slot of the job that holds it now.',
    tests: [DYNAMO_FLOW_CONTROL],
    project: 'integration',
  },
  {
    name: 'admission-slot-wait',
    file: 'lib/flow-control/admission.ts',
    find: "if (!taken.slot) return waitFor('concurrency'",
    replace: "if (!taken.slot && false) return waitFor('concurrency'",
    why: 'Admission runs a job that found no free slot instead of making it wait: the concurrency limit is not enforced.',
    tests: ['test/unit/concurrency.test.ts'],
    project: 'unit',
  },
  {
    name: 'slot-release-after-attempt',
    file: 'lib/worker/process-message.ts',
    find: 'if (admission.slot) await deps.flowControl!.slots.release(admission.slot);',
    replace: '/* mutation: the slot is kept after the attempt */',
    why: 'The worker never gives its slot back after the attempt: the key\'s next job waits for the lease to end.',
    tests: ['test/unit/concurrency.test.ts'],
    project: 'unit',
  },
  {
    name: 'slot-release-while-rate-waiting',
    file: 'lib/flow-control/admission.ts',
    find: 'if (slot) await stores.slots.release(slot);',
    replace: '/* mutation: the slot is kept while waiting for a turn */',
    why: 'A job that waits for its rate-limit turn keeps its slot: the next job is held by a slot nobody uses.',
    tests: ['test/unit/rate-limit.test.ts'],
    project: 'unit',
  },
  {
    name: 'rate-turn',
    file: 'lib/flow-control/dynamo-rate-store.ts',
    find: "ConditionExpression: 'attribute_not_exists(nextAt) OR nextAt <= :now',",
    replace: "ConditionExpression: 'attribute_not_exists(nextAt) OR nextAt >= :now',",
    why: 'The DynamoDB rate store treats a busy key as idle: every caller gets "now" instead of the next free turn, so starts are not spaced.',
    tests: [DYNAMO_FLOW_CONTROL],
    project: 'integration',
  },
  {
    name: 'line-far-jobs-wait',
    file: 'lib/flow-control/admission.ts',
    find: 'const slot = look.tryNow ? await acquire(true) : undefined;',
    replace: 'const slot = await acquire(true);',
    why: 'Every job of a line tries the slots on every look, as before lines: writes on the slot items grow with the backlog, and a job far back overtakes the line.',
    tests: ['test/unit/concurrency.test.ts'],
    project: 'unit',
  },
  {
    name: 'heartbeat-renews-slot',
    file: 'lib/worker/run-claimed.ts',
    find: 'const renewSlot = slot && slots ?',
    replace: 'const renewSlot = false ?',
    why: "A heartbeat kind's beats leave its concurrency slot's lease alone: the slot frees itself while the job still runs, and a second job of the key starts beside it.",
    tests: ['test/unit/concurrency.test.ts'],
    project: 'unit',
  },
  {
    name: 'rate-turn-kept',
    file: 'lib/flow-control/admission.ts',
    find: 'if (at === undefined || now.getTime() - at > lateToleranceMs) {',
    replace: 'if (true) {',
    why: 'A job back on time for the turn its message carries reserves another turn instead: it never runs on the turn it waited for.',
    tests: ['test/unit/rate-limit.test.ts'],
    project: 'unit',
  },
  {
    name: 'debounce-join',
    file: 'lib/flow-control/dynamo-debounce-store.ts',
    find: "ConditionExpression: '#state = :pending AND lastAt > :abandoned',",
    replace: "ConditionExpression: '#state = :pending AND lastAt <= :abandoned',",
    why: 'The DynamoDB debounce join\'s horizon is flipped: an enqueue inside the window does not join the pending job.',
    tests: [DYNAMO_FLOW_CONTROL],
    project: 'integration',
  },
  {
    name: 'debounce-join-client',
    file: 'lib/client/job-client.ts',
    find: 'joined.set(p.record.id, { id: result.jobId, kind: p.record.kind, status, debounced: true });',
    replace: '/* mutation: the join is not recorded */',
    why: 'The client forgets that an enqueue joined the pending job: it writes and sends another job for the same key.',
    tests: ['test/unit/debounce.test.ts'],
    project: 'unit',
  },
  {
    name: 'redaction-retry-error',
    file: 'lib/worker/record-outcome.ts',
    find: 'const failure = { ...unscrubbed, error: scrubbed(delivery, unscrubbed.error) };',
    replace: 'const failure = { ...unscrubbed, error: unscrubbed.error };',
    why: 'A retried attempt\'s error is stored and logged unscrubbed: a redacted field\'s value ends up in the record and the log.',
    tests: ['test/unit/redaction.test.ts', 'test/unit/create-worker.test.ts'],
    project: 'unit',
  },
  {
    name: 'redaction-failure-error',
    file: 'lib/worker/record-outcome.ts',
    find: 'const error = scrubbed(delivery, unscrubbed);',
    replace: 'const error = unscrubbed;',
    why: 'A failed job\'s error is stored, dead-lettered and logged unscrubbed.',
    tests: ['test/unit/redaction.test.ts', 'test/unit/create-worker.test.ts'],
    project: 'unit',
  },
  {
    name: 'redaction-retry-log',
    file: 'lib/worker/record-outcome.ts',
    find: "logger.info('job will retry', { delaySeconds: failure.delaySeconds, error: failure.error });",
    replace: "logger.info('job will retry', { delaySeconds: failure.delaySeconds, error: unscrubbed.error });",
    why: 'The retry log line names the unscrubbed error (the record stays scrubbed): only a test of the log catches it.',
    tests: ['test/unit/create-worker.test.ts'],
    project: 'unit',
  },
  {
    name: 'redaction-failure-log',
    file: 'lib/worker/record-outcome.ts',
    find: "logger.warn('job failed and was dead-lettered', { reason: error.message });",
    replace: "logger.warn('job failed and was dead-lettered', { reason: unscrubbed.message });",
    why: 'The final failure\'s log line names the unscrubbed error (the record stays scrubbed).',
    tests: ['test/unit/create-worker.test.ts'],
    project: 'unit',
  },
  {
    name: 'once-check',
    file: 'lib/idempotency/once.ts',
    find: 'if (!attempt.started) {',
    replace: 'if (false) {',
    why: 'ctx.once ignores the marker it finds: a done or held key runs the work again.',
    tests: ['test/unit/once.test.ts'],
    project: 'unit',
  },
  {
    name: 'once-store',
    file: 'lib/idempotency/once.ts',
    find: "await scope.store.complete(scopedKey, scope.jobId, JSON.stringify(result) ?? 'null', expiresAt);",
    replace: '/* mutation: the result is not stored */',
    why: 'ctx.once never marks its work done: later callers find it in progress instead of getting the stored result.',
    tests: ['test/unit/once.test.ts'],
    project: 'unit',
  },
  {
    name: 'once-takeover',
    file: 'lib/idempotency/dynamo-idempotency-store.ts',
    find: 'OR (#status = :inProgress AND leaseUntil < :now)',
    replace: 'OR (#status = :inProgress AND leaseUntil > :now)',
    why: 'The DynamoDB once marker\'s lease comparison is flipped: a marker left by a dead attempt is never taken over (and a live one is).',
    tests: ['test/integration/crash-steps.test.ts'],
    project: 'integration',
  },
  {
    name: 'batched-claim-unversioned',
    file: 'lib/store/dynamo/job-writes.ts',
    find: 'equals: { status: item.status, attempt: item.attempt, updatedAt: item.updatedAt }',
    replace: 'equals: {}',
    why: 'A batched claim no longer holds only while the record is as read: two deliveries of one job in one batch both claim it.',
    tests: ['test/unit/batched-store-writes.test.ts'],
    project: 'unit',
  },
  {
    name: 'batched-outcome-unfenced',
    file: 'lib/store/dynamo/job-writes.ts',
    find: "equals: { status: 'running', claimToken: ref.token }",
    replace: "equals: { status: 'running' }",
    why: 'A batched outcome is not fenced to its attempt: a stale attempt overwrites the outcome of the one that took over.',
    tests: ['test/unit/batched-store-writes.test.ts'],
    project: 'unit',
  },
];
