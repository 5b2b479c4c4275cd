import type { Backends } from '../../lib/backends.js';
import { memoryBackends } from '../../lib/testing/memory-backends.js';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../lib/job-definition.js';
import { newJobId } from '../../lib/job-id.js';
import { encodeJobMessage } from '../../lib/job-message.js';
import { MemoryJobStore } from '../../lib/testing/memory-job-store.js';
import { MemoryTransport } from '../../lib/testing/memory-transport.js';
import { testConfig } from '../../lib/testing/test-config.js';
import { createWorker } from '../../lib/worker/create-worker.js';
import { defineHandler } from '../../lib/worker/job-handler.js';

const config = testConfig();
const work = defineJob({ kind: 'work', schema: z.object({ fail: z.boolean() }), retry: { backoffBaseSeconds: 3, jitter: 0 } });

function record(body: string): SQSRecord {
  return {
    messageId: `m-${Math.random()}`, receiptHandle: `r-${Math.random()}`, body, attributes: { ApproximateReceiveCount: '1' } as SQSRecord['attributes'],
    messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:jobs-default', awsRegion: 'us-east-1',
  };
}

describe('createWorker', () => {
  it('refuses to run kinds with flow control on backends without flow-control stores (plain JavaScript can omit them), rather than run them unlimited', async () => {
    const limitedKind = defineJob({ kind: 'limited', schema: z.object({}), rateLimit: { limit: 1, periodSeconds: 1 } });
    const { flowControl: _omitted, ...withoutFlowControl } = memoryBackends();
    const handler = createWorker({
      jobs: [defineHandler(limitedKind, async () => undefined)],
      config, backends: withoutFlowControl as unknown as Backends, logger: new Logger({ logLevel: 'SILENT' }),
    });
    await expect(handler({ Records: [] } as SQSEvent, { getRemainingTimeInMillis: () => 30_000 } as Context))
      .rejects.toThrow('kind "limited" has flow control, which needs backends.flowControl');
  });

  it('returns only the records that must come back, so one bad record never returns the batch', async () => {
    // Prepare
    const store = new MemoryJobStore();
    const transport = new MemoryTransport();
    const handler = createWorker({
      jobs: [defineHandler(work, async ({ fail }) => { if (fail) throw new Error('try later'); })],
      config, backends: { ...memoryBackends(), store, transport }, logger: new Logger({ logLevel: 'SILENT' }),
    });
    const ok = record(encodeJobMessage(newJobId(4), 'work', '{"fail":false}'));
    const retry = record(encodeJobMessage(newJobId(4), 'work', '{"fail":true}'));
    const garbage = record('{{{');
    // Act
    const response = await handler({ Records: [ok, retry, garbage] } as SQSEvent, { getRemainingTimeInMillis: () => 30_000 } as Context);
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: retry.messageId }]);
    expect(transport.visibilityChanges).toEqual([{ lane: 'default', receiptHandle: retry.receiptHandle, seconds: 3 }]);
    expect(transport.deadLetters.map((d) => d.body)).toEqual(['{{{']);
    expect([...store.records.values()].map((r) => r.status).sort()).toEqual(['retrying', 'succeeded']);
  });

  it('keeps a record whose processing hit an AWS error, without failing the others', async () => {
    const transport = new MemoryTransport();
    const broken = Object.assign(new MemoryJobStore(), { claim: async () => { throw new Error('ProvisionedThroughputExceeded'); } });
    const handler = createWorker({ jobs: [defineHandler(work, async () => 'done')], config, backends: { ...memoryBackends(), store: broken, transport }, logger: new Logger({ logLevel: 'SILENT' }) });
    const one = record(encodeJobMessage(newJobId(4), 'work', '{"fail":false}'));
    const response = await handler({ Records: [one, record('junk')] } as SQSEvent, { getRemainingTimeInMillis: () => 30_000 } as Context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: one.messageId }]);
    expect(transport.deadLetters.map((d) => d.body)).toEqual(['junk']);
  });
});

