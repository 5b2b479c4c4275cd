import type { Command } from 'commander';
import { deployLocal } from '../lib/local/deploy-local.js';
import { DEFAULT_ENDPOINT, ensureEmulator, MINISTACK_VERSION, probeEndpoint, startedEmulator, stopEmulator } from '../lib/local/emulator.js';
import { projectRoot } from '../lib/local/environment-file.js';
import { LOCAL_OPERATOR } from '../lib/local/local-operator.js';
import { EXIT } from './exit-codes.js';
import { CliError } from './target.js';

/**
 * The commands of a developer's loop in their own project: `jobline emulator start|stop|status`
 * and `jobline deploy --local` (their app's `cdk deploy` to the emulator, fixed up, recorded).
 * With `--json` (`json()`), each prints one JSON object on stdout instead of its lines (progress
 * goes to stderr either way).
 */
export function addLocalCommands(program: Command, port: (value: string) => number, json: () => boolean): void {
  const log = (line: string) => console.error(line);
  /** The command's answer: `words` for a person, `value` as JSON for a script. */
  const answer = (value: unknown, words: string) => console.log(json() ? JSON.stringify(value, null, 2) : words);
  const emulator = program.command('emulator').description(`the local AWS emulator (ministack ${MINISTACK_VERSION}, in this project's .jobline/venv, on 127.0.0.1)`);
  emulator.command('start').description('start it and leave it running (or say which emulator already answers)')
    .option('--port <port>', 'port on 127.0.0.1 (default: the port of AWS_ENDPOINT_URL, else 4566)', port)
    .action(async (options: { port?: number }) => {
      const started = await ensureEmulator({ projectDir: projectRoot(process.cwd()), port: options.port, keepRunning: true, log });
      answer({ endpoint: started.endpoint, started: started.started }, started.started ? `emulator: up at ${started.endpoint}; stop it with \`npx jobline emulator stop\`` : `emulator: already answering at ${started.endpoint} (left as it is)`);
    });
  emulator.command('stop').description('stop the emulator `jobline emulator start` started in this project')
    .action(async () => {
      const { stopped, endpoint } = await stopEmulator(projectRoot(process.cwd()));
      answer({ stopped, endpoint }, stopped ? `emulator: stopped (${endpoint})` : 'emulator: none was started by jobline in this project (an emulator you started yourself stays up)');
    });
  emulator.command('status').description(`what answers where the emulator would be (exit code ${EXIT.unreachable} when nothing does)`)
    .option('--port <port>', 'port on 127.0.0.1', port)
    .action(async (options: { port?: number }) => {
      const ours = startedEmulator(projectRoot(process.cwd()));
      const endpoint = options.port ? `http://127.0.0.1:${options.port}` : process.env.AWS_ENDPOINT_URL ?? ours?.endpoint ?? DEFAULT_ENDPOINT;
      const found = await probeEndpoint(endpoint);
      const startedHere = ours?.endpoint === endpoint ? { pid: ours.pid } : undefined;
      const value = { endpoint, answers: found, ...(startedHere ? { startedByJobline: startedHere } : {}) };
      if (found === 'nothing') {
        answer(value, `emulator: nothing answers at ${endpoint}; start one with \`npx jobline emulator start\``);
        process.exitCode = EXIT.unreachable;
        return;
      }
      const by = startedHere ? `, started by jobline in this project (pid ${startedHere.pid})` : '';
      answer(value, `emulator: ${found === 'other' ? 'an HTTP server that is not ministack or LocalStack' : found} answers at ${endpoint}${by}`);
    });

  program.command('deploy').description('deploy your CDK app (all stacks, or the named ones) to the local emulator with your own cdk, and record it for the CLI and jobline/testing')
    .argument('[stacks...]', 'stack names (default: all)')
    .option('--local', 'to the local emulator (the only target: deploy to AWS with `npx cdk deploy`)')
    .option('--port <port>', 'the emulator\'s port on 127.0.0.1, if one has to be started', port)
    .action(async (stacks: string[], options: { local?: boolean; port?: number }) => {
      if (!options.local) throw new CliError('jobline deploy deploys to the local emulator only: pass --local (deploy to AWS with your own `npx cdk deploy`)', EXIT.usage);
      const projectDir = projectRoot(process.cwd());
      const started = await ensureEmulator({ projectDir, port: options.port, keepRunning: true, log });
      const deployment = await deployLocal({ projectDir, endpoint: started.endpoint, stacks, log });
      if (json()) {
        answer({
          endpoint: deployment.endpoint,
          region: deployment.region,
          environmentFile: deployment.environmentFile,
          emulatorStarted: started.started,
          stacks: deployment.stacks.map((stack) => ({
            stackName: stack.stackName,
            queues: stack.queues.map((queue) => ({ queueId: queue.queueId, lanes: Object.keys(queue.config.lanes), tableName: queue.config.tableName, ...(queue.apiUrl ? { enqueueApi: `${queue.apiUrl}/jobs` } : {}) })),
            dashboards: stack.dashboards.map((dashboard) => ({ url: dashboard.url, username: LOCAL_OPERATOR.username, password: LOCAL_OPERATOR.password })),
          })),
        }, '');
        return;
      }
      for (const stack of deployment.stacks) {
        console.log(`${stack.stackName} on the local emulator at ${deployment.endpoint} (${deployment.region})`);
        for (const queue of stack.queues) {
          console.log(`  queue ${queue.queueId}: lanes ${Object.keys(queue.config.lanes).join(', ')}; table ${queue.config.tableName}${queue.apiUrl ? `\n    enqueue API: ${queue.apiUrl}/jobs` : ''}`);
        }
        for (const dashboard of stack.dashboards) console.log(`  web dashboard: ${dashboard.url}\n    sign in as "${LOCAL_OPERATOR.username}", password "${LOCAL_OPERATOR.password}" (added to the emulator's user pool)`);
        if (stack.queues.length === 0) console.log('  (no jobline queue in this stack)');
      }
      console.log(`recorded in ${deployment.environmentFile}: \`npx jobline jobs ls\`, \`loadConfig()\` and jobline/testing find it there${started.started ? `\nthe emulator keeps running: \`npx jobline emulator stop\` stops it` : ''}`);
    });
}
