import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JobQueue } from '../../infra/job-queue.js';
import { WebDashboard } from '../../infra/web-dashboard.js';
import { defineJob } from '../../lib/job-definition.js';

describe('the Node the suite runs on', () => {
  it('is the one the construct deploys every function on (npm test runs through scripts/on-node24.mjs)', () => {
    const stack = new Stack(new App(), 'Runtime');
    const entry = new URL('../../functions/worker.ts', import.meta.url).pathname;
    const queue = new JobQueue(stack, 'Jobs', { jobs: [defineJob({ kind: 'a.b', schema: z.object({}) })], worker: { entry }, api: { entry } });
    new WebDashboard(stack, 'Web', queue);
    const runtimes = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
      .map((f) => (f as { Properties: { Runtime?: string } }).Properties.Runtime)
      .filter((r): r is string => r?.startsWith('nodejs') ?? false);
    // Worker, sweeper, dispatcher, API, dashboard (CDK's own helper functions run on their own runtime).
    expect(new Set(runtimes)).toEqual(new Set(['nodejs24.x']));
    expect(runtimes.length).toBeGreaterThanOrEqual(5);
    expect(`nodejs${process.versions.node.split('.')[0]}.x`).toBe('nodejs24.x');
  });
});
