import { JobClient, type JobClientOptions } from '../client/job-client.js';
import { JobInspector } from '../inspector/job-inspector.js';
import type { JobRecord } from '../job-record.js';
import type { JobStatus } from '../job-status.js';
import { deployLocal } from '../local/deploy-local.js';
import { ensureEmulator } from '../local/emulator.js';
import { ENVIRONMENT_FILE, projectRoot, readEnvironmentFile, useLocalEnvironment, type LocalEnvironment } from '../local/environment-file.js';
import { sentMail, type SentMail } from '../local/sent-mail.js';
import { chooseQueue, type DeployedDashboard, type DeployedQueue } from '../local/stack-queues.js';
import type { DeadLetter } from '../transport/lane-admin.js';
import { join } from 'node:path';

/** Where your app is, and what of it to deploy. */
export interface StartLocalAppOptions {
  /** Your CDK app's folder. @default the project `process.cwd()` is in (nearest `package.json`) */
  readonly projectDir?: string | undefined;
  /** The stacks to deploy. @default all of the app's stacks */
  readonly stacks?: readonly string[] | undefined;
  /** The emulator's port on 127.0.0.1, when one has to be started. @default the port of AWS_ENDPOINT_URL, else 4566 */
  readonly port?: number | undefined;
  /** Progress lines. @default to stderr */
  readonly log?: ((line: string) => void) | undefined;
}

/** Which of the deployed queues a helper works on: needed only when there are several. */
export interface QueueChoice {
  readonly stack?: string | undefined;
  readonly queue?: string | undefined;
}

/** Your app, deployed to the local emulator: clients and helpers for its tests. */
export interface LocalApp {
  readonly endpoint: string;
  readonly region: string;
  /** True when {@link startLocalApp} started the emulator (and `stop` ends it). */
  readonly emulatorStarted: boolean;
  /** The deployed stacks' names. */
  readonly stacks: readonly string[];
  /** The web dashboards deployed, their URLs on the emulator (sign in as `dev`, password `Jobline-dev-2026`). */
  readonly dashboards: readonly DeployedDashboard[];
  /** A deployed stack's outputs, by key (the only stack's, when there is one). */
  outputs(stack?: string): Readonly<Record<string, string>>;
  /** The base URL of one of your HTTP APIs (API Gateway v2, `$default` stage) on the emulator, by its id. */
  httpApiUrl(apiId: string): string;
  /** A deployed queue: its config and enqueue API URL. */
  queue(choice?: QueueChoice): DeployedQueue;
  /** A `JobClient` for a deployed queue. */
  client(options: Omit<JobClientOptions, 'config'> & QueueChoice): JobClient;
  /** A `JobInspector` for a deployed queue. */
  inspector(choice?: QueueChoice): JobInspector;
  /**
   * Waits until job `id` is in `status` (one of them, for a list) and returns its record. Fails
   * at once when the job settles in another final status, and after `timeoutMs` (default 60 s),
   * naming the status it was in.
   */
  waitForJob(id: string, status: JobStatus | readonly JobStatus[], options?: QueueChoice & { timeoutMs?: number }): Promise<JobRecord>;
  /** Up to `limit` messages of a lane's DLQ (they stay there). @default lane "default", limit 10 */
  deadLetters(lane?: string, options?: QueueChoice & { limit?: number }): Promise<DeadLetter[]>;
  /** Every email the emulator's SES accepted, oldest first (ministack only). */
  sentMail(): Promise<SentMail[]>;
  /** Stops the emulator if {@link startLocalApp} started it; otherwise does nothing. */
  stop(): Promise<void>;
}

const FINAL: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

/**
 * For your integration tests' global setup: starts the local emulator (or reuses the one
 * answering at AWS_ENDPOINT_URL or on the port), deploys your app to it with your own
 * `cdk` (`jobline deploy --local`), and returns helpers for it. Test files then call
 * {@link connectLocalApp}. Call `stop()` at teardown.
 *
 * ```ts
 * // vitest.config.ts: test: { globalSetup: ['test/local-app.ts'] }
 * export default async function setup() {
 *   const app = await startLocalApp();
 *   return () => app.stop();
 * }
 * ```
 */
