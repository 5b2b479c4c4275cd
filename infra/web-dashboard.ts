import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { CfnUserPool} from 'aws-cdk-lib/aws-cognito';
import { CfnUserPoolGroup, UserPool, type IUserPool, type UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { CONFIG_ENV } from '../lib/config.js';
import { DASHBOARD_OUTPUTS } from '../lib/stack-outputs.js';
import { stableOutput } from './stable-output.js';
import { DASHBOARD_ENV } from '../web/static-files.js';
import type { JobQueue } from './job-queue.js';
import { packagedFunction } from './node-function.js';
import { acknowledge } from './acknowledge.js';
import { logAccess, throttleStage, type ApiThrottle } from './api-stage.js';
import { DEFAULT_DASHBOARD_GROUPS, type DashboardGroups } from '../web/dashboard-access.js';

/** Options of the deployed web dashboard. */
export interface WebDashboardProps {
  /**
   * Who may sign in. A pool that lets anyone sign up is refused unless `allowSelfSignUp` says
   * it is meant (such users land in no group, so they get 403 — but an attacker should not get
   * that far). @default a new user pool: no self sign-up, an administrator adds operators
   */
  readonly userPool?: IUserPool;
  /** Acknowledges that `userPool` lets anyone sign up. @default false */
  readonly allowSelfSignUp?: boolean;
  /**
   * The Cognito groups whose members may act (retry, cancel, discard, redrive, pause, resume)
   * and only view; a signed-in user in neither gets 403 on every call. They are created in a
   * pool the dashboard creates; a pool of your own must have them.
   * @default { operators: 'jobline-operators', viewers: 'jobline-viewers' }
   */
  readonly groups?: Partial<DashboardGroups>;
  /**
   * How long a sign-in's ID token lasts. The API trusts a token until it expires, so this is how
   * long a disabled, signed-out or regrouped user keeps their access (the page's refresh fails
   * after an administrator's `admin-user-global-sign-out` or `admin-disable-user`). 5 minutes to
   * 1 day. @default Duration.minutes(15)
   */
  readonly tokenValidity?: Duration;
  /** Requests a second the dashboard's API accepts, all callers together. @default { rateLimit: 20, burstLimit: 40 } */
  readonly throttle?: ApiThrottle;
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
  /** The groups of operators and viewers. */
  readonly groups: DashboardGroups;
  readonly httpApi: HttpApi;
  /** The function that serves the page and its API (shipped prebuilt with jobline, page and Chart.js beside it). */
  readonly function: LambdaFunction;

  constructor(scope: Construct, id: string, jobQueue: JobQueue, props: WebDashboardProps = {}) {
    super(scope, id);
    const region = Stack.of(this).region;
    refuseSelfSignUp(props);
    this.groups = { ...DEFAULT_DASHBOARD_GROUPS, ...props.groups };
    const tokenValidity = props.tokenValidity ?? Duration.minutes(15);
    this.userPool = props.userPool ?? new UserPool(this, 'Operators', {
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    if (!props.userPool) {
      acknowledge(this.userPool, 'COG2', 'operators sign in with a password of 12+ characters of every class; require MFA on a user pool of your own (the userPool prop)');
      acknowledge(this.userPool, 'COG8', 'the Plus plan\'s threat protection is billed per monthly active user; pass a user pool on it as the userPool prop');
      new CfnUserPoolGroup(this, 'OperatorsGroup', { userPoolId: this.userPool.userPoolId, groupName: this.groups.operators, description: 'jobline dashboard: may view and act on jobs and lanes' });
      new CfnUserPoolGroup(this, 'ViewersGroup', { userPoolId: this.userPool.userPoolId, groupName: this.groups.viewers, description: 'jobline dashboard: may view jobs and lanes' });
    }
    // The page signs in with SRP only (the password never leaves the browser) and refreshes its
    // tokens; no client secret in a browser, and ID tokens short-lived: they are what the API trusts.
    this.userPoolClient = this.userPool.addClient('Page', {
      authFlows: { userSrp: true },
      // The page signs in itself: no hosted-UI OAuth grants (CDK's default allows two, to https://example.com).
      disableOAuth: true,
      generateSecret: false,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: tokenValidity,
      accessTokenValidity: tokenValidity,
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
        [DASHBOARD_ENV.operatorsGroup]: this.groups.operators,
        [DASHBOARD_ENV.viewersGroup]: this.groups.viewers,
        [DASHBOARD_ENV.configOutput]: `${Stack.of(jobQueue).stackName}/${jobQueue.configOutputKey}`,
        [DASHBOARD_ENV.cognitoEndpoint]: props.cognitoEndpoint ?? (this.node.tryGetContext('cognitoEndpoint') as string | undefined) ?? `https://cognito-idp.${region}.amazonaws.com/`,
        ...props.environment,
      },
    });
    jobQueue.grantOperate(this.function);
    // Its Kinds table reads the kinds' cost profiles from the queue's config output, once per instance.
    const queueStack = Stack.of(jobQueue).stackName;
    this.function.addToRolePolicy(new PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [Stack.of(jobQueue).formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${queueStack}/*` })] }));
    acknowledge(this.function, `IAM5[Resource::arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:stack/${queueStack}/*]`, 'a stack\'s ARN ends in an id CloudFormation makes at its creation: this is the one stack of that name, and DescribeStacks only reads');

    const integration = new HttpLambdaIntegration('Page', this.function);
    this.httpApi = new HttpApi(this, 'Api', { createDefaultStage: true, description: 'jobline web dashboard' });
    logAccess(this.httpApi, props.removalPolicy ?? RemovalPolicy.RETAIN);
    throttleStage(this.httpApi, props.throttle ?? { rateLimit: 20, burstLimit: 40 });
    for (const route of [...this.httpApi.addRoutes({ path: '/', methods: [HttpMethod.GET], integration }), ...this.httpApi.addRoutes({ path: '/{file}', methods: [HttpMethod.GET], integration })]) {
      acknowledge(route, 'APIG4', 'the page and its static files (HTML, script, styles, Chart.js) hold no data; every /api route requires a Cognito token of an operator or viewer');
    }
    this.httpApi.addRoutes({
      path: '/api/{proxy+}',
      methods: [HttpMethod.GET, HttpMethod.POST],
      integration,
      authorizer: new HttpJwtAuthorizer('Operators', `https://cognito-idp.${region}.amazonaws.com/${this.userPool.userPoolId}`, { jwtAudience: [this.userPoolClient.userPoolClientId] }),
    });

    stableOutput(this, DASHBOARD_OUTPUTS.url, { value: this.httpApi.apiEndpoint, description: 'the web dashboard (sign in as a user of the pool)' });
    stableOutput(this, DASHBOARD_OUTPUTS.apiId, { value: this.httpApi.apiId, description: 'the web dashboard API\'s id' });
    stableOutput(this, DASHBOARD_OUTPUTS.userPoolId, { value: this.userPool.userPoolId, description: 'add operators: aws cognito-idp admin-create-user --user-pool-id <this> --username <name>, then admin-add-user-to-group' });
    stableOutput(this, DASHBOARD_OUTPUTS.operatorsGroup, { value: this.groups.operators, description: 'the user-pool group whose members may act on jobs' });
    stableOutput(this, DASHBOARD_OUTPUTS.viewersGroup, { value: this.groups.viewers, description: 'the user-pool group whose members may only view' });
  }
}

/**
 * Throws for a user pool of this app that lets anyone sign up, unless acknowledged. A pool
 * imported by id cannot be read at synth time: its groups still keep strangers out.
 */
function refuseSelfSignUp(props: WebDashboardProps): void {
  if (!(props.userPool instanceof UserPool) || props.allowSelfSignUp) return;
  const config = (props.userPool.node.defaultChild as CfnUserPool).adminCreateUserConfig as CfnUserPool.AdminCreateUserConfigProperty | undefined;
  if (config?.allowAdminCreateUserOnly !== true) {
    throw new Error(`WebDashboard: user pool ${props.userPool.node.path} lets anyone sign up (selfSignUpEnabled): every stranger could sign in to the dashboard. Use a pool where only an administrator adds users, or pass allowSelfSignUp: true (such users are in no group and get 403)`);
  }
}
