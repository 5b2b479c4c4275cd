import { App } from 'aws-cdk-lib';
import { SignupStack } from './stack.js';

const app = new App();
new SignupStack(app, 'JoblineSignupExample', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
app.synth();
