import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key, type CfnKey } from 'aws-cdk-lib/aws-kms';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { Construct } from 'constructs';
import { z } from 'zod';
import { JobQueue } from '../../infra/job-queue.js';
import { DEFAULT_MAX_CONCURRENCY } from '../../infra/job-queue-props.js';
import { JoblineTestStack } from '../../infra/stacks.js';
import { ConfigurationError } from '../../lib/errors.js';
import { defineJob } from '../../lib/job-definition.js';

const worker = { entry: new URL('../../functions/worker.ts', import.meta.url).pathname };
let template: Template;

beforeAll(() => {
  const app = new App();
  template = Template.fromStack(new JoblineTestStack(app, 'Test'));
});

function findOne(type: string, props: object): Record<string, unknown> {
  const found = Object.values(template.findResources(type, { Properties: props }));
  expect(found).toHaveLength(1);
  return (found[0] as { Properties: Record<string, unknown> }).Properties;
}

describe('JobQueue', () => {
  it('gives each lane a queue that redrives to its DLQ above every kind\'s maxAttempts', () => {
    // The test stack's largest maxAttempts on the default lane is 6 (email.send); 5 extra receives.
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 11 },
      SqsManagedSseEnabled: true,
    });
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 1_209_600, RedrivePolicy: Match.absent() });
  });

  it('gives the test stack\'s lanes a 20 s visibility timeout over its 10 s worker, so a crashed batch comes back in 20 s', () => {
    const fn = findOne('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ PROBE_TABLE: Match.anyValue() }) } });
    expect(fn.Timeout).toBe(10);
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 20, RedrivePolicy: Match.anyValue() });
  });

  it('runs the worker on Node 24 with the real SDK bundled', () => {
    template.allResourcesProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x' });
  });

  it('makes the jobs table with sharded keys, the sparse state and watch indexes, and TTL', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: 'byState', KeySchema: [{ AttributeName: 'stateKey', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }] }),
        Match.objectLike({ IndexName: 'byWatch', KeySchema: [{ AttributeName: 'watchKey', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }] }),
      ],
    });
  });

  it('feeds the worker from every lane with partial batch responses', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('caps the worker\'s concurrency per lane: 100 unless the app sets it (the test stack sets 5)', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 10, ScalingConfig: { MaximumConcurrency: 5 } });
    const kind = defineJob({ kind: 'capped', schema: z.object({}) });
    const stack = new Stack(new App(), 'Defaults');
    new JobQueue(stack, 'Jobs', { jobs: [kind], worker });
    const defaults = Template.fromStack(stack);
    defaults.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 10, ScalingConfig: { MaximumConcurrency: DEFAULT_MAX_CONCURRENCY } });
    expect(DEFAULT_MAX_CONCURRENCY).toBe(100);
  });

  it('runs a lane in provisioned mode when asked (its pollers, no maximum concurrency: AWS takes one or the other); the other lanes are unchanged', () => {
    const fast = defineJob({ kind: 'fast.one', schema: z.object({}), lane: 'fast' });
    const plain = defineJob({ kind: 'plain.one', schema: z.object({}) });
    const stack = new Stack(new App(), 'Provisioned');
    new JobQueue(stack, 'Jobs', { jobs: [fast, plain], worker, lanes: { fast: { provisionedPollers: { minimum: 5, maximum: 50 } } } });
    const mappings = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::EventSourceMapping')).map((r) => (r as { Properties: Record<string, unknown> }).Properties);
    const sqs = mappings.filter((p) => p.StartingPosition === undefined); // the stream's mapping has one
    expect(sqs).toHaveLength(2);
    const provisioned = sqs.filter((p) => p.ProvisionedPollerConfig !== undefined);
    expect(provisioned).toHaveLength(1);
    expect(provisioned[0]).toMatchObject({ ProvisionedPollerConfig: { MinimumPollers: 5, MaximumPollers: 50 } });
    expect(provisioned[0]!.ScalingConfig).toBeUndefined();
    expect(sqs.find((p) => p.ProvisionedPollerConfig === undefined)).toMatchObject({ ScalingConfig: { MaximumConcurrency: DEFAULT_MAX_CONCURRENCY } });
    // AWS's defaults for what is left out.
    const defaults = new Stack(new App(), 'ProvisionedDefaults');
    new JobQueue(defaults, 'Jobs', { jobs: [fast], worker, lanes: { fast: { provisionedPollers: {} } } });
    Template.fromStack(defaults).hasResourceProperties('AWS::Lambda::EventSourceMapping', { ProvisionedPollerConfig: { MinimumPollers: 2, MaximumPollers: 200 } });
  });

  it('refuses lane settings for a lane no kind uses, and pollers out of AWS\'s ranges', () => {
    const fast = defineJob({ kind: 'fast.one', schema: z.object({}), lane: 'fast' });
    const problems = (lanes: NonNullable<ConstructorParameters<typeof JobQueue>[2]['lanes']>) => {
      try {
        new JobQueue(new Stack(new App(), 'BadLanes'), 'Jobs', { jobs: [fast], worker, lanes });
      } catch (error) {
        return (error as ConfigurationError).problems;
      }
      return [];
    };
    expect(problems({ slow: {} })).toEqual(['lanes.slow names no lane of the jobs (their lanes: fast)']);
    expect(problems({ fast: { provisionedPollers: { minimum: 1, maximum: 2001 } } })).toEqual([
      'lanes.fast.provisionedPollers.minimum must be an integer from 2 to 200 (AWS\'s range for SQS), got 1',
      'lanes.fast.provisionedPollers.maximum must be an integer from 2 to 2000 (AWS\'s range for SQS), got 2001',
    ]);
    expect(problems({ fast: { provisionedPollers: { minimum: 20, maximum: 10 } } })).toEqual(['lanes.fast.provisionedPollers.minimum (20) must be at most its maximum (10)']);
  });

  it('puts the enqueue API behind IAM authorization on every route', () => {
    // (The test stack also deploys the web dashboard, whose API is another one.)
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route', { Properties: { ApiId: { Ref: Match.stringLikeRegexp('^JobsHttpApi') } } }))
      .map((r) => (r as { Properties: { RouteKey: string; AuthorizationType: string } }).Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(['GET /jobs/{id}', 'GET /jobs/{id}/result', 'POST /jobs', 'POST /jobs/{id}/cancel']);
    expect(routes.every((r) => r.AuthorizationType === 'AWS_IAM')).toBe(true);
  });

  it('puts the enqueue API behind a JWT authorizer instead when given one: never anonymous', async () => {
    const { HttpJwtAuthorizer } = await import('aws-cdk-lib/aws-apigatewayv2-authorizers');
    const stack = new Stack(new App(), 'JwtApi');
    new JobQueue(stack, 'Jobs', {
      jobs: [defineJob({ kind: 'a.b', schema: z.object({}) })],
      worker,
      api: { entry: worker.entry, authorizer: new HttpJwtAuthorizer('Callers', 'https://issuer.example.com', { jwtAudience: ['jobline'] }) },
    });
    const jwt = Template.fromStack(stack);
    const routes = Object.values(jwt.findResources('AWS::ApiGatewayV2::Route')).map((r) => (r as { Properties: { AuthorizationType: string } }).Properties);
    expect(routes).toHaveLength(4);
    expect(routes.every((r) => r.AuthorizationType === 'JWT')).toBe(true);
    jwt.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT', JwtConfiguration: { Audience: ['jobline'], Issuer: 'https://issuer.example.com' } });
  });

  it('keeps large results in a private, encrypted bucket whose objects expire a day after the longest succeeded retention, named in the config', () => {
    const stack = new Stack(new App(), 'Results');
    const queue = new JobQueue(stack, 'Jobs', {
      jobs: [defineJob({ kind: 'a.b', schema: z.object({}) }), defineJob({ kind: 'a.c', schema: z.object({}), retention: { succeededSeconds: 3 * 86_400 + 1 } })],
      worker,
    });
    const results = Template.fromStack(stack);
    results.resourceCountIs('AWS::S3::Bucket', 1);
    results.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [Match.objectLike({ Prefix: 'results/', ExpirationInDays: 5, Status: 'Enabled' })] },
    });
    results.hasResourceProperties('AWS::S3::BucketPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } });
    expect(stack.resolve(queue.clientConfig)).toEqual({ 'Fn::Join': ['', expect.arrayContaining([expect.stringContaining('"resultsBucket":"')]) ] });
  });

  it('creates each kind\'s recurring schedule in the group, with its time zone, targeting the lane queue', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: 'cron.test.cron.every-minute',
      ScheduleExpression: 'rate(1 minute)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({ Input: Match.stringLikeRegexp('"schedule":"test.cron/every-minute","scheduledTime":"<aws.scheduler.scheduled-time>"') }),
    });
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
  });

  it('gives operators each lane\'s event source mapping (to pause it), the kinds\' names and what pricing them takes in the Config output, and the functions neither', () => {
    const outputs = template.findOutputs('*');
    const config = Object.entries(outputs).find(([key]) => key.startsWith('JoblineConfig'))![1] as { Value: unknown };
    expect(JSON.stringify(config.Value)).toContain('eventSourceMappingId');
    expect(JSON.stringify(config.Value)).toMatch(/SqsEventSource/);
    expect(JSON.stringify(config.Value)).toMatch(/kinds\\+":\[[^\]]*test\.fail-first/);
    // What pricing each kind takes: where the worker's metrics are, its memory, each kind's profile (tokens read as "<ref>").
    const parts = (config.Value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const { cost, kinds } = JSON.parse(parts.map((part) => (typeof part === 'string' ? part : '<ref>')).join('')) as { kinds: string[]; cost: Record<string, unknown> & { kinds: Record<string, unknown> } };
    expect(cost).toMatchObject({ queueName: 'Test-Jobs', workerLogGroup: '<ref>', workerMemoryMb: 512 });
    expect(cost.kinds['test.priced-tags']).toEqual({ lane: 'default', tracking: 'full', tags: 2 });
    expect(cost.kinds['test.unique-echo']).toEqual({ lane: 'default', tracking: 'full', unique: true });
    expect(cost.kinds['test.outcome']).toEqual({ lane: 'default', tracking: 'outcome' });
    expect(Object.keys(cost.kinds).sort()).toEqual(kinds);
    const environments = Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => JSON.stringify((fn as { Properties: { Environment?: unknown } }).Properties.Environment ?? {}));
    expect(environments.filter((env) => env.includes('JOBLINE_CONFIG')).length).toBeGreaterThan(0);
    for (const env of environments) expect(env).not.toMatch(/kinds\\+":|workerMemoryMb/);
  });

  it('names its outputs after its id, without hashes, so two queues in one stack (one nested) each have their own', () => {
    const stack = new Stack(new App(), 'Two');
    const kind = defineJob({ kind: 'a.b', schema: z.object({}) });
    new JobQueue(stack, 'Jobs', { jobs: [kind], worker });
    new JobQueue(new Construct(stack, 'Billing'), 'Jobs', { jobs: [kind], worker, api: { entry: worker.entry } });
    const keys = Object.keys(Template.fromStack(stack).findOutputs('*'));
    expect(keys.filter((key) => key.startsWith('JoblineConfig')).sort()).toEqual(['JoblineConfigBillingJobs', 'JoblineConfigJobs']);
    expect(keys).toEqual(expect.arrayContaining(['JoblineApiIdBillingJobs', 'JoblineApiUrlBillingJobs', 'JoblineWorkerFunctionNameJobs', 'JoblineSweeperFunctionNameBillingJobs']));
    expect(keys).not.toContain('JoblineApiIdJobs');
  });

  it('runs the sweeper every minute', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)', Targets: [Match.objectLike({ Arn: Match.anyValue() })] });
    const sweeper = findOne('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ JOBLINE_SWEEPER: '{"stuckAfterSeconds":5}' }) } });
    expect(sweeper.Timeout).toBe(60);
    // Shipped prebuilt with the package (dist/functions/sweeper), not bundled at synth.
    expect(sweeper).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs24.x', Architectures: ['arm64'] });
  });

  it('dispatches transactional enqueues from the table\'s stream: new images, filtered to the inserts marked for it, partial batches', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
    const mapping = findOne('AWS::Lambda::EventSourceMapping', { EventSourceArn: Match.objectLike({ 'Fn::GetAtt': Match.arrayWith([Match.stringLikeRegexp('Jobs'), 'StreamArn']) }) });
    expect(mapping).toMatchObject({ FunctionResponseTypes: ['ReportBatchItemFailures'], StartingPosition: 'TRIM_HORIZON', BatchSize: 100, MaximumRetryAttempts: 10 });
    expect(JSON.parse((mapping.FilterCriteria as { Filters: Array<{ Pattern: string }> }).Filters[0]!.Pattern)).toEqual({ eventName: ['INSERT'], dynamodb: { NewImage: { dispatch: { S: ['stream'] } } } });
    const dispatcher = findOne('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ JOBLINE_FAULTS: Match.stringLikeRegexp('refuseFirstSendOfKinds') }) } });
    expect(dispatcher).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs24.x' });
  });

  it('alarms on the oldest job\'s age per lane and on stuck jobs', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS', MetricName: 'ApproximateAgeOfOldestMessage', Statistic: 'Maximum', Threshold: 900, ComparisonOperator: 'GreaterThanThreshold',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Jobline', MetricName: 'StuckJobs', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: Match.arrayWith([{ Name: 'service', Value: 'jobline-sweeper' }]),
    });
  });

  it('alarms on a non-empty DLQ per lane and on failures and the failure rate per kind, with a dashboard', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Jobline', MetricName: 'Failed', Statistic: 'Sum', Period: 300, Threshold: 5,
      Dimensions: Match.arrayWith([{ Name: 'Kind', Value: 'email.send' }]),
    });
    // No metric math (ministack's CloudFormation cannot create it): the Average of 0/100 samples is the rate.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Jobline', MetricName: 'FailureRate', Statistic: 'Average', Period: 300, Threshold: 10, ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3, DatapointsToAlarm: 2, Dimensions: Match.arrayWith([{ Name: 'Kind', Value: 'email.send' }]),
    });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    for (const text of ['ApproximateAgeOfOldestMessage', 'StuckJobs', 'Processed', 'FailureRate']) expect(body).toContain(text);
  });

  it('sends every alarm and recovery to an SNS topic when given one', () => {
    const stack = new Stack(new App(), 'Topic');
    const topic = new Topic(stack, 'Pager');
    const queue = new JobQueue(stack, 'Jobs', { jobs: [defineJob({ kind: 'a.b', schema: z.object({}) })], worker, alarms: { topic, failures: 2 } });
    const alarms = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm');
    expect(Object.keys(alarms)).toHaveLength(queue.alarms.length);
    for (const alarm of Object.values(alarms) as Array<{ Properties: { AlarmActions: unknown[]; OKActions: unknown[] } }>) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Pager/) }]);
      expect(alarm.Properties.OKActions).toHaveLength(1);
    }
    expect(queue.metricJobs('Failed', 'a.b').dimensions).toMatchObject({ Kind: 'a.b', service: 'jobline-worker' });
    expect(queue.metricDuration('a.b').statistic).toBe('p99');
    expect(queue.metricFailureRate('a.b')).toMatchObject({ metricName: 'FailureRate', statistic: 'Average' });
    expect(() => queue.metricDeadLetters('nope')).toThrow(/no lane "nope"/);
  });

  it('grants enqueue: table writes and SendMessage on the lanes', () => {
    const stack = new Stack(new App(), 'Grant');
    const queue = new JobQueue(stack, 'Jobs', { jobs: [defineJob({ kind: 'a.b', schema: z.object({}) })], worker });
    queue.grantEnqueue(new Role(stack, 'Caller', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }));
    const policy = Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('Caller') }] } });
    const actions = JSON.stringify(policy);
    for (const action of ['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'sqs:SendMessage', 'scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'iam:PassRole']) expect(actions).toContain(action);
  });

  it('lets an enqueuer pass the scheduler role to EventBridge Scheduler only', () => {
    const stack = new Stack(new App(), 'PassRole');
    const queue = new JobQueue(stack, 'Jobs', { jobs: [defineJob({ kind: 'a.b', schema: z.object({}) })], worker });
    queue.grantEnqueue(new Role(stack, 'Caller', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }));
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[]; Condition?: unknown }> } } }).Properties.PolicyDocument.Statement)
      .filter((st) => [st.Action].flat().includes('iam:PassRole'));
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) expect(statement.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
  });

  it('throttles the enqueue API\'s stage: 500 a second, bursts of 1,000, unless told otherwise', () => {
    const settings = (throttle?: { rateLimit: number; burstLimit: number }) => {
      const stack = new Stack(new App(), 'Throttle');
      new JobQueue(stack, 'Jobs', { jobs: [defineJob({ kind: 'a.b', schema: z.object({}) })], worker, api: { entry: worker.entry, ...(throttle ? { throttle } : {}) } });
      const stages = Object.values(Template.fromStack(stack).findResources('AWS::ApiGatewayV2::Stage')) as Array<{ Properties: { DefaultRouteSettings?: unknown } }>;
      expect(stages).toHaveLength(1);
      return stages[0]!.Properties.DefaultRouteSettings;
    };
    expect(settings()).toEqual({ ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 });
    expect(settings({ rateLimit: 5, burstLimit: 10 })).toEqual({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 });
    expect(() => settings({ rateLimit: 0, burstLimit: 10 })).toThrow(/positive rateLimit/);
  });

  it('gives a Lambda function it grants enqueue to the JOBLINE_CONFIG its JobClient reads', () => {
    const stack = new Stack(new App(), 'GrantFunction');
    const queue = new JobQueue(stack, 'Jobs', { jobs: [defineJob({ kind: 'a.b', schema: z.object({}) })], worker });
    queue.grantEnqueue(new LambdaFunction(stack, 'Signup', { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => {}') }));
    const signup = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler', Code: { ZipFile: Match.anyValue() } } }));
    expect(signup).toHaveLength(1);
    const variables = (signup[0] as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables;
    expect(stack.resolve(queue.clientConfig)).toEqual(variables.JOBLINE_CONFIG);
  });

  it('grants operate: job records, DLQ reads and deletes, pausing lanes, schedules', () => {
    const stack = new Stack(new App(), 'Operate');
    const queue = new JobQueue(stack, 'Jobs', { jobs: [defineJob({ kind: 'a.b', schema: z.object({}) })], worker });
    queue.grantOperate(new Role(stack, 'Operator', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }));
    const policy = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('Operator') }] } }));
    for (const action of ['dynamodb:DeleteItem', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'lambda:UpdateEventSourceMapping', 'scheduler:DeleteSchedule', 'cloudwatch:GetMetricData']) expect(policy).toContain(action);
  });

  it('encrypts the queues, DLQs and both tables with a customer-managed key when given one, and lets every function and grantee use it', () => {
    // Without an explicit region, the construct says what it needs.
    const agnostic = new Stack(new App(), 'KmsAgnostic');
    expect(() => new JobQueue(agnostic, 'Jobs', { jobs: [defineJob({ kind: 'a.b', schema: z.object({}) })], worker, encryptionKey: new Key(agnostic, 'Key') })).toThrow(/explicit env\.region/);
    const stack = new Stack(new App(), 'Kms', { env: { region: 'eu-west-1' } });
    const key = new Key(stack, 'Key');
    const queue = new JobQueue(stack, 'Jobs', { jobs: [defineJob({ kind: 'a.b', schema: z.object({}) })], worker, encryptionKey: key, api: { entry: worker.entry } });
    queue.grantEnqueue(new Role(stack, 'Caller', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }));
    queue.grantOperate(new Role(stack, 'Operator', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }));
    const template = Template.fromStack(stack);
    const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as CfnKey), 'Arn'] };
    const queues = Object.values(template.findResources('AWS::SQS::Queue')) as Array<{ Properties: Record<string, unknown> }>;
    expect(queues).toHaveLength(2);
    for (const q of queues) expect(q.Properties).toMatchObject({ KmsMasterKeyId: keyArn });
    const tables = Object.values(template.findResources('AWS::DynamoDB::GlobalTable')) as Array<{ Properties: { SSESpecification: unknown; Replicas: Array<{ SSESpecification?: unknown }> } }>;
    expect(tables).toHaveLength(2);
    for (const table of tables) {
      expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
      expect(table.Properties.Replicas[0]!.SSESpecification).toEqual({ KMSMasterKeyId: keyArn });
    }
    // Each role that touches the queue's data may use the key: the functions, the Scheduler's role, the grantees.
    const roles = Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => !/LogRetention|BucketNotifications|AwsCustomResource/.test(id));
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{ Properties: { Roles: Array<{ Ref: string }>; PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> } } }>;
    const usesKey = (role: string) => policies.some((p) => p.Properties.Roles.some((r) => r.Ref === role) && p.Properties.PolicyDocument.Statement.some((st) => [st.Action].flat().includes('kms:Decrypt') && JSON.stringify(st.Resource) === JSON.stringify(keyArn)));
    expect(roles.filter((role) => !usesKey(role))).toEqual([]);
    expect(roles.length).toBeGreaterThanOrEqual(7);
  });

  it('hands the kinds\' redacted fields to clients and operators\' tools in the config', () => {
    const stack = new Stack(new App(), 'Redact');
    const queue = new JobQueue(stack, 'Jobs', { jobs: [defineJob({ kind: 'a.b', schema: z.object({}), redact: ['email'] }), defineJob({ kind: 'c.d', schema: z.object({}) })], worker });
    // The configs are JSON inside an Fn::Join: their quotes come escaped.
    for (const config of [queue.operatorConfig, queue.clientConfig]) expect(JSON.stringify(stack.resolve(config))).toMatch(/redact\\+":\{\\+"a\.b\\+":\[\\+"email\\+"\]\}/);
  });

  it('rejects bad props, naming every problem', () => {
    const stack = new Stack(new App(), 'Bad');
    const long = defineJob({ kind: 'long.job', schema: z.object({}), timeoutSeconds: 120 });
    let thrown: unknown;
    try {
      new JobQueue(stack, 'Jobs', { jobs: [long, long], worker: { ...worker, timeout: Duration.seconds(60), maxConcurrency: 1 }, visibilityTimeout: Duration.seconds(50), shardCount: 5000 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    const problems = (thrown as ConfigurationError).problems;
    expect(problems).toEqual([
      'kind "long.job" is listed more than once',
      'worker.timeout (60 s) must be at least every kind\'s timeoutSeconds; "long.job" has 120 s',
      'visibilityTimeout (50 s) must be at least worker.timeout (60 s): Lambda refuses an SQS event source otherwise',
      'shardCount must be an integer from 1 to 1024, got 5000',
      'worker.maxConcurrency must be an integer from 2 to 1000, got 1',
    ]);
  });

  it('defaults the visibility timeout to 6 × the worker timeout; takes one under that advice, and warns at synth', () => {
    const kind = defineJob({ kind: 'a.b', schema: z.object({}), timeoutSeconds: 5 });
    const short = new Stack(new App(), 'ShortVisibility');
    new JobQueue(short, 'Jobs', { jobs: [kind], worker: { ...worker, timeout: Duration.seconds(10) }, visibilityTimeout: Duration.seconds(20) });
    Template.fromStack(short).hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 20 });
    const warnings = Annotations.fromStack(short).findWarning('*', Match.stringLikeRegexp('visibilityTimeout \\(20 s\\) is under AWS\'s advice of 6 × worker.timeout \\(60 s\\)'));
    expect(warnings).toHaveLength(1);
    const advised = new Stack(new App(), 'AdvisedVisibility');
    new JobQueue(advised, 'Jobs', { jobs: [kind], worker: { ...worker, timeout: Duration.seconds(10) } });
    Template.fromStack(advised).hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 60 });
    expect(Annotations.fromStack(advised).findWarning('*', Match.stringLikeRegexp('visibilityTimeout'))).toEqual([]);
  });

  it('rejects settings the services would refuse or that cannot work, naming each', () => {
    const stack = new Stack(new App(), 'BadSettings');
    const kind = defineJob({ kind: 'a.b', schema: z.object({}) });
    let thrown: unknown;
    try {
      new JobQueue(stack, 'Jobs', {
        jobs: [kind],
        worker: { ...worker, batchSize: 50, memorySize: 64 },
        stuckAfter: Duration.days(30),
        alarms: { oldestJobAge: Duration.seconds(10), stuckJobs: 0, failures: 2.5, failureRate: 0 },
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect((thrown as ConfigurationError).problems).toEqual([
      'worker.batchSize 50 needs worker.maxBatchingWindow of at least 1 s (SQS event sources take more than 10 messages a batch only with a batching window)',
      'worker.memorySize must be an integer from 128 to 10240 MB (Lambda\'s range), got 64',
      'stuckAfter must be from 1 s to 7 days, got 2592000 s',
      'alarms.oldestJobAge must be from 1 minute (the alarm\'s period) to 14 days (SQS\'s longest retention), got 10 s',
      'alarms.stuckJobs must be a whole number of jobs of at least 1, got 0',
      'alarms.failures must be a whole number of jobs of at least 1, got 2.5',
      'alarms.failureRate must be a percentage above 0 and at most 100, got 0',
    ]);
    // A batch of more than 10 with a batching window is fine.
    expect(() => new JobQueue(new Stack(new App(), 'Batched'), 'Jobs', { jobs: [kind], worker: { ...worker, batchSize: 50, maxBatchingWindow: Duration.seconds(2) } })).not.toThrow();
  });
});
