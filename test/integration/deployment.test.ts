import { DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dynamodb, lane, sqs, stack } from './support/deployed.js';

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
const template = JSON.parse(readFileSync(new URL('../../cdk.out/JoblineTest.template.json', import.meta.url), 'utf8')) as Template;

describe('the deployed stack matches its template', () => {
  it('the lane queue carries the RedrivePolicy the template asks for', async () => {
    // Older ministack CloudFormation dropped RedrivePolicy; this keeps the gap visible if it ever returns.
    const queue = Object.values(template.Resources).find((r) => r.Type === 'AWS::SQS::Queue' && r.Properties.RedrivePolicy);
    const wanted = (queue!.Properties.RedrivePolicy as { maxReceiveCount: number }).maxReceiveCount;
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: lane.queueUrl, AttributeNames: ['RedrivePolicy', 'VisibilityTimeout'] }));
    const redrive = JSON.parse(attributes.Attributes?.RedrivePolicy ?? '{}') as { maxReceiveCount?: number; deadLetterTargetArn?: string };
    expect(redrive.maxReceiveCount).toBe(wanted);
    expect(redrive.deadLetterTargetArn).toMatch(new RegExp(`:${lane.deadLetterQueueUrl.split('/').pop()}$`));
    expect(attributes.Attributes?.VisibilityTimeout).toBe(String((queue!.Properties as { VisibilityTimeout: number }).VisibilityTimeout));
  });

  it('the jobs table has the TTL the template asks for (ministack drops it; the deploy step re-applies it)', async () => {
    const table = Object.values(template.Resources).find((r) => r.Type === 'AWS::DynamoDB::GlobalTable' && JSON.stringify(r.Properties.GlobalSecondaryIndexes ?? '').includes('byState'));
    const wanted = table!.Properties.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean };
    expect(wanted).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: stack.config.tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: wanted.AttributeName });
  });

  it('the recurring schedule runs in the time zone the template asks for (ministack drops it; the deploy step re-applies it)', async () => {
    const schedule = Object.values(template.Resources).find((r) => r.Type === 'AWS::Scheduler::Schedule');
    const { Name, ScheduleExpressionTimezone } = schedule!.Properties as { Name: string; ScheduleExpressionTimezone: string };
    expect(ScheduleExpressionTimezone).toBe('Europe/Berlin');
    const deployed = await new SchedulerClient({}).send(new GetScheduleCommand({ Name, GroupName: stack.config.scheduler.groupName }));
    expect(deployed.ScheduleExpressionTimezone).toBe(ScheduleExpressionTimezone);
    expect(deployed.ScheduleExpression).toBe('rate(1 minute)');
  });
});
