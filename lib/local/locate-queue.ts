import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CONFIG_ENV, parseConfig, type JoblineConfig } from '../config.js';
import { findLocalEnvironment, useLocalEnvironment, type FoundEnvironment } from './environment-file.js';
import { QueueChoiceError } from '../errors.js';
import { chooseQueue, describeStacks, outputsOf, queuesOf, type ChoiceWords } from './stack-queues.js';

/** Which queue to find, and where to start looking. */
export interface LocateOptions {
  /** The stack whose queue to use. @default the only stack with a jobline queue (among those the environment file names, when there is one) */
  readonly stack?: string | undefined;
  /** The queue's id in its stack (`JoblineConfig<id>`), when the stack has several. */
  readonly queue?: string | undefined;
  /** Where the environment file is looked for (up to the project's root). @default process.cwd() */
  readonly cwd?: string | undefined;
  /** The environment to read, and to point at the emulator when the file is used. @default process.env */
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** How a hint names the choice. */
  readonly words?: ChoiceWords | undefined;
}

/** A queue found, and where its requests go. */
export interface QueueTarget {
  readonly config: JoblineConfig;
  /** Undefined when the config came from `JOBLINE_CONFIG`. */
  readonly stackName?: string | undefined;
  readonly queueId?: string | undefined;
  readonly apiUrl?: string | undefined;
  /** Where requests go, in words (the CLI prints it first). */
  readonly target: string;
  /** The environment file used, if one was. */
  readonly local?: FoundEnvironment | undefined;
}

const LOAD_CONFIG_WORDS: ChoiceWords = { stack: "loadConfig({ stack: '<name>' })", queue: "loadConfig({ stack, queue: '<id>' })" };

/**
 * Finds a deployed queue: `JOBLINE_CONFIG` when set; else the stacks the project's
 * `.jobline/environment.json` names, on the local emulator it names (when no AWS target
 * is set: see `findLocalEnvironment`); else every stack of the SDK's region. The one
 * queue among them that `stack` and `queue` pick is the answer; none or several is a
 * {@link QueueChoiceError} that lists what there is and says how to choose.
 */
export async function locateQueue(options: LocateOptions = {}): Promise<QueueTarget> {
  const env = options.env ?? process.env;
  const { found, ignored } = findLocalEnvironment(options.cwd ?? process.cwd(), env);
  if (found) useLocalEnvironment(found, env);
  const target = describeTarget(env, found, ignored);
  const fromEnv = env[CONFIG_ENV];
  if (fromEnv) return { config: parseConfig(fromEnv, CONFIG_ENV), target: `${target}, config from ${CONFIG_ENV}`, local: found };

  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const endpoint = env.AWS_ENDPOINT_URL;
  const names = options.stack ? [options.stack] : found ? Object.keys(found.stacks) : undefined;
  const stacks = await describeStacks(new CloudFormationClient({}), names);
  const queues = stacks.flatMap((stack) => queuesOf(stack.StackName ?? '', outputsOf(stack), endpoint));
  if (found && !options.stack && queues.length === 0) {
    throw new QueueChoiceError(`none of the stacks ${found.file} names (${names!.join(', ') || 'none'}) is deployed at ${found.endpoint} (an emulator forgets its stacks when it stops): run \`npx jobline deploy --local\` again`);
  }
  const where = `in ${region ?? 'the default region'}${endpoint ? ` at ${endpoint}` : ''}`;
  const queue = chooseQueue(queues, options, where, options.words ?? LOAD_CONFIG_WORDS);
  return { config: queue.config, stackName: queue.stackName, queueId: queue.queueId, apiUrl: queue.apiUrl, target: `${target}, stack ${queue.stackName} (queue ${queue.queueId})`, local: found };
}

/**
 * The config of a deployed queue, for scripts and tests: `new JobClient({ jobs, config: await loadConfig() })`.
 * Found as `locateQueue` says. When it comes from the local emulator's environment
 * file, this process's AWS SDK clients are pointed at that emulator too (its endpoint,
 * region and dummy credentials), so the client built from it reaches it.
 */
export async function loadConfig(options: Omit<LocateOptions, 'words'> = {}): Promise<JoblineConfig> {
  return (await locateQueue(options)).config;
}

/** Where an SDK client made now would send its requests, in words. */
function describeTarget(env: NodeJS.ProcessEnv, found: FoundEnvironment | undefined, ignored: string | undefined): string {
  if (found) return `the local emulator at ${found.endpoint} (${found.region}, from ${found.file})`;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'the profile\'s region';
  return `AWS${env.AWS_ENDPOINT_URL ? ` at ${env.AWS_ENDPOINT_URL}` : ''} in ${region}${env.AWS_PROFILE ? `, profile ${env.AWS_PROFILE}` : ''}${ignored ? ` (${ignored})` : ''}`;
}
