import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges a finding of cdk-nag's AwsSolutions rules on `scope` (and what it contains),
 * with the reason it is right as it is. `finding` is the rule and, for rules that report one
 * finding per item, the item: `IAM5[Resource::*]`.
 */
export function acknowledge(scope: IConstruct, finding: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-${finding}`, reason });
}
