import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lane, sqs } from './support/deployed.js';

describe('the deployed stack matches its template', () => {
  it('the lane queue carries the RedrivePolicy the template asks for', async () => {
    // Older ministack CloudFormation dropped RedrivePolicy; this keeps the gap visible if it ever returns.
    const template = JSON.parse(readFileSync(new URL('../../cdk.out/JoblineTest.template.json', import.meta.url), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const queue = Object.values(template.Resources).find((r) => r.Type === 'AWS::SQS::Queue' && r.Properties.RedrivePolicy);
    const wanted = (queue!.Properties.RedrivePolicy as { maxReceiveCount: number }).maxReceiveCount;
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: lane.queueUrl, AttributeNames: ['RedrivePolicy', 'VisibilityTimeout'] }));
    const redrive = JSON.parse(attributes.Attributes?.RedrivePolicy ?? '{}') as { maxReceiveCount?: number; deadLetterTargetArn?: string };
    expect(redrive.maxReceiveCount).toBe(wanted);
    expect(redrive.deadLetterTargetArn).toMatch(new RegExp(`:${lane.deadLetterQueueUrl.split('/').pop()}$`));
    expect(attributes.Attributes?.VisibilityTimeout).toBe(String((queue!.Properties as { VisibilityTimeout: number }).VisibilityTimeout));
  });
});