describe('the worker\'s log lines', () => {
  it('never hold a redacted field\'s value: a failure that names it is logged scrubbed, on retry and on the final failure', async () => {
    const { PermanentError } = await import('../../lib/errors.js');
    const email = 'grace.hopper@example.com';
    const mail = defineJob({ kind: 'mail', schema: z.object({ email: z.string() }), retry: { maxAttempts: 2, backoffBaseSeconds: 1, jitter: 0 }, redact: ['email'] });
    const store = new MemoryJobStore();
    const handler = createWorker({
      jobs: [defineHandler(mail, async ({ email: to }, ctx) => {
        if (ctx.attempt === 1) throw new Error(`mailbox ${to} is busy`);
        throw new PermanentError(`mailbox ${to} does not exist`);
      })],
      config, backends: { ...memoryBackends(), store }, logger: new Logger({ logLevel: 'DEBUG', serviceName: 'redaction-test' }), now: () => clock,
    });
    let clock = new Date();
    const body = encodeJobMessage(newJobId(4), 'mail', JSON.stringify({ email }));
    const lines: string[] = [];
    const capture = (chunk: unknown) => { lines.push(String(chunk)); return true; };
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      for (const receiveCount of ['1', '2']) {
        // The second delivery comes after the retry's backoff.
        if (receiveCount === '2') clock = new Date(clock.getTime() + 5_000);
        const message = record(body);
        await handler({ Records: [{ ...message, attributes: { ...message.attributes, ApproximateReceiveCount: receiveCount } }] } as SQSEvent, { getRemainingTimeInMillis: () => 30_000 } as Context);
      }
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    const log = lines.join('');
    expect([...store.records.values()].map((r) => r.status)).toEqual(['failed']);
    // The lines that name the failure are there, scrubbed.
    expect(log).toContain('mailbox [redacted] is busy');
    expect(log).toContain('mailbox [redacted] does not exist');
    expect(log).not.toContain(email);
  });
});

describe('a job\'s log lines', () => {
  /** Runs one delivery of a job of `kind` and returns the JSON lines logged meanwhile. */
  async function linesOf(handler: ReturnType<typeof createWorker>, message: SQSRecord): Promise<Record<string, unknown>[]> {
    const lines: string[] = [];
    const capture = (chunk: unknown) => { lines.push(String(chunk)); return true; };
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      await handler({ Records: [message] } as SQSEvent, { getRemainingTimeInMillis: () => 30_000 } as Context);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    return lines.join('').split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it('carry the job id, kind and message id, and the handler\'s ctx.logger lines its attempt too', async () => {
    const handler = createWorker({
      jobs: [defineHandler(work, async ({ fail }, ctx) => {
        ctx.logger.info('from the handler');
        if (fail) throw new Error('not yet');
      })],
      config, backends: memoryBackends(), logger: new Logger({ logLevel: 'INFO', serviceName: 'keys-test' }), metrics: false,
    });
    const id = newJobId(4);
    const message = record(encodeJobMessage(id, 'work', JSON.stringify({ fail: true })));
    const lines = await linesOf(handler, message);
    const keys = { jobId: id, kind: 'work', messageId: message.messageId };
    expect(lines).toEqual(expect.arrayContaining([
      expect.objectContaining({ message: 'from the handler', ...keys, attempt: 1 }),
      // jobline's own line about the attempt.
      expect.objectContaining({ message: 'job will retry', ...keys }),
    ]));
  });

  it('make no child logger for a job whose handler never reads ctx.logger (a child costs a whole Logger a job)', async () => {
    const handler = createWorker({ jobs: [defineHandler(work, async () => {})], config, backends: memoryBackends(), logger: new Logger({ logLevel: 'SILENT' }), metrics: false });
    const children = vi.spyOn(Logger.prototype, 'createChild');
    try {
      await handler({ Records: [record(encodeJobMessage(newJobId(4), 'work', JSON.stringify({ fail: false })))] } as SQSEvent, { getRemainingTimeInMillis: () => 30_000 } as Context);
      expect(children).not.toHaveBeenCalled();
    } finally {
      children.mockRestore();
    }
  });
});
