import { CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTimeToLiveCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetScheduleCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { readFileSync } from 'node:fs';

/**
 * ministack's CloudFormation layer (1.5.33) drops some properties its service APIs support.
 * This step re-applies the ones the app depends on, from the synthesized template, through
 * the service API. It runs only against ministack (`jobline deploy --local`); test/integration/deployment.test.ts
 * asserts that the deployed resources carry the template's settings, so the gap stays
 * visible and this step can go when the emulator catches up.
 *
 * Dropped and re-applied here:
 * - `TimeToLiveSpecification` of `AWS::DynamoDB::GlobalTable` / `AWS::DynamoDB::Table`;
 * - `ScheduleExpressionTimezone` of `AWS::Scheduler::Schedule`.
 */
export async function reapplyDroppedProperties(stackName: string, templatePath: string, log: (line: string) => void, clientConfig: { endpoint?: string; region?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } = {}): Promise<void> {
  const template = JSON.parse(readFileSync(templatePath, 'utf8')) as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  const cloudformation = new CloudFormationClient(clientConfig);
  const dynamodb = new DynamoDBClient(clientConfig);
  const scheduler = new SchedulerClient(clientConfig);
  const { StackResources: resources = [] } = await cloudformation.send(new DescribeStackResourcesCommand({ StackName: stackName }));
  const physicalId = (ref: unknown) => resources.find((r) => r.LogicalResourceId === (ref as { Ref?: string })?.Ref)?.PhysicalResourceId ?? String(ref);
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::Scheduler::Schedule') {
      await reapplyTimezone(scheduler, String(resource.Properties?.Name), physicalId(resource.Properties?.GroupName), resource.Properties?.ScheduleExpressionTimezone as string | undefined, log);
      continue;
    }
    if (resource.Type !== 'AWS::DynamoDB::GlobalTable' && resource.Type !== 'AWS::DynamoDB::Table') continue;
    const ttl = resource.Properties?.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
    if (!ttl?.Enabled || !ttl.AttributeName) continue;
    const tableName = resources.find((r) => r.LogicalResourceId === logicalId)?.PhysicalResourceId;
    if (!tableName) throw new Error(`emulator fix-up: no deployed table for ${logicalId} in ${stackName}`);
    const current = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    if (current.TimeToLiveDescription?.TimeToLiveStatus === 'ENABLED' && current.TimeToLiveDescription.AttributeName === ttl.AttributeName) continue;
    await dynamodb.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true } }));
    log(`emulator fix-up: enabled TTL on ${tableName} (${ttl.AttributeName}), which ministack's CloudFormation dropped`);
  }
}

async function reapplyTimezone(scheduler: SchedulerClient, name: string, groupName: string, timezone: string | undefined, log: (line: string) => void): Promise<void> {
  if (!timezone) return;
  const current = await scheduler.send(new GetScheduleCommand({ Name: name, GroupName: groupName }));
  if (current.ScheduleExpressionTimezone === timezone) return;
  await scheduler.send(new UpdateScheduleCommand({
    Name: name,
    GroupName: groupName,
    ScheduleExpression: current.ScheduleExpression,
    ScheduleExpressionTimezone: timezone,
    FlexibleTimeWindow: current.FlexibleTimeWindow,
    Target: current.Target,
    State: current.State,
    Description: current.Description,
  }));
  log(`emulator fix-up: set time zone ${timezone} on schedule ${name}, which ministack's CloudFormation dropped`);
}
