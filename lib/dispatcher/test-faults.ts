import type { JobTransport } from '../transport/job-transport.js';

/**
 * A transport that refuses the first send of each job of the kinds a fault plan's
 * `refuseFirstSendOfKinds` names (remembered per process), so tests can see the dispatcher
 * recover: the stream delivers the records again, and the sweeper is the net behind that.
 * The plan comes from `JOBLINE_FAULTS` (lib/aws/faults.ts), validated there.
 */
export function refusingFirstSends(transport: JobTransport, kinds: readonly string[]): JobTransport {
  const refused = new Set<string>();
  return {
    ...transport,
    send: async (lane, messages) => {
      const fail = messages.filter((m) => kinds.includes(m.kind) && !refused.has(m.id));
      for (const m of fail) refused.add(m.id);
      const result = await transport.send(lane, messages.filter((m) => !fail.includes(m)));
      return { failedIds: [...result.failedIds, ...fail.map((m) => m.id)], failures: [...(result.failures ?? []), ...fail.map((m) => ({ id: m.id, reason: 'JOBLINE_FAULTS: injected refusal' }))] };
    },
    changeVisibility: (...args) => transport.changeVisibility(...args),
    sendToDeadLetter: (...args) => transport.sendToDeadLetter(...args),
  };
}
