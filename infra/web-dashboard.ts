import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { UserPool, type IUserPool, type UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { CONFIG_ENV } from '../lib/config.js';
import { DASHBOARD_OUTPUTS } from '../lib/stack-outputs.js';
import { stableOutput } from './stable-output.js';
import { DASHBOARD_ENV } from '../web/static-files.js';
import type { JobQueue } from './job-queue.js';
import { packagedFunction } from './node-function.js';
import { acknowledge } from './acknowledge.js';
import { logAccess } from './access-log.js';

/** Options of the deployed web dashboard. */
export interface WebDashboardProps {
  /** Who may sign in. @default a new user pool: no self sign-up, an administrator adds operators */
  readonly userPool?: IUserPool;
  /**
   * Where the page calls Cognito to sign in. @default the app's `cognitoEndpoint` context (which
   * `jobline deploy --local` sets to the emulator), else `https://cognito-idp.<region>.amazonaws.com/`
   */
  readonly cognitoEndpoint?: string;
  /** Extra environment for the dashboard's function (an emulator endpoint, say). */
  readonly environment?: Record<string, string>;
  /** What happens to a user pool it creates when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The web dashboard of a {@link JobQueue}, deployed: an HTTP API whose `/api/` routes only
 * signed-in users of a Cognito user pool reach (API Gateway's JWT authorizer checks every
 * call), and a function that serves the page and runs the `JobInspector` with the
 * operator's permissions. Never anonymous: the page itself holds no data.
 */
export class WebDashboard extends Construct {
  readonly userPool: IUserPool;
  readonly userPoolClient: UserPoolClient;
  readonly httpApi: HttpApi;
  /** The function that serves the page and its API (shipped prebuilt with jobline, page and Chart.js beside it). */
  readonly function: LambdaFunction;

  constructor(scope: Construct, id: string, jobQueue: JobQueue, props: WebDashboardProps = {}) {
    super(scope, id);
    const region = Stack.of(this).region;
    this.userPool = props.userPool ?? new UserPool(this, 'Operators', {
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    if (!props.userPool) {
      acknowledge(this.userPool, 'COG2', 'operators sign in with a password of 12+ characters of every class; require MFA on a user pool of your own (the userPool prop)');
      acknowledge(this.userPool, 'COG8', 'the Plus plan\'s threat protection is billed per monthly active user; pass a user pool on it as the userPool prop');
    }
    // The page signs in with SRP only (the password never leaves the browser) and refreshes its
    // tokens; no client secret in a browser, and ID tokens that last an hour.
    this.userPoolClient = this.userPool.addClient('Page', {
      authFlows: { userSrp: true },
      // The page signs in itself: no hosted-UI OAuth grants (CDK's default allows two, to https://example.com).
      disableOAuth: true,
      generateSecret: false,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });

    this.function = packagedFunction(this, 'Function', 'web-dashboard', {
      removalPolicy: props.removalPolicy,
      timeout: Duration.seconds(30),
      memorySize: 512,
      environment: {
        [CONFIG_ENV]: jobQueue.operatorConfig,
        [DASHBOARD_ENV.userPoolId]: this.userPool.userPoolId,
        [DASHBOARD_ENV.clientId]: this.userPoolClient.userPoolClientId,
        [DASHBOARD_ENV.cognitoEndpoint]: props.cognitoEndpoint ?? (this.node.tryGetContext('cognitoEndpoint') as string | undefined) ?? `https://cognito-idp.${region}.amazonaws.com/`,
        ...props.environment,
      },
    });
    jobQueue.grantOperate(this.function);

    const integration = new HttpLambdaIntegration('Page', this.function);
    this.httpApi = new HttpApi(this, 'Api', { createDefaultStage: true, description: 'jobline web dashboard' });
    logAccess(this.httpApi, props.removalPolicy ?? RemovalPolicy.RETAIN);
    for (const route of [...this.httpApi.addRoutes({ path: '/', methods: [HttpMethod.GET], integration }), ...this.httpApi.addRoutes({ path: '/{file}', methods: [HttpMethod.GET], integration })]) {
      acknowledge(route, 'APIG4', 'the page and its static files (HTML, script, styles, Chart.js) hold no data; every /api route requires a Cognito token of an operator');
    }
    this.httpApi.addRoutes({
      path: '/api/{proxy+}',
      methods: [HttpMethod.GET, HttpMethod.POST],
      integration,
      authorizer: new HttpJwtAuthorizer('Operators', `https://cognito-idp.${region}.amazonaws.com/${this.userPool.userPoolId}`, { jwtAudience: [this.userPoolClient.userPoolClientId] }),
    });

    stableOutput(this, DASHBOARD_OUTPUTS.url, { value: this.httpApi.apiEndpoint, description: 'the web dashboard (sign in as a user of the pool)' });
    stableOutput(this, DASHBOARD_OUTPUTS.apiId, { value: this.httpApi.apiId, description: 'the web dashboard API\'s id' });
    stableOutput(this, DASHBOARD_OUTPUTS.userPoolId, { value: this.userPool.userPoolId, description: 'add operators: aws cognito-idp admin-create-user --user-pool-id <this> --username <name>' });
  }
}
