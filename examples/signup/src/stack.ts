import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, Billing, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { JobQueue, logAccess, WebDashboard } from 'jobline/cdk';
import type { Construct } from 'constructs';
import { welcomeEmail } from './jobs.js';

const file = (name: string) => fileURLToPath(new URL(name, import.meta.url));

/** Options of the example stack. */
export interface SignupStackProps extends StackProps {
  /** The address welcome emails come from. @default 'welcome@example.com' */
  readonly senderEmail?: string;
}

/** A sign-up API whose welcome emails run as jobline jobs, with jobline's web dashboard. */
export class SignupStack extends Stack {
  constructor(scope: Construct, id: string, props: SignupStackProps = {}) {
    super(scope, id, props);
    const sender = props.senderEmail ?? 'welcome@example.com';

    const jobs = new JobQueue(this, 'Jobs', {
      jobs: [welcomeEmail],
      worker: { entry: file('worker.ts'), environment: { EMAIL_FROM: sender } },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    new EmailIdentity(this, 'Sender', { identity: Identity.email(sender) });
    jobs.workerFunction.addToRolePolicy(new PolicyStatement({ actions: ['ses:SendEmail'], resources: [this.formatArn({ service: 'ses', resource: 'identity', resourceName: sender })] }));

    const users = new TableV2(this, 'Users', {
      partitionKey: { name: 'email', type: AttributeType.STRING },
      billing: Billing.onDemand(),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const signup = new NodejsFunction(this, 'Signup', {
      entry: file('signup-api.ts'),
      runtime: Runtime.NODEJS_24_X,
      timeout: Duration.seconds(10),
      environment: { USERS_TABLE: users.tableName },
      // The real SDK in the bundle: the version that runs is the one tested (and emulators have none).
      bundling: { externalModules: [], minify: true },
    });
    users.grantWriteData(signup);
    jobs.grantEnqueue(signup);

    const api = new HttpApi(this, 'Api', { description: 'jobline example: sign-up' });
    logAccess(api, RemovalPolicy.DESTROY);
    const [route] = api.addRoutes({ path: '/signup', methods: [HttpMethod.POST], integration: new HttpLambdaIntegration('Signup', signup) });

    // cdk-nag's findings that are right as they are, each with its reason.
    Validations.of(route!).acknowledge({ id: 'AwsSolutions-APIG4', reason: 'signing up is public: anyone may create an account' });
    Validations.of(signup).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'Lambda\'s own logging: AWSLambdaBasicExecutionRole allows only logs:CreateLogGroup, CreateLogStream and PutLogEvents',
    });
    new WebDashboard(this, 'Dashboard', jobs, { removalPolicy: RemovalPolicy.DESTROY });

    new CfnOutput(this, 'SignupApiId', { value: api.apiId });
    new CfnOutput(this, 'SignupUrl', { value: `${api.apiEndpoint}/signup` });
  }
}
