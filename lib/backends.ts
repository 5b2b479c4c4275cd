import { ConfigurationError } from './errors.js';
import type { FlowControlStores } from './flow-control/flow-control-stores.js';
import type { IdempotencyStore } from './idempotency/idempotency-store.js';
import type { JobDefinition } from './job-definition.js';
import type { JobScheduler } from './scheduler/job-scheduler.js';
import type { ResultStore } from './results/result-store.js';
import type { JobStore } from './store/job-store.js';
import type { JobTransport } from './transport/job-transport.js';

/**
 * Where jobs live and how they travel, as one value (river takes one driver the same way): the
 * job store, the transport, the one-time scheduler, the idempotency store and the flow-control
 * stores. The worker, the client and the inspector take it as `backends`; AWS's by default
 * (`awsBackends`: DynamoDB, SQS, EventBridge Scheduler), in memory for tests (`memoryBackends`
 * from `jobline/testing`, what a test queue runs on).
 */
export interface Backends {
  readonly store: JobStore;
  readonly transport: JobTransport;
  readonly scheduler: JobScheduler;
  readonly idempotency: IdempotencyStore;
  /** Concurrency slots, rate-limit turns and debounced keys. */
  readonly flowControl: FlowControlStores;
  /** Where results too large for their records go (the results bucket). @default none: such results are dropped with a note of their size */
  readonly results?: ResultStore | undefined;
}

/**
 * Backends given without flow-control stores (plain JavaScript can omit them) cannot hold a
 * kind's limits: throws a ConfigurationError naming each kind that would run unlimited, rather
 * than run it so. The one check of it, for the worker and the client alike.
 */
export function requireFlowControl(backends: Partial<Pick<Backends, 'flowControl'>>, definitions: readonly JobDefinition[], who: string): void {
  if (backends.flowControl) return;
  const limited = definitions.filter((d) => d.concurrency || d.rateLimit || d.debounce).map((d) => `kind "${d.kind}" has flow control, which needs backends.flowControl`);
  if (limited.length > 0) throw new ConfigurationError(`${who} cannot enforce every kind's limits`, limited);
}

/** The options the backends value replaced. */
const LOOSE_BACKENDS = ['store', 'transport', 'scheduler', 'idempotency', 'flowControl'] as const;

/**
 * Refuses options that still pass a backend on its own (`store`, `transport`, …) — a spread of a
 * backends value, or code written before `backends`: ignored, they would leave the AWS defaults
 * in place without a word.
 */
export function refuseLooseBackends(options: object, who: string): void {
  const loose = LOOSE_BACKENDS.filter((name) => name in options);
  if (loose.length > 0) throw new ConfigurationError(`${who} takes its backends as one value`, loose.map((name) => `"${name}" goes inside "backends" (backends: { ...memoryBackends(), ${name} })`));
}
