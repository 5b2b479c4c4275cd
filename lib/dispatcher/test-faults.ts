import type { JobTransport } from '../transport/job-transport.js';

/** Environment variable of test-only faults the dispatcher injects (the test stack sets it; nothing else should). */
export const TEST_FAULTS_ENV = 'JOBLINE_TEST_FAULTS';

/** Faults to inject: the first send of each job of these kinds fails, as if SQS had refused it. */
export interface DispatcherFaults {
  readonly failFirstSendOfKinds: readonly string[];
}

/** The faults in `JOBLINE_TEST_FAULTS` (JSON), or undefined when it is unset. */
export function faultsFromEnvironment(env: NodeJS.ProcessEnv = process.env): DispatcherFaults | undefined {
  const json = env[TEST_FAULTS_ENV];
  if (!json) return undefined;
  const parsed = JSON.parse(json) as Partial<DispatcherFaults>;
  return { failFirstSendOfKinds: parsed.failFirstSendOfKinds ?? [] };
}

/**
 * A transport that refuses the first send of each job of the faulty kinds (remembered per
 * process), so tests can see the dispatcher recover: the stream delivers the records again,
 * and the sweeper is the net behind that.
 */
export function withFaults(transport: JobTransport, faults: DispatcherFaults): JobTransport {
  const refused = new Set<string>();
  return {
    ...transport,
    send: async (lane, messages) => {
      const fail = messages.filter((m) => faults.failFirstSendOfKinds.includes(m.kind) && !refused.has(m.id));
      for (const m of fail) refused.add(m.id);
      const result = await transport.send(lane, messages.filter((m) => !fail.includes(m)));
      return { failedIds: [...result.failedIds, ...fail.map((m) => m.id)], failures: [...(result.failures ?? []), ...fail.map((m) => ({ id: m.id, reason: `${TEST_FAULTS_ENV}: injected refusal` }))] };
    },
    changeVisibility: (...args) => transport.changeVisibility(...args),
    sendToDeadLetter: (...args) => transport.sendToDeadLetter(...args),
  };
}
