import type { Backends } from '../backends.js';
import { MemoryFlowControl } from './memory-flow-control.js';
import { MemoryIdempotencyStore } from './memory-idempotency-store.js';
import { MemoryJobStore } from './memory-job-store.js';
import { MemoryScheduler } from './memory-scheduler.js';
import { MemoryTransport } from './memory-transport.js';
import { MemoryResultStore } from './memory-result-store.js';

/** Every backend in memory, each of its own class so a test can look inside (`store.writes`, `transport.sent`, …). */
export interface MemoryBackends extends Backends {
  readonly store: MemoryJobStore;
  readonly transport: MemoryTransport;
  readonly scheduler: MemoryScheduler;
  readonly idempotency: MemoryIdempotencyStore;
  readonly flowControl: MemoryFlowControl;
  readonly results: MemoryResultStore;
}

/**
 * Fresh in-memory backends, with the same conditions as the AWS ones, for a worker, client or
 * inspector under test; replace any one of them with a spread (`{ ...memoryBackends(), store }`).
 */
export function memoryBackends(): MemoryBackends {
  return { store: new MemoryJobStore(), transport: new MemoryTransport(), scheduler: new MemoryScheduler(), idempotency: new MemoryIdempotencyStore(), flowControl: new MemoryFlowControl(), results: new MemoryResultStore() };
}
