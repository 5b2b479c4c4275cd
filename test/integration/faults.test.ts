import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { client, handlerRuns, lane, sqs, unique, workerLogLines } from './support/deployed.js';
import { faultyClient, histogram, saveReliabilityFigures, setWorkerFaults, tally, violationsOf, waitUntilFinal, type Planned } from './support/reliability.js';
import { waitFor } from './support/wait.js';

describe('injected AWS faults', () => {
  afterAll(async () => {
    await setWorkerFaults(undefined);
  });

  it('at 10 % of DynamoDB, SQS and Scheduler calls (throttled, 5xx, timeouts, lost responses): every accepted job succeeds, no handler runs twice, attempts add up', async () => {
    const since = new Date();
    await setWorkerFaults({ rate: 0.1 });
    const { client: faulty, faults: clientFaults } = faultyClient({ rate: 0.1 }, 'faults-test');
    const run = unique('faults');
    const plans = Array.from({ length: 200 }, (_, i) => ({ tag: `${run}-${i}`, failFirst: i % 5 === 1, children: i % 5 === 2 ? 2 : 0, followUp: i % 5 === 3, delayed: i % 5 === 4 }));
    const planned: Planned[] = [];
    const refused: string[] = [];
    for (let i = 0; i < plans.length; i += 8) {
      await Promise.all(plans.slice(i, i + 8).map(async ({ delayed, ...payload }) => {
        try {
          // Past the test stack's 5 s threshold: a one-time Scheduler schedule sends it.
          const { id } = await faulty.enqueue('test.chaos', payload, delayed ? { delaySeconds: 7 } : {});
          planned.push({ id, ...payload });
        } catch (error) {
          refused.push((error as Error).message);
        }
      }));
    }
    const records = await waitUntilFinal(planned.map((p) => p.id), 240_000);
    const violations = await violationsOf(planned, records);
    const followUps = await Promise.all(planned.filter((p) => p.followUp).map((p) => handlerRuns(`value:${p.tag}-next`)));
    const workerFaults = await workerLogLines('injected fault', since);
    console.log([
      `faults at 10 %: ${planned.length} jobs accepted, ${refused.length} enqueues refused to their caller (${refused.slice(0, 2).join('; ')})`,
      `client faults injected: ${clientFaults.length} (${tally(clientFaults)})`,
      `worker faults injected: ${workerFaults.length} (${tally(workerFaults.map(faultOfLine))})`,
      `attempts: ${JSON.stringify(histogram([...records.values()].map((r) => r.attempt)))}; follow-up runs: ${JSON.stringify(histogram(followUps))}`,
      `violations: ${violations.length}`,
    ].join('\n'));
    // The faults happened, in both places…
    expect(clientFaults.length).toBeGreaterThan(10);
    expect(workerFaults.length).toBeGreaterThan(50);
    // …and changed nothing a user can see.
    expect(violations).toEqual([]);
    expect(followUps.every((n) => n === 1)).toBe(true);
    expect(planned.length).toBeGreaterThanOrEqual(plans.length - 3);
    saveReliabilityFigures('faults-10-percent', {
      jobs: plans.length,
      accepted: planned.length,
      enqueuesRefused: refused.length,
      clientFaults: clientFaults.length,
      clientFaultsByKind: tally(clientFaults),
      workerFaults: workerFaults.length,
      workerFaultsByKind: tally(workerFaults.map(faultOfLine)),
      attempts: histogram([...records.values()].map((r) => r.attempt)),
      followUpRuns: histogram(followUps),
      violations: violations.length,
    });
  }, 420_000);

  it('a 30-second DynamoDB outage: messages wait and come back, nothing is lost, no handler runs twice', async () => {
    const from = new Date(Date.now() + 5_000);
    const until = new Date(from.getTime() + 30_000);
    const outage = { outages: [{ services: ['dynamodb' as const], from: from.toISOString(), until: until.toISOString() }] };
    await setWorkerFaults(outage);
    const run = unique('outage');
    const enqueue = (i: number) => client.enqueue('test.chaos', { tag: `${run}-${i}` });
    await waitFor('the outage to begin', async () => Date.now() > from.getTime() + 1_000, { timeoutMs: 20_000 });
    // The test's own client still reaches DynamoDB: the jobs are accepted, and the worker meets the outage.
    const early = await Promise.all(Array.from({ length: 10 }, (_, i) => enqueue(i)));
    // A caller whose DynamoDB is down too is told so: its enqueue rejects.
    const { client: cutOff } = faultyClient(outage, 'outage-test');
    await expect(cutOff.enqueue('test.chaos', { tag: `${run}-cut-off` })).rejects.toThrow(/dynamodb .* the service is down|could not/);
    await waitFor('the middle of the outage', async () => Date.now() > from.getTime() + 15_000, { timeoutMs: 30_000 });
    const late = await Promise.all(Array.from({ length: 10 }, (_, i) => enqueue(10 + i)));
    const ids = [...early, ...late].map((j) => j.id);
    const refusedDeliveries = await waitFor('the worker to meet the outage', async () => {
      const lines = await workerLogLines('injected fault outage', from);
      return lines.length > 0 && lines;
    }, { timeoutMs: 30_000 });
    const records = await waitUntilFinal(ids, 180_000);
    const lastFinished = Math.max(...[...records.values()].map((r) => Date.parse(r.finishedAt ?? '')));
    const planned = ids.map((id, i) => ({ id, tag: `${run}-${i}`, failFirst: false, children: 0, followUp: false }));
    const violations = await violationsOf(planned, records);
    console.log(`DynamoDB outage of 30 s: ${ids.length} jobs enqueued during it, ${refusedDeliveries.length}+ worker calls refused; all final ${((lastFinished - until.getTime()) / 1000).toFixed(1)} s after it ended; attempts ${JSON.stringify(histogram([...records.values()].map((r) => r.attempt)))}; violations: ${violations.length}`);
    expect(violations).toEqual([]);
    // The jobs met the outage: none could finish while the worker's DynamoDB was down.
    expect([...records.values()].filter((r) => Date.parse(r.finishedAt ?? '') < until.getTime()).map((r) => r.id)).toEqual([]);
    // Each delivery the worker gave up on is logged with its job's id (what violationsOf reads to tell a given-up attempt from a lost one).
    const givenUp = await workerLogLines('could not process a message', from);
    expect(ids.filter((id) => givenUp.some((line) => line.includes(`"jobId":"${id}"`))).length).toBeGreaterThan(0);
    // What the deliveries refused during the outage waited out before they came back.
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: lane.queueUrl, AttributeNames: ['VisibilityTimeout'] }));
    saveReliabilityFigures('dynamodb-outage', {
      outageSeconds: 30,
      visibilityTimeoutSeconds: Number(Attributes?.VisibilityTimeout),
      jobs: ids.length,
      workerCallsRefused: refusedDeliveries.length,
      allFinalSecondsAfterOutage: Number(((lastFinished - until.getTime()) / 1000).toFixed(1)),
      attempts: histogram([...records.values()].map((r) => r.attempt)),
      violations: violations.length,
    });
  }, 300_000);
});

/** The fault a worker log line reports ("jobline: injected fault lost-response on dynamodb UpdateItem"). */
function faultOfLine(line: string): { service: 'dynamodb' | 'sqs' | 'scheduler'; operation: string; fault: 'outage' } {
  const match = /injected fault (\S+) on (\S+) (\S+)/.exec(line);
  return { fault: (match?.[1] ?? '?') as 'outage', service: (match?.[2] ?? '?') as 'dynamodb', operation: match?.[3] ?? '?' };
}
