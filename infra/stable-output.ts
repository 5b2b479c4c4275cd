import { CfnOutput, Stack, type CfnOutputProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { outputIdOf } from '../lib/stack-outputs.js';

/**
 * A stack output named `<name><id>` — `id` being `scope`'s path inside its stack, letters and
 * digits only — instead of CDK's hashed logical id, so that `jobline` and `loadConfig` find it.
 */
export function stableOutput(scope: Construct, name: string, props: CfnOutputProps): CfnOutput {
  const output = new CfnOutput(scope, name, props);
  output.overrideLogicalId(stableOutputKey(scope, name));
  return output;
}

/** The key `stableOutput(scope, name, …)` gives its output. */
export function stableOutputKey(scope: Construct, name: string): string {
  return `${name}${outputIdOf(scope.node.path.slice(Stack.of(scope).node.path.length + 1))}`;
}
