/**
 * `jobline/testing`: test helpers for your handlers and for code that enqueues, on in-memory
 * backends with the same conditions as the AWS ones — no emulator, no mocks of the SDK.
 *
 * - {@link runJob}: one attempt of a bound job, through the worker's real processing; get its
 *   status, record, error, follow-ups and children.
 * - {@link createTestQueue}: a real `JobClient` and worker on memory backends; pass
 *   `queue.client` to the code under test, then {@link expectEnqueued} and `queue.deliver(id)`.
 * - {@link memoryBackends}, and the in-memory store, transport, scheduler and idempotency store, for tests of your own wiring.
 *
 * And for integration tests of your deployed app on the local emulator:
 * {@link startLocalApp} (a global setup: emulator, `cdk deploy`, fix-ups) and
 * {@link connectLocalApp} (a test file: clients, inspector, waits, DLQ and sent mail).
 */
export { runJob, type JobRun, type RunJobOptions } from './run-job.js';
export { createTestQueue, TestQueue, TEST_DELIVERY_DEADLINE_MS, type Delivery, type EnqueuedMessage, type TestQueueOptions } from './test-queue.js';
export { expectEnqueued, expectNotEnqueued, type DeepPartial } from './expect-enqueued.js';
export { memoryBackends, type MemoryBackends } from './memory-backends.js';
export { MemoryJobStore } from './memory-job-store.js';
export { MemoryTransport } from './memory-transport.js';
export { MemoryScheduler } from './memory-scheduler.js';
export { MemoryIdempotencyStore } from './memory-idempotency-store.js';
export { MemoryResultStore } from './memory-result-store.js';
export { MemoryDebounceStore, MemoryFlowControl, MemoryRateStore, MemorySlotStore } from './memory-flow-control.js';
export { testConfig } from './test-config.js';
export { startLocalApp, connectLocalApp, type LocalApp, type QueueChoice, type StartLocalAppOptions } from './local-app.js';
export type { SentMail } from '../local/sent-mail.js';
