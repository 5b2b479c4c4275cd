import { RemovalPolicy, type Duration } from 'aws-cdk-lib';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Architecture, Code, Function as LambdaFunction, Runtime, type FunctionProps } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { ON_DEMAND_MODULES, onDemandModuleDir, packagedFunctionDir, type PackagedFunction } from '../lib/packaged-functions.js';

/** What differs between jobline's functions. */
export interface JoblineFunctionProps {
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly environment: Record<string, string>;
  /** What happens to the function's log group when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy | undefined;
}

/**
 * Settings every jobline Lambda shares: Node 24 (Lambda's latest Node runtime) on ARM. Bundles
 * ship their source maps, but Node starts without `--enable-source-maps`: parsing the worker's
 * 4 MB map at start added about 25 ms to its module init and 12 MB to its memory (BENCHMARKS.md,
 * "Cold start"). Set `NODE_OPTIONS: '--enable-source-maps'` in a function's environment for
 * stack traces that name the TypeScript sources.
 */
function common(props: JoblineFunctionProps): Pick<FunctionProps, 'runtime' | 'architecture' | 'timeout' | 'memorySize' | 'environment'> {
  return {
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    timeout: props.timeout,
    memorySize: props.memorySize,
    environment: props.environment,
  };
}

/**
 * A Lambda built from the user's entry file (the worker, the enqueue API), bundled with the
 * real AWS SDK — it pins the version that runs, and emulators without one run our code, not stubs.
 * The modules jobline loads on demand (the S3 client, for large results), which no bundle
 * holds, are copied prebuilt into its `node_modules`, where jobline's `import()` finds them.
 */
export function userFunction(scope: Construct, id: string, props: JoblineFunctionProps & { readonly entry: string }): NodejsFunction {
  return writingOwnLogsOnly(new NodejsFunction(scope, id, {
    ...common(props),
    logGroup: ownLogGroup(scope, id, props.removalPolicy),
    entry: props.entry,
    handler: 'handler',
    bundling: {
      externalModules: [],
      minify: true,
      sourceMap: true,
      target: 'node20',
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        afterBundling: (_inputDir, outputDir) => ON_DEMAND_MODULES.flatMap((name) => {
          const target = `${outputDir}/node_modules/${name}`;
          return [`mkdir -p "${target}"`, `cp "${onDemandModuleDir(name)}/index.js" "${onDemandModuleDir(name)}/package.json" "${target}/"`];
        }),
      },
    },
  }));
}

/** A Lambda jobline ships prebuilt (the sweeper, the web dashboard): deployed as built, nothing bundled at synth. */
export function packagedFunction(scope: Construct, id: string, name: PackagedFunction, props: JoblineFunctionProps): LambdaFunction {
  return writingOwnLogsOnly(new LambdaFunction(scope, id, { ...common(props), logGroup: ownLogGroup(scope, id, props.removalPolicy), code: Code.fromAsset(packagedFunctionDir(name)), handler: 'index.handler' }));
}

/** The function's own log group, kept a month. */
function ownLogGroup(scope: Construct, id: string, removalPolicy: RemovalPolicy = RemovalPolicy.RETAIN): LogGroup {
  return new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH, removalPolicy });
}

/**
 * Lets the function's role write to its own log group and nowhere else: Lambda's managed
 * AWSLambdaBasicExecutionRole (which CDK attaches, and which may write to every log group in
 * the account) comes off. The role stays the function's child, so what is acknowledged on the
 * function covers its policy.
 */
function writingOwnLogsOnly<T extends LambdaFunction>(fn: T): T {
  (fn.role!.node.defaultChild as CfnRole).managedPolicyArns = undefined;
  fn.logGroup.grantWrite(fn);
  return fn;
}
