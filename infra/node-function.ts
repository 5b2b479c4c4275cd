import type { Duration } from 'aws-cdk-lib';
import { Architecture, Code, Function as LambdaFunction, Runtime, type FunctionProps } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { packagedFunctionDir, type PackagedFunction } from '../lib/packaged-functions.js';
import { acknowledge } from './acknowledge.js';

/** What differs between jobline's functions. */
export interface JoblineFunctionProps {
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly environment: Record<string, string>;
}

/** Settings every jobline Lambda shares: Node 24 (Lambda's latest Node runtime) on ARM, source maps on. */
function common(props: JoblineFunctionProps): Pick<FunctionProps, 'runtime' | 'architecture' | 'timeout' | 'memorySize' | 'environment'> {
  return {
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    timeout: props.timeout,
    memorySize: props.memorySize,
    environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
  };
}

/**
 * A Lambda built from the user's entry file (the worker, the enqueue API), bundled with the
 * real AWS SDK — it pins the version that runs, and emulators without one run our code, not stubs.
 */
export function userFunction(scope: Construct, id: string, props: JoblineFunctionProps & { readonly entry: string }): NodejsFunction {
  return withLogging(new NodejsFunction(scope, id, {
    ...common(props),
    entry: props.entry,
    handler: 'handler',
    bundling: { externalModules: [], minify: true, sourceMap: true, target: 'node20' },
  }));
}

/** A Lambda jobline ships prebuilt (the sweeper, the web dashboard): deployed as built, nothing bundled at synth. */
export function packagedFunction(scope: Construct, id: string, name: PackagedFunction, props: JoblineFunctionProps): LambdaFunction {
  return withLogging(new LambdaFunction(scope, id, { ...common(props), code: Code.fromAsset(packagedFunctionDir(name)), handler: 'index.handler' }));
}

/** The function's role keeps Lambda's managed logging policy; said so where cdk-nag looks. */
function withLogging<T extends LambdaFunction>(fn: T): T {
  acknowledge(fn, 'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'Lambda\'s own logging: AWSLambdaBasicExecutionRole allows only logs:CreateLogGroup, CreateLogStream and PutLogEvents. (Scoping them to the function\'s log group needs an explicit log group per function: not done yet.)');
  return fn;
}