export async function startLocalApp(options: StartLocalAppOptions = {}): Promise<LocalApp> {
  const projectDir = options.projectDir ?? projectRoot(process.cwd());
  const log = options.log ?? ((line: string) => console.error(line));
  const emulator = await ensureEmulator({ projectDir, port: options.port, log });
  try {
    const deployment = await deployLocal({ projectDir, endpoint: emulator.endpoint, stacks: options.stacks, log });
    return localApp(readEnvironmentFile(deployment.environmentFile!), emulator.started, emulator.stop);
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}

/**
 * For a test file, after the global setup ran {@link startLocalApp} (or after
 * `npx jobline deploy --local`): the app deployed to the local emulator, as the project's
 * `.jobline/environment.json` records it. Points this process's AWS SDK at the emulator.
 */
export function connectLocalApp(options: { projectDir?: string | undefined } = {}): LocalApp {
  const projectDir = options.projectDir ?? projectRoot(process.cwd());
  return localApp(readEnvironmentFile(join(projectDir, ENVIRONMENT_FILE)), false, async () => {});
}

function localApp(environment: LocalEnvironment & { file: string }, emulatorStarted: boolean, stop: () => Promise<void>): LocalApp {
  useLocalEnvironment(environment);
  const queues: DeployedQueue[] = Object.entries(environment.stacks).flatMap(([stackName, stack]) =>
    Object.entries(stack.queues).map(([queueId, queue]) => ({ stackName, queueId, config: queue.config, apiUrl: queue.apiUrl, outputs: stack.outputs })));
  const words = { stack: '{ stack: \'<name>\' }', queue: '{ stack, queue: \'<id>\' }' };
  const queue = (choice: QueueChoice = {}) => chooseQueue(queues, choice, `in ${environment.file}`, words);
  const inspectors = new Map<DeployedQueue, JobInspector>();
  const inspector = (choice?: QueueChoice) => {
    const chosen = queue(choice);
    if (!inspectors.has(chosen)) inspectors.set(chosen, new JobInspector({ config: chosen.config }));
    return inspectors.get(chosen)!;
  };
  return {
    endpoint: environment.endpoint,
    region: environment.region,
    emulatorStarted,
    stacks: Object.keys(environment.stacks),
    dashboards: Object.entries(environment.stacks).flatMap(([stackName, stack]) => (stack.dashboards ?? []).map((d) => ({ stackName, url: d.url, userPoolId: d.userPoolId }))),
    outputs(stack) {
      const names = Object.keys(environment.stacks);
      const name = stack ?? (names.length === 1 ? names[0] : undefined);
      if (!name || !environment.stacks[name]) throw new Error(`name one of the deployed stacks: ${names.join(', ')}`);
      return environment.stacks[name]!.outputs;
    },
    queue,
    httpApiUrl: (apiId) => `${environment.endpoint}/_aws/execute-api/${apiId}/$default`,
    client: ({ stack, queue: queueId, ...options }) => new JobClient({ ...options, config: queue({ stack, queue: queueId }).config }),
    inspector,
    async waitForJob(id, status, options = {}) {
      const wanted: readonly JobStatus[] = typeof status === 'string' ? [status] : status;
      const deadline = Date.now() + (options.timeoutMs ?? 60_000);
      let record: JobRecord | undefined;
      for (;;) {
        record = await inspector(options).get(id);
        if (record && wanted.includes(record.status)) return record;
        if (record && FINAL.includes(record.status)) throw new Error(`job ${id} ended ${record.status}, not ${wanted.join(' or ')}${record.lastError ? `: ${record.lastError.message}` : ''}`);
        if (Date.now() > deadline) throw new Error(`job ${id} was not ${wanted.join(' or ')} within ${options.timeoutMs ?? 60_000} ms; it is ${record?.status ?? 'not found'}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    deadLetters: (lane = 'default', options = {}) => inspector(options).peekDeadLetters(lane, options.limit ?? 10),
    sentMail: () => sentMail(environment.endpoint),
    stop,
  };
}
