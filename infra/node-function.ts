import type { Duration } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';

/** What differs between jobline's functions. */
export interface JoblineFunctionProps {
  readonly entry: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly environment: Record<string, string>;
  /** Files to add next to the bundle (the web dashboard's page). */
  readonly commandHooks?: ICommandHooks;
}

/**
 * A jobline Lambda: Node 22 on ARM, source maps on, and the real AWS SDK bundled — it pins
 * the version that runs, and emulators without one run our code, not stubs.
 */
export function joblineFunction(scope: Construct, id: string, props: JoblineFunctionProps): NodejsFunction {
  return new NodejsFunction(scope, id, {
    entry: props.entry,
    handler: 'handler',
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    timeout: props.timeout,
    memorySize: props.memorySize,
    environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
    bundling: { externalModules: [], minify: true, sourceMap: true, target: 'node20', commandHooks: props.commandHooks },
  });
}
