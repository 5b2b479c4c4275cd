import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFunctionConfigurationCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsBackends } from '../../../lib/aws/aws-backends.js';
import { FAULTS_ENV, injectFaults, parseFaultPlan, type FaultPlanInput, type InjectedFault } from '../../../lib/aws/faults.js';
import { JobClient } from '../../../lib/client/job-client.js';
import { referenceJobs } from '../../../functions/jobs/definitions.js';
import { testJobs } from '../../../functions/testing/definitions.js';
import type { JobRecord } from '../../../lib/job-record.js';
import { client, handlerRuns, stack, workerLogLines } from './deployed.js';
import { waitFor } from './wait.js';
import { commitMeasured } from '../../../bench/lib/commit.js';
import { MINISTACK_VERSION } from '../../../lib/local/emulator.js';

const lambda = new LambdaClient({});

/**
 * Sets (or, with undefined, removes) variables of the deployed worker's environment as an
 * operator would: UpdateFunctionConfiguration, which starts fresh worker processes.
 */
export async function setWorkerEnvironment(changes: Record<string, string | undefined>): Promise<void> {
  const current = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: stack.workerFunctionName }));
  const variables = { ...current.Environment?.Variables };
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete variables[name];
    else variables[name] = value;
  }
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: stack.workerFunctionName, Environment: { Variables: variables } }));
  await waitFor('the worker\'s configuration update', async () => {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: stack.workerFunctionName }));
    return config.LastUpdateStatus === 'Successful' && Object.keys(changes).every((name) => config.Environment?.Variables?.[name] === variables[name]);
  }, { timeoutMs: 30_000 });
}

/** Switches the deployed worker's injected faults (`JOBLINE_FAULTS`) on, or off with undefined. */
export async function setWorkerFaults(plan: FaultPlanInput | undefined): Promise<void> {
  await setWorkerEnvironment({ [FAULTS_ENV]: plan ? JSON.stringify(parseFaultPlan(JSON.stringify(plan))) : undefined });
}

/** Statuses a job stays in. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * Waits until every job is final and returns their records; fails naming some that are not.
 * Reads only the jobs still pending, 50 at a time, so that thousands of jobs stay cheap to watch.
 */
export async function waitUntilFinal(ids: readonly string[], timeoutMs: number): Promise<Map<string, JobRecord>> {
  const records = new Map<string, JobRecord>();
  const pending = new Set(ids);
  await waitFor(`${ids.length} jobs to be final`, async () => {
    const batch = [...pending];
    for (let i = 0; i < batch.length; i += 50) {
      await Promise.all(batch.slice(i, i + 50).map(async (id) => {
        const record = await client.get(id);
        if (record && FINAL_STATUSES.has(record.status)) {
          records.set(id, record);
          pending.delete(id);
        }
      }));
    }
    return pending.size === 0;
  }, { timeoutMs, intervalMs: 1000 }).catch((error: Error) => {
    throw new Error(`${error.message}; not final: ${[...pending].slice(0, 10).join(', ')}${pending.size > 10 ? ` and ${pending.size - 10} more` : ''}`);
  });
  return records;
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
    backends,
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

/** What each test.chaos job of the run was asked to do. */
export interface Planned {
  readonly id: string;
  readonly tag: string;
  readonly failFirst: boolean;
  readonly children: number;
  readonly followUp: boolean;
}

/** Every way a planned job's outcome can differ from what the suite promises, in words (empty when none does). */
export async function violationsOf(planned: readonly Planned[], records: Map<string, JobRecord>): Promise<string[]> {
  const found: string[] = [];
  // Deliveries the worker gave up on after an AWS call failed every SDK attempt (logged with their
  // job): one that had claimed its job spent an attempt without running the handler, as a crash
  // between the claim and the handler does. Only those may leave a job's attempts above its runs.
  const abandoned = (await workerLogLines('could not process a message', new Date(Date.now() - 30 * 60_000))).map((line) => /"jobId":"([0-9A-Z]{26})"/.exec(line)?.[1]);
  for (let i = 0; i < planned.length; i += 50) await Promise.all(planned.slice(i, i + 50).map(async (job) => {
    const record = records.get(job.id)!;
    const expectedRuns = job.failFirst ? 2 : 1;
    const [runs, effects] = await Promise.all([handlerRuns(job.id), handlerRuns(`effect:${job.id}`)]);
    if (record.status !== 'succeeded') found.push(`${job.id} ended ${record.status}: ${record.lastError?.message ?? ''}`);
    if (runs !== expectedRuns) found.push(`${job.id} ran its handler ${runs}× (expected ${expectedRuns})`);
    const givenUp = abandoned.filter((id) => id === job.id).length;
    if (record.attempt < runs || record.attempt > runs + givenUp) found.push(`${job.id} is on attempt ${record.attempt} after ${runs} handler runs and ${givenUp} deliveries given up after an AWS failure`);
    if (effects !== 1) found.push(`${job.id} did its once-guarded effect ${effects}×`);
    if (job.children > 0 && (record.childrenDone !== job.children || record.childrenFailed !== 0)) found.push(`${job.id} counts ${record.childrenDone}/${job.children} children done, ${record.childrenFailed} failed`);
    for (let i = 0; i < job.children; i++) {
      const childRuns = await handlerRuns(`value:${job.tag}-child-${i}`);
      if (childRuns !== 1) found.push(`${job.id}'s child ${i} ran ${childRuns}×`);
    }
  }));
  return found;
}

const ROOT = new URL('../../../', import.meta.url).pathname;
/** The reliability suite's saved figures, which RELIABILITY.md quotes (written by `npm run reliability`). */
export const RELIABILITY_RESULTS = `${ROOT}bench/results/reliability.json`;

/**
 * Saves one test's printed figures into bench/results/reliability.json, under the test's name,
 * with when, on what and at which commit they were measured — only when JOBLINE_SAVE_RESULTS is
 * 1 (`npm run reliability` sets it), so that `npm test`'s smaller runs never replace them.
 */
export function saveReliabilityFigures(test: string, figures: Record<string, unknown>): void {
  if (process.env.JOBLINE_SAVE_RESULTS !== '1') return;
  const saved = existsSync(RELIABILITY_RESULTS) ? (JSON.parse(readFileSync(RELIABILITY_RESULTS, 'utf8')) as { tests?: Record<string, unknown> }) : {};
  const measured = { measuredAt: new Date().toISOString(), commit: commitMeasured(ROOT), node: process.version, emulator: `ministack ${MINISTACK_VERSION}`, figures };
  const tests = { ...saved.tests, [test]: measured };
  writeFileSync(RELIABILITY_RESULTS, `${JSON.stringify({ ...saved, tests: Object.fromEntries(Object.entries(tests).sort(([a], [b]) => a.localeCompare(b))) }, null, 2)}\n`);
}
