import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JobQueue } from '../../infra/job-queue.js';
import { defineJob } from '../../lib/job-definition.js';

const entry = new URL('../../functions/worker.ts', import.meta.url).pathname;
let template: Template;

beforeAll(() => {
  const stack = new Stack(new App(), 'Grants');
  const queue = new JobQueue(stack, 'Jobs', { jobs: [defineJob({ kind: 'a.b', schema: z.object({}) })], worker: { entry }, api: { entry } });
  queue.grantEnqueue(new Role(stack, 'Enqueuer', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }));
  queue.grantOperate(new Role(stack, 'Operator', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }));
  template = Template.fromStack(stack);
});

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

/** Per resource (the table, its indexes, its stream, the idempotency table, the scheduler role), the actions a role's policies allow on it. */
function grantsOf(rolePrefix: string): Record<string, string[]> {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{ Properties: { Roles: Array<{ Ref: string }>; PolicyDocument: { Statement: Statement[] } } }>;
  const mine = policies.filter((p) => p.Properties.Roles.some((r) => r.Ref.startsWith(rolePrefix)));
  expect(mine.length, `policies of ${rolePrefix}`).toBeGreaterThan(0);
  const byResource: Record<string, Set<string>> = {};
  for (const statement of mine.flatMap((p) => p.Properties.PolicyDocument.Statement)) {
    for (const resource of [statement.Resource].flat()) {
      const name = JSON.stringify(resource);
      const target = /JobsResults/.test(name) ? (/"\/results\/\*"/.test(name) ? 'results/*' : 'results bucket')
        : /JobsIdempotency/.test(name) ? 'idempotency table'
        : /StreamArn/.test(name) ? 'jobs stream'
          : /\/index\//.test(name) ? 'jobs indexes'
            : /"Jobs3A3E4888","Arn"/.test(name) ? 'jobs table'
              : /SchedulerRole/.test(name) ? 'scheduler role' : undefined;
      if (!target) continue;
      for (const action of [statement.Action].flat()) (byResource[target] ??= new Set()).add(action);
    }
  }
  return Object.fromEntries(Object.entries(byResource).map(([k, v]) => [k, [...v].sort()]));
}

const sorted = (...actions: string[]) => actions.map((a) => `dynamodb:${a}`).sort();
const ITEMS = ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'ConditionCheckItem'];

describe('grants, as exact sets: each role gets what it uses and nothing more', () => {
  it('the dispatcher may only UpdateItem the jobs table (and read its stream)', () => {
    expect(grantsOf('JobsDispatcherServiceRole')).toEqual({
      'jobs table': sorted('UpdateItem'),
      'jobs stream': sorted('DescribeStream', 'GetRecords', 'GetShardIterator', 'ListStreams'),
      'scheduler role': ['iam:PassRole'],
    });
  });

  it('an enqueuer (the API, a grantEnqueue grantee) writes and reads jobs by key: no query, no delete; it reads large results', () => {
    for (const role of ['JobsEnqueueApiServiceRole', 'Enqueuer']) {
      expect(grantsOf(role)).toEqual({
        'jobs table': sorted('BatchWriteItem', 'GetItem', 'PutItem', 'UpdateItem'),
        'idempotency table': sorted('ConditionCheckItem', 'GetItem', 'PutItem'),
        'scheduler role': ['iam:PassRole'],
        'results/*': ['s3:GetObject'],
      });
    }
  });

  it('the worker and the sweeper use the item actions and query the two indexes by name; the worker reads a batch\'s records in one request and writes its claims and outcomes as PartiQL UPDATEs', () => {
    expect(grantsOf('JobsWorkerServiceRole')).toEqual({
      'jobs table': sorted(...ITEMS, 'BatchGetItem', 'PartiQLUpdate'), 'jobs indexes': sorted('Query'),
      'idempotency table': sorted(...ITEMS.filter((a) => a !== 'Query')), 'scheduler role': ['iam:PassRole'],
      'results/*': ['s3:PutObject'],
    });
    expect(grantsOf('JobsSweeperServiceRole')).toEqual({ 'jobs table': sorted(...ITEMS), 'jobs indexes': sorted('Query'), 'scheduler role': ['iam:PassRole'] });
  });

  it('an operator adds BatchGetItem (a parent\'s children are read in batches) and nothing on the idempotency table', () => {
    expect(grantsOf('Operator')).toEqual({ 'jobs table': sorted(...ITEMS, 'BatchGetItem'), 'jobs indexes': sorted('Query'), 'scheduler role': ['iam:PassRole'], 'results/*': ['s3:GetObject'] });
  });
});
