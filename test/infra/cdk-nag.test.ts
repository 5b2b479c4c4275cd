import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { JoblineStack, JoblineTestStack } from '../../infra/stacks.js';
import { SignupStack } from '../../examples/signup/src/stack.js';

/**
 * cdk-nag's AwsSolutions rules on the reference stacks: every finding is fixed, or
 * acknowledged in the construct that causes it with a written reason (`Validations.of(…)
 * .acknowledge`). Synth fails on an unacknowledged finding, and its message lists them.
 */
function nagFindings(build: (app: App) => void): string {
  // No bundling: the rules read the templates, not the code.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  build(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('cdk-nag AwsSolutions checks', () => {
  it('pass on the reference app\'s stack (npm run dev)', () => {
    expect(nagFindings((app) => new JoblineStack(app, 'Jobline'))).toBe('');
  });

  it('pass on the integration tests\' stack', () => {
    expect(nagFindings((app) => new JoblineTestStack(app, 'JoblineTest'))).toBe('');
  });

  it('pass on the example app (examples/signup), as its users would deploy it', () => {
    expect(nagFindings((app) => new SignupStack(app, 'Signup'))).toBe('');
  });
});

describe('least privilege and logging, in the synthesized template', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const template = Template.fromStack(new JoblineStack(app, 'Jobline'));
  const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> } } }).Properties.PolicyDocument.Statement);
  const text = (value: unknown) => JSON.stringify(value);

  it('grants queries on the jobs table\'s two indexes by name, never index/*, and no data action on *', () => {
    expect(statements.map((s) => text(s.Resource)).filter((r) => r.includes('/index/*'))).toEqual([]);
    expect(statements.some((s) => text(s.Resource).includes('/index/byState'))).toBe(true);
    // `*` alone or among others (`['*']`, `['arn:…', '*']`): every way a statement can name any resource.
    const onAnything = statements.filter((s) => [s.Resource].flat().includes('*')).flatMap((s) => [s.Action].flat());
    expect(onAnything).toEqual(['cloudwatch:GetMetricData']);
  });

  it('lets operators pause only the worker\'s own event source mappings, and send email only as the configured sender', () => {
    const mappings = statements.filter((s) => [s.Action].flat().includes('lambda:UpdateEventSourceMapping'));
    expect(mappings.length).toBeGreaterThan(0);
    for (const s of mappings) expect(text(s.Resource)).not.toContain('event-source-mapping:*');
    const ses = statements.find((s) => [s.Action].flat().includes('ses:SendEmail'))!;
    expect(text(ses.Resource)).toContain(':identity/jobline@example.com');
  });

  it('keeps both tables recoverable to any point (PITR); queues encrypted and SSL-only', () => {
    const tables = Object.values(template.findResources('AWS::DynamoDB::GlobalTable')) as Array<{ Properties: { Replicas: Array<{ PointInTimeRecoverySpecification?: { PointInTimeRecoveryEnabled: boolean } }> } }>;
    const jobline = tables.filter((t) => JSON.stringify(t).includes('expiresAt'));
    expect(jobline).toHaveLength(2);
    for (const table of jobline) expect(table.Properties.Replicas[0]!.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    const queues = Object.values(template.findResources('AWS::SQS::Queue')) as Array<{ Properties: { SqsManagedSseEnabled?: boolean } }>;
    expect(queues.length).toBeGreaterThanOrEqual(2);
    for (const queue of queues) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    const sslOnly = Object.values(template.findResources('AWS::SQS::QueuePolicy')).map((p) => JSON.stringify(p));
    expect(sslOnly.length).toBe(queues.length);
    for (const policy of sslOnly) expect(policy).toContain('"aws:SecureTransport":"false"');
  });

  it('gives each function its own log group, and lets it write there only (no AWSLambdaBasicExecutionRole)', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Array<{ Properties: { Role: { 'Fn::GetAtt': [string, string] }; LoggingConfig?: { LogGroup: { Ref: string } } } }>;
    const logGroups = Object.keys(template.findResources('AWS::Logs::LogGroup'));
    // The worker, sweeper, dispatcher, enqueue API and dashboard (CDK's own helper functions aside).
    const ours = functions.filter((fn) => fn.Properties.LoggingConfig);
    expect(ours.length).toBe(5);
    for (const fn of ours) expect(logGroups).toContain(fn.Properties.LoggingConfig!.LogGroup.Ref);
    const roles = ours.map((fn) => template.findResources('AWS::IAM::Role')[fn.Properties.Role['Fn::GetAtt'][0]] as { Properties: { ManagedPolicyArns?: unknown } });
    for (const role of roles) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const logWrites = statements.filter((st) => [st.Action].flat().some((action) => action.startsWith('logs:')) && !text(st.Resource).includes('Access'));
    expect(logWrites.length).toBe(5);
    for (const st of logWrites) {
      expect([st.Action].flat().sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      expect(logGroups).toContain((st.Resource as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);
    }
  });

  it('logs every request of both HTTP APIs, and holds operators to a strong password', () => {
    const stages = Object.values(template.findResources('AWS::ApiGatewayV2::Stage')) as Array<{ Properties: { AccessLogSettings?: { DestinationArn: unknown; Format: string } } }>;
    expect(stages).toHaveLength(2);
    for (const stage of stages) expect(JSON.parse(stage.Properties.AccessLogSettings!.Format)).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    template.hasResourceProperties('AWS::Cognito::UserPool', { Policies: { PasswordPolicy: { MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true } } });
  });
});
