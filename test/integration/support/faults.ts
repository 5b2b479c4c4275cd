import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFunctionConfigurationCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsBackends } from '../../../lib/aws/clients.js';
import { FAULTS_ENV, injectFaults, parseFaultPlan, type FaultPlanInput, type InjectedFault } from '../../../lib/aws/faults.js';
import { JobClient } from '../../../lib/client/job-client.js';
import { referenceJobs } from '../../../functions/jobs/definitions.js';
import { testJobs } from '../../../functions/testing/definitions.js';
import { stack } from './deployed.js';
import { waitFor } from './wait.js';

const lambda = new LambdaClient({});

/**
 * Switches the deployed worker's injected faults (`JOBLINE_FAULTS`) on, or off with undefined,
 * as an operator would: UpdateFunctionConfiguration, which starts fresh worker processes.
 */
export async function setWorkerFaults(plan: FaultPlanInput | undefined): Promise<void> {
  const current = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: stack.workerFunctionName }));
  const variables = { ...current.Environment?.Variables };
  if (plan) variables[FAULTS_ENV] = JSON.stringify(parseFaultPlan(JSON.stringify(plan)));
  else delete variables[FAULTS_ENV];
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: stack.workerFunctionName, Environment: { Variables: variables } }));
  await waitFor('the worker\'s configuration update', async () => {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: stack.workerFunctionName }));
    return config.LastUpdateStatus === 'Successful' && config.Environment?.Variables?.[FAULTS_ENV] === variables[FAULTS_ENV];
  }, { timeoutMs: 30_000 });
}

/** A JobClient for the test stack whose DynamoDB, SQS and Scheduler calls fail as `plan` says; `faults` lists what it injected. */
export function faultyClient(plan: FaultPlanInput, createdBy: string): { client: JobClient; faults: InjectedFault[] } {
  const parsed = parseFaultPlan(JSON.stringify(plan));
  const faults: InjectedFault[] = [];
  const clients = { dynamodb: new DynamoDBClient({}), sqs: new SQSClient({}), scheduler: new SchedulerClient({}) };
  injectFaults(clients.dynamodb, 'dynamodb', parsed, { onFault: (f) => faults.push(f) });
  injectFaults(clients.sqs, 'sqs', parsed, { onFault: (f) => faults.push(f) });
  injectFaults(clients.scheduler, 'scheduler', parsed, { onFault: (f) => faults.push(f) });
  const backends = awsBackends(stack.config, clients);
  const client = new JobClient({
    jobs: [...referenceJobs, ...testJobs], config: stack.config, createdBy,
    store: backends.store, transport: backends.transport, scheduler: backends.scheduler, flowControl: backends.flowControl,
  });
  return { client, faults };
}

/** Counts of each value: `{ 1: 80, 2: 20 }`. */
export function histogram(values: readonly number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** Tally of injected faults by service and kind, for the test's printout. */
export function tally(faults: readonly InjectedFault[]): string {
  const counts = new Map<string, number>();
  for (const f of faults) counts.set(`${f.service} ${f.fault}`, (counts.get(`${f.service} ${f.fault}`) ?? 0) + 1);
  return [...counts].sort().map(([what, n]) => `${what}: ${n}`).join(', ') || 'none';
}
