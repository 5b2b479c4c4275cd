import type { Duration } from 'aws-cdk-lib';
import { Architecture, Code, Function as LambdaFunction, Runtime, type FunctionProps } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { packagedFunctionDir, type PackagedFunction } from '../lib/packaged-functions.js';

/** What differs between jobline's functions. */
export interface JoblineFunctionProps {
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly environment: Record<string, string>;
}

/** Settings every jobline Lambda shares: Node 22 on ARM, source maps on. */
function common(props: JoblineFunctionProps): Pick<FunctionProps, 'runtime' | 'architecture' | 'timeout' | 'memorySize' | 'environment'> {
  return {
    runtime: Runtime.NODEJS_22_X,
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
  return new NodejsFunction(scope, id, {
    ...common(props),
    entry: props.entry,
    handler: 'handler',
    bundling: { externalModules: [], minify: true, sourceMap: true, target: 'node20' },
  });
}

/** A Lambda jobline ships prebuilt (the sweeper, the web dashboard): deployed as built, nothing bundled at synth. */
export function packagedFunction(scope: Construct, id: string, name: PackagedFunction, props: JoblineFunctionProps): LambdaFunction {
  return new LambdaFunction(scope, id, { ...common(props), code: Code.fromAsset(packagedFunctionDir(name)), handler: 'index.handler' });
}
