import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One stack of a synthesized CDK app. */
export interface AssemblyStack {
  /** The artifact id `cdk deploy` takes. */
  readonly artifactId: string;
  /** The CloudFormation stack name it deploys to. */
  readonly stackName: string;
  /** Its template, as synthesized. */
  readonly templatePath: string;
}

/** The folder `cdk synth` writes to: cdk.json's `output`, else `cdk.out`. */
export function assemblyDir(projectDir: string): string {
  const cdkJson = join(projectDir, 'cdk.json');
  const output = existsSync(cdkJson) ? (JSON.parse(readFileSync(cdkJson, 'utf8')) as { output?: unknown }).output : undefined;
  return join(projectDir, typeof output === 'string' ? output : 'cdk.out');
}

/** The stacks of the app last synthesized in `projectDir` (its cloud assembly's manifest). */
export function assemblyStacks(projectDir: string): AssemblyStack[] {
  const dir = assemblyDir(projectDir);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    artifacts?: Record<string, { type?: string; displayName?: string; properties?: { templateFile?: string; stackName?: string } }>;
  };
  return Object.entries(manifest.artifacts ?? {})
    .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile)
    .map(([artifactId, artifact]) => ({
      artifactId,
      stackName: artifact.properties?.stackName ?? artifactId,
      templatePath: join(dir, artifact.properties!.templateFile!),
    }));
}
