import { DescribeStacksCommand, type CloudFormationClient, type Stack } from '@aws-sdk/client-cloudformation';
import { parseConfig, type JoblineConfig } from '../config.js';
import { DASHBOARD_OUTPUTS, QUEUE_OUTPUTS } from '../stack-outputs.js';
import { QueueChoiceError } from '../errors.js';

/** A deployed `JobQueue`: its stack, its id there, its config and its enqueue API. */
export interface DeployedQueue {
  readonly stackName: string;
  /** The queue's id in its stack's output names (`JoblineConfig<queueId>`). */
  readonly queueId: string;
  readonly config: JoblineConfig;
  /** The enqueue API's base URL (`…/jobs` hangs off it), when the queue has one. */
  readonly apiUrl?: string | undefined;
  /** Every output of the queue's stack, by its key. */
  readonly outputs: Readonly<Record<string, string>>;
}

/** A deployed `WebDashboard`. */
export interface DeployedDashboard {
  readonly stackName: string;
  readonly url: string;
  readonly userPoolId?: string | undefined;
  /** The user-pool group whose members may act on jobs. */
  readonly operatorsGroup?: string | undefined;
}

/** What to name in a hint: the CLI's options, or `loadConfig`'s. */
export interface ChoiceWords {
  readonly stack: string;
  readonly queue: string;
}

/**
 * The queues of a stack's outputs. `endpoint` is the emulator's, when there is one: an
 * API's URL is then the emulator's path to it (an `execute-api` host name resolves only on AWS).
 */
export function queuesOf(stackName: string, outputs: Readonly<Record<string, string>>, endpoint?: string): DeployedQueue[] {
  return Object.entries(outputs)
    .filter(([key]) => key.startsWith(QUEUE_OUTPUTS.config))
    .map(([key, json]) => {
      const queueId = key.slice(QUEUE_OUTPUTS.config.length);
      const apiId = outputs[`${QUEUE_OUTPUTS.apiId}${queueId}`];
      return {
        stackName,
        queueId,
        config: parseConfig(json, `the ${key} output of stack ${stackName}`),
        apiUrl: apiId && endpoint ? `${endpoint}/_aws/execute-api/${apiId}/$default` : outputs[`${QUEUE_OUTPUTS.apiUrl}${queueId}`],
        outputs,
      };
    });
}

/** The web dashboards of a stack's outputs; their URLs on the emulator when `endpoint` is given. */
export function dashboardsOf(stackName: string, outputs: Readonly<Record<string, string>>, endpoint?: string): DeployedDashboard[] {
  return Object.entries(outputs)
    .filter(([key]) => key.startsWith(DASHBOARD_OUTPUTS.apiId))
    .map(([key, apiId]) => {
      const id = key.slice(DASHBOARD_OUTPUTS.apiId.length);
      return {
        stackName,
        url: endpoint ? `${endpoint}/_aws/execute-api/${apiId}/` : outputs[`${DASHBOARD_OUTPUTS.url}${id}`] ?? '',
        userPoolId: outputs[`${DASHBOARD_OUTPUTS.userPoolId}${id}`],
        operatorsGroup: outputs[`${DASHBOARD_OUTPUTS.operatorsGroup}${id}`],
      };
    });
}

/** The outputs of a described stack, by key. */
export function outputsOf(stack: Stack): Record<string, string> {
  return Object.fromEntries((stack.Outputs ?? []).filter((o) => o.OutputKey && o.OutputValue !== undefined).map((o) => [o.OutputKey!, o.OutputValue!]));
}

/**
 * The stacks the SDK's target region holds — `stackNames` only, when given — with their
 * outputs. A named stack that does not exist is left out.
 */
export async function describeStacks(cloudformation: CloudFormationClient, stackNames?: readonly string[]): Promise<Stack[]> {
  if (stackNames) {
    const found = await Promise.all(stackNames.map(async (name) => {
      try {
        return (await cloudformation.send(new DescribeStacksCommand({ StackName: name }))).Stacks ?? [];
      } catch (error) {
        if (/does not exist/.test((error as Error).message)) return [];
        throw error;
      }
    }));
    return found.flat();
  }
  const stacks: Stack[] = [];
  let token: string | undefined;
  do {
    const page = await cloudformation.send(new DescribeStacksCommand({ NextToken: token }));
    stacks.push(...(page.Stacks ?? []));
    token = page.NextToken;
  } while (token);
  return stacks.filter((s) => s.StackStatus !== 'DELETE_COMPLETE');
}

/**
 * The one queue among `queues` that `wanted` names (or the only one); otherwise a
 * {@link QueueChoiceError} that lists the candidates and says how to choose, in `words`.
 * `where` says where the candidates were looked for (a region, an endpoint).
 */
export function chooseQueue(queues: readonly DeployedQueue[], wanted: { stack?: string | undefined; queue?: string | undefined }, where: string, words: ChoiceWords): DeployedQueue {
  const inStack = wanted.stack ? queues.filter((q) => q.stackName === wanted.stack) : queues;
  const matching = wanted.queue ? inStack.filter((q) => q.queueId === wanted.queue) : inStack;
  if (matching.length === 1) return matching[0]!;
  const listed = (list: readonly DeployedQueue[]) => list.map((q) => `${q.stackName} (queue ${q.queueId})`).join(', ');
  if (matching.length === 0) {
    if (wanted.queue && inStack.length > 0) throw new QueueChoiceError(`stack ${wanted.stack ?? inStack[0]!.stackName} has no queue "${wanted.queue}"; its queues: ${inStack.map((q) => q.queueId).join(', ')}`);
    if (wanted.stack) throw new QueueChoiceError(`no stack "${wanted.stack}" with a jobline queue ${where}${queues.length > 0 ? `; the stacks with one: ${[...new Set(queues.map((q) => q.stackName))].join(', ')}` : ''}: choose one with ${words.stack}`);
    throw new QueueChoiceError(`no stack ${where} has a jobline queue (an output named ${QUEUE_OUTPUTS.config}…): deploy one (\`npx jobline deploy --local\` for the local emulator, \`npx cdk deploy\` for AWS), or set JOBLINE_CONFIG to a queue's config`);
  }
  const stacks = new Set(matching.map((q) => q.stackName));
  const how = stacks.size > 1 ? words.stack : words.queue;
  throw new QueueChoiceError(`${matching.length} jobline queues ${where}: ${listed(matching)}; choose one with ${how}`);
}
