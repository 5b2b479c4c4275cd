import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JobQueue } from '../../infra/job-queue.js';
import { WebDashboard } from '../../infra/web-dashboard.js';
import { defineJob } from '../../lib/job-definition.js';

const worker = { entry: new URL('../../functions/worker.ts', import.meta.url).pathname };
let template: Template;

beforeAll(() => {
  const stack = new Stack(new App(), 'Dashboard', { env: { region: 'eu-west-1', account: '111111111111' } });
  const queue = new JobQueue(stack, 'Jobs', { jobs: [defineJob({ kind: 'a.b', schema: z.object({}) })], worker });
  new WebDashboard(stack, 'Web', queue);
  template = Template.fromStack(stack);
});

describe('WebDashboard', () => {
  it('puts every API route behind a JWT authorizer of its user pool; only the page\'s files are public', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Audience: [{ Ref: Match.stringLikeRegexp('WebOperatorsPage') }], Issuer: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('cognito-idp.eu-west-1.amazonaws.com/'), { Ref: Match.stringLikeRegexp('WebOperators') }])] } },
    });
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => (r as { Properties: { RouteKey: string; AuthorizationType?: string } }).Properties);
    const byKey = Object.fromEntries(routes.map((r) => [r.RouteKey, r.AuthorizationType ?? 'NONE']));
    expect(byKey).toEqual({ 'GET /': 'NONE', 'GET /{file}': 'NONE', 'GET /api/{proxy+}': 'JWT', 'POST /api/{proxy+}': 'JWT' });
  });

  it('creates the operators and viewers groups, tells its function their names and outputs them', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'jobline-operators', UserPoolId: { Ref: Match.stringLikeRegexp('WebOperators') } });
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'jobline-viewers' });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ DASHBOARD_OPERATORS_GROUP: 'jobline-operators', DASHBOARD_VIEWERS_GROUP: 'jobline-viewers' }) } });
    template.hasOutput('JoblineDashboardOperatorsGroupWeb', { Value: 'jobline-operators' });
    template.hasOutput('JoblineDashboardViewersGroupWeb', { Value: 'jobline-viewers' });
  });

  it('throttles its API\'s stage (20 a second, bursts of 40)', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 } });
  });

  it('refuses a pool of the app that lets anyone sign up, unless told it is meant', () => {
    const make = (allowSelfSignUp?: boolean) => {
      const stack = new Stack(new App(), 'SelfSignUp');
      const queue = new JobQueue(stack, 'Jobs', { jobs: [defineJob({ kind: 'a.b', schema: z.object({}) })], worker });
      new WebDashboard(stack, 'Web', queue, { userPool: new UserPool(stack, 'Public', { selfSignUpEnabled: true }), allowSelfSignUp });
    };
    expect(() => make()).toThrow(/lets anyone sign up/);
    expect(() => make(true)).not.toThrow();
  });

  it('creates a user pool nobody can sign up to, with a browser client that has no secret and signs in with SRP only', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', { AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false, ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'], EnableTokenRevocation: true,
      IdTokenValidity: 15, AccessTokenValidity: 15, RefreshTokenValidity: 720, TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes', RefreshToken: 'minutes' },
      // No OAuth flows (CDK would otherwise allow the implicit and code grants to https://example.com).
      AllowedOAuthFlows: Match.absent(), CallbackURLs: Match.absent(),
    });
  });

  it('grants no cross-origin access: another site\'s page cannot send the operator\'s token header', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { Description: 'jobline web dashboard', CorsConfiguration: Match.absent() });
  });

  it('gives its function the operator config and the operator permissions, and tells the page where to sign in', () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: Match.objectLike({ DASHBOARD_CLIENT_ID: Match.anyValue() }) } } }));
    expect(fn).toHaveLength(1);
    const variables = (fn[0] as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables;
    expect(variables.DASHBOARD_COGNITO_ENDPOINT).toBe('https://cognito-idp.eu-west-1.amazonaws.com/');
    expect(JSON.stringify(variables.JOBLINE_CONFIG)).toContain('eventSourceMappingId');
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('WebFunction') }] } }));
    for (const action of ['lambda:UpdateEventSourceMapping', 'sqs:ReceiveMessage', 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem', 'cloudwatch:GetMetricData']) expect(policies).toContain(action);
  });

  it('signs in at the emulator\'s Cognito when the app\'s cognitoEndpoint context says so (what jobline deploy --local sets)', () => {
    const stack = new Stack(new App({ context: { cognitoEndpoint: 'http://127.0.0.1:4566' } }), 'Local');
    const queue = new JobQueue(stack, 'Jobs', { jobs: [defineJob({ kind: 'a.b', schema: z.object({}) })], worker });
    new WebDashboard(stack, 'Web', queue);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ DASHBOARD_COGNITO_ENDPOINT: 'http://127.0.0.1:4566' }) } });
  });

  it('takes an existing user pool instead of creating one', () => {
    const stack = new Stack(new App(), 'Existing');
    const queue = new JobQueue(stack, 'Jobs', { jobs: [defineJob({ kind: 'a.b', schema: z.object({}) })], worker });
    const pool = new UserPool(stack, 'Staff');
    new WebDashboard(stack, 'Web', queue, { userPool: pool });
    Template.fromStack(stack).resourceCountIs('AWS::Cognito::UserPool', 1);
    // Its groups are the pool owner's to make.
    Template.fromStack(stack).resourceCountIs('AWS::Cognito::UserPoolGroup', 0);
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPoolClient', { UserPoolId: { Ref: Match.stringLikeRegexp('Staff') } });
  });
});
