import { Readable } from 'node:stream';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { chooseFault, FAULTS_ENV, faultPlanFromEnvironment, injectFaults, parseFaultPlan, type FaultKind, type InjectedFault } from '../../lib/aws/faults.js';
import { refusingFirstSends } from '../../lib/dispatcher/test-faults.js';
import { ConfigurationError } from '../../lib/errors.js';
import { MemoryTransport } from '../../lib/testing/memory-transport.js';

/** A DynamoDB client whose "network" answers every request with `{}` and counts the requests that reached it. */
function offlineClient(): { client: DynamoDBClient; sent: () => number } {
  let sent = 0;
  const client = new DynamoDBClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 3,
    retryStrategy: undefined,
    requestHandler: {
      handle: async () => {
        sent++;
        return { response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Readable.from([Buffer.from('{}')]) } };
      },
    } as never,
  });
  return { client, sent: () => sent };
}

/** Random numbers from a script: each call takes the next one. */
function scripted(...values: number[]): () => number {
  return () => values.shift() ?? 0.999;
}

describe('fault plans', () => {
  it('reads JOBLINE_FAULTS with defaults, and refuses what is not a plan with every problem named', () => {
    expect(faultPlanFromEnvironment({})).toBeUndefined();
    expect(faultPlanFromEnvironment({ [FAULTS_ENV]: '{"rate":0.1}' })).toMatchObject({ rate: 0.1, services: ['dynamodb', 'sqs', 'scheduler'], faults: ['throttle', 'server-error', 'timeout', 'lost-response'], outages: [] });
    expect(() => parseFaultPlan('{rate')).toThrow(ConfigurationError);
    try {
      parseFaultPlan(JSON.stringify({ rate: 2, services: ['s3'], outages: [{ services: ['dynamodb'], from: 'soon' }], extra: 1 }));
      expect.unreachable();
    } catch (error) {
      const problems = (error as ConfigurationError).problems.join('\n');
      expect(problems).toMatch(/rate/);
      expect(problems).toMatch(/services\.0/);
      expect(problems).toMatch(/outages\.0\.from/);
      expect(problems).toMatch(/outages\.0\.until/);
      expect(problems).toMatch(/extra/);
    }
  });

  it('fails the share of calls it names, with one of its faults, and every call inside an outage', () => {
    const plan = parseFaultPlan(JSON.stringify({ rate: 0.1, services: ['sqs'], faults: ['throttle', 'lost-response'], outages: [{ services: ['dynamodb'], from: '2026-01-01T00:00:00.000Z', until: '2026-01-01T00:00:30.000Z' }] }));
    const at = new Date('2026-01-01T00:01:00.000Z');
    expect(chooseFault(plan, 'sqs', at, scripted(0.05, 0.2))).toBe('throttle');
    expect(chooseFault(plan, 'sqs', at, scripted(0.05, 0.7))).toBe('lost-response');
    expect(chooseFault(plan, 'sqs', at, scripted(0.1))).toBeUndefined();
    expect(chooseFault(plan, 'dynamodb', at, scripted(0))).toBeUndefined();
    expect(chooseFault(plan, 'dynamodb', new Date('2026-01-01T00:00:10.000Z'), scripted(0.999))).toBe('outage');
    expect(chooseFault(plan, 'dynamodb', new Date('2026-01-01T00:00:30.000Z'), scripted(0.999))).toBeUndefined();
    const counts = { hit: 0 };
    const random = (() => { let seed = 7; return () => ((seed = (seed * 16807) % 2147483647) / 2147483647); })();
    for (let i = 0; i < 10_000; i++) if (chooseFault(plan, 'sqs', at, random)) counts.hit++;
    expect(counts.hit).toBeGreaterThan(850);
    expect(counts.hit).toBeLessThan(1150);
  });
});

describe('injected faults on a real SDK client', () => {
  it.each<[FaultKind, number]>([['throttle', 1], ['server-error', 1], ['timeout', 1], ['lost-response', 2]])('the SDK retries a %s, as it retries the real one', async (fault, reachedNetwork) => {
    const { client, sent } = offlineClient();
    const seen: InjectedFault[] = [];
    // The first attempt draws the fault; the retry draws none.
    injectFaults(client, 'dynamodb', parseFaultPlan(JSON.stringify({ rate: 0.5, faults: [fault], timeoutMs: 5 })), { random: scripted(0, 0, 0.999), onFault: (f) => seen.push(f) });
    const output = await client.send(new DescribeTableCommand({ TableName: 't' }));
    expect(output.$metadata.attempts).toBe(2);
    // A lost response reached DynamoDB before it failed: the retry is the second request.
    expect(sent()).toBe(reachedNetwork);
    expect(seen).toEqual([{ service: 'dynamodb', operation: 'DescribeTable', fault }]);
  });

  it('fails the call when every attempt meets a fault, with an error that says it was injected', async () => {
    const { client, sent } = offlineClient();
    injectFaults(client, 'dynamodb', parseFaultPlan(JSON.stringify({ outages: [{ services: ['dynamodb'], from: '2000-01-01T00:00:00.000Z', until: '2100-01-01T00:00:00.000Z' }] })));
    await expect(client.send(new DescribeTableCommand({ TableName: 't' }))).rejects.toMatchObject({ name: 'ServiceUnavailable', message: expect.stringContaining('dynamodb DescribeTable refused: the service is down') });
    expect(sent()).toBe(0);
  });
});

describe("the dispatcher's refused first sends (refuseFirstSendOfKinds)", () => {
  it('is part of the validated plan: none by default, a list of kinds or a ConfigurationError', () => {
    expect(parseFaultPlan('{}').refuseFirstSendOfKinds).toEqual([]);
    expect(parseFaultPlan('{"refuseFirstSendOfKinds":["test.dispatch-flaky"]}').refuseFirstSendOfKinds).toEqual(['test.dispatch-flaky']);
    expect(() => parseFaultPlan('{"refuseFirstSendOfKinds":"test.dispatch-flaky"}')).toThrow(ConfigurationError);
  });

  it('refuses the first send of each job of those kinds, sends the rest, and sends the refused job the next time', async () => {
    const memory = new MemoryTransport();
    const transport = refusingFirstSends(memory, ['flaky']);
    const flaky = { id: 'A', kind: 'flaky', body: '{}' };
    const plain = { id: 'B', kind: 'plain', body: '{}' };
    const first = await transport.send('default', [flaky, plain]);
    expect(first.failedIds).toEqual(['A']);
    expect(first.failures).toEqual([{ id: 'A', reason: 'JOBLINE_FAULTS: injected refusal' }]);
    expect((await transport.send('default', [flaky])).failedIds).toEqual([]);
    expect(memory.sent.map((m) => m.id)).toEqual(['B', 'A']);
  });
});
