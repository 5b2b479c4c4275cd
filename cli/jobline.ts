#!/usr/bin/env node
/**
 * `jobline`: the operator's and developer's CLI. Queue commands find their queue by
 * themselves (see lib/local/locate-queue.ts: JOBLINE_CONFIG, the project's
 * .jobline/environment.json, or the one stack with a jobline queue) and print where they go
 * first; `--stack <name>` and `--queue <id>` choose among several; `--json` prints JSON.
 *
 *   jobline emulator start|stop|status                    jobline deploy --local [stacks...]
 *   jobline jobs ls [--status failed] [--kind k]           jobline jobs show <id>
 *   jobline jobs retry|cancel|discard <id...>              jobline jobs count [--since 7d]
 *   jobline jobs result <id> [--wait 30]                  jobline jobs ls|count --tag customer:42
 *   jobline jobs find <kind> <unique key>                jobline jobs bulk retry --kind k [--yes | --resume id]
 *   jobline lanes    jobline kinds [--since 6h]    jobline dlq ls [lane]    jobline dlq redrive [lane] [--kind k...]
 *   jobline pause|resume <lane>                           jobline enqueue <kind> '<json>'
 *   jobline ui   (the web dashboard, on 127.0.0.1)
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { JobApiClient } from 'jobline/api';
import { JobInspector, laneCostsOf } from 'jobline/inspector';
import { isJobId } from 'jobline';
import { JOB_STATUSES, type JobStatus } from 'jobline';
import { ENVIRONMENT_FILE, findLocalEnvironment } from '../lib/local/environment-file.js';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js';
import { addLocalCommands } from './local-commands.js';
import { addBulkCommand } from './bulk-command.js';
import { CliError, openTarget } from './target.js';
import { printCounts, printDeadLetters, printJob, printJobs, printKindCosts, printLanes, printResult, printResults } from './output.js';
import { startUi } from '../web/local-server.js';

interface GlobalOptions {
  readonly stack?: string;
  readonly queue?: string;
  readonly json: boolean;
}

/** The environment as the user set it (finding a queue may point this process at the emulator). */
const userEnvironment = { ...process.env };
// The SDK's notice about its own future Node versions says nothing an operator can act on: the CLI pins its SDK.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const program = new Command('jobline')
  .version(packageVersion())
  .description(`Run your app's jobs locally, and inspect and manage the jobs of a deployed jobline stack (AWS credentials and region from the environment; after \`jobline deploy --local\`, the local emulator named in ${ENVIRONMENT_FILE}).`)
  .option('--stack <name>', 'the stack whose jobline queue to use (default: the only one there is)', process.env.JOBLINE_STACK)
  .option('--queue <id>', 'the queue\'s id, when the stack has several (JoblineConfig<id> outputs)')
  .option('--json', 'print JSON instead of tables', false)
  .addHelpText('after', `\n${EXIT_CODES_HELP}`)
  // Usage errors end the run with EXIT.usage (commander's own exit is 1, which scripts read as a failed action).
  .exitOverride()
  .showHelpAfterError();

const globals = () => program.opts<GlobalOptions>();
const target = () => openTarget(globals());
const inspector = async () => new JobInspector({ config: (await target()).config });
/** A job id as typed: any case (ids are upper-case Crockford base-32; a pasted lower-case one is the same id). */
const jobId = (value: string) => {
  const id = value.toUpperCase();
  if (!isJobId(id)) throw new InvalidArgumentError(`"${value}" is not a job id (26 characters of Crockford base-32)`);
  return id;
};
/**
 * `kinds` as named, each a kind of the queue — when its config lists them (a stack output of this
 * version or later; a config from JOBLINE_CONFIG or an older stack does not, and then any name passes).
 */
const knownKinds = async (kinds: readonly string[]) => {
  const known = (await target()).config.kinds;
  const unknown = known ? kinds.filter((kind) => !known.includes(kind)) : [];
  if (unknown.length > 0) throw new CliError(`${unknown.map((kind) => `"${kind}"`).join(', ')} ${unknown.length === 1 ? 'is not a kind' : 'are not kinds'} of this queue; its kinds: ${known!.join(', ')}`, EXIT.notFound);
  return kinds;
};
/** The lane named, or the only lane there is. */
const laneOf = async (lane: string | undefined) => {
  const lanes = Object.keys((await target()).config.lanes);
  if (lane) return lane;
  if (lanes.length === 1) return lanes[0]!;
  throw new CliError(`name a lane: this queue has ${lanes.join(', ')}`, EXIT.usage);
};

addLocalCommands(program, (v) => positiveInt(v, 65_535), () => globals().json);

const jobs = program.command('jobs').description('list, show, retry, cancel and discard jobs');
jobs.command('ls')
  .description('list jobs, newest first (all statuses unless --status)')
  .addOption(new Option('--status <status>', 'jobs in this status').choices(JOB_STATUSES))
  .option('--kind <kind>', 'only this kind')
  .option('--parent <id>', 'the children of this parent job', jobId)
  .option('--tag <tag>', 'the jobs carrying this tag (whenever created)')
  .option('--limit <n>', 'at most this many (1–1000)', (v) => positiveInt(v, 1000), 50)
  .option('--before <id>', 'the page after this id (printed as "next")', jobId)
  .option('--since <age>', 'only jobs created within this age, like 30m, 6h or 7d (default 24h)', since)
  .action(async (options: { status?: JobStatus; kind?: string; parent?: string; tag?: string; limit: number; before?: string; since?: Date }) => {
    if (options.kind) await knownKinds([options.kind]);
    const page = await (await inspector()).list({ status: options.status, kind: options.kind, parentId: options.parent, tag: options.tag, limit: options.limit, before: options.before, since: options.since });
    printJobs(page, globals().json);
  });
jobs.command('count')
  .description('scheduled, retrying, waiting, failed and cancelled jobs per lane (queued and running: see `lanes`); with --tag, the jobs carrying a tag')
  .option('--since <age>', 'only jobs created within this age, like 30m, 6h or 7d (default 24h)', since)
  .option('--tag <tag>', 'count the jobs carrying this tag instead (whenever created)')
  .action(async (options: { since?: Date; tag?: string }) => {
    if (options.tag === undefined) return printCounts(await (await inspector()).counts({ since: options.since }), globals().json);
    const counted = await (await inspector()).countTagged(options.tag);
    if (globals().json) console.log(JSON.stringify({ tag: options.tag, ...counted }, null, 2));
    else console.log(`${options.tag}: ${counted.count}${counted.complete ? '' : '+ (stopped reading: a lower bound)'} job${counted.count === 1 ? '' : 's'}`);
  });
jobs.command('find').description('the job a unique kind enqueued for a key (its `unique.key` of the payload: an order id, an email)')
  .argument('<kind>').argument('<key>')
  .action(async (kind: string, key: string) => {
    await knownKinds([kind]);
    const job = await (await inspector()).findUnique(kind, key);
    if (!job) throw new CliError(`no job of ${kind} holds the key ${JSON.stringify(key)} (the kind is not unique, no job took it, or its claim expired)`, EXIT.notFound);
    printJob(job, globals().json);
  });
jobs.command('show').description('show one job: payload (if kept), attempts, errors, timeline, children').argument('<id>', 'job id', jobId)
  .action(async (id: string) => {
    const job = await (await inspector()).get(id);
    if (!job) throw new CliError(`no job ${id} (it may never have existed, or its retention ended)`, EXIT.notFound);
    printJob(job, globals().json);
  });
jobs.command('result').description(`a job's result, or why it has none (exit ${EXIT.pending} while it has not finished, ${EXIT.failed} when it failed or its result was too large to keep, ${EXIT.notFound} when it is not found or expired)`)
  .argument('<id>', 'job id', jobId)
  .option('--wait <seconds>', 'wait up to this long for a job that has not finished (0–900)', (v) => nonNegativeInt(v, 900), 0)
  .action(async (id: string, options: { wait: number }) => {
    const answer = await (await inspector()).result(id, { waitSeconds: options.wait });
    printResult(answer, globals().json);
    process.exitCode = RESULT_EXIT[answer.state];
  });
/** `jobs result`'s exit code for each answer. */
const RESULT_EXIT = { succeeded: EXIT.ok, pending: EXIT.pending, failed: EXIT.failed, too_large: EXIT.failed, expired: EXIT.notFound, not_found: EXIT.notFound } as const;
addBulkCommand(jobs, { inspector, json: () => globals().json, knownKinds, since, count: (v) => positiveInt(v, 100_000) });
for (const action of ['retry', 'cancel', 'discard'] as const) {
  jobs.command(action)
    .description({ retry: 'retry failed or cancelled jobs with fresh attempts', cancel: 'cancel jobs that have not started', discard: 'delete failed or cancelled jobs' }[action])
    .argument('<ids...>', 'job ids', (value: string, previous: string[] = []) => [...previous, jobId(value)])
    .action(async (ids: string[]) => {
      const results = await (await inspector()).many(ids, action);
      printResults(action, results, globals().json);
      if (results.some((r) => !r.ok)) process.exitCode = EXIT.failed;
    });
}

const dlq = program.command('dlq').description('dead-letter queues');
dlq.command('ls').description('peek at a lane\'s DLQ (messages stay there)').argument('[lane]', 'the lane (default: the only one)')
  .option('--limit <n>', 'at most this many', (v) => positiveInt(v, 100), 10)
  .action(async (named: string | undefined, options: { limit: number }) => {
    const lane = await laneOf(named);
    printDeadLetters(lane, await (await inspector()).peekDeadLetters(lane, options.limit), globals().json);
  });
dlq.command('redrive').description('move a lane\'s DLQ messages back to its queue').argument('[lane]', 'the lane (default: the only one)')
  .option('--kind <kind...>', 'only these kinds')
  .action(async (named: string | undefined, options: { kind?: string[] }) => {
    if (options.kind) await knownKinds(options.kind);
    const report = await (await inspector()).redrive(await laneOf(named), { kinds: options.kind });
    console.log(globals().json ? JSON.stringify(report) : [`moved ${report.moved}, dropped ${report.dropped} (finished, retried since, discarded, or an earlier failure's copy), left ${report.left} (other kinds, unreadable, ${report.newer} newer than the redrive, ${report.errors.length} with errors)`, ...report.errors].join('\n'));
  });

program.command('lanes').description('every lane: queue and DLQ depths, how long its oldest job has waited, whether it is paused, and its kinds\' jobs and estimated AWS cost per day')
  .action(async () => {
    const operator = await inspector();
    const [lanes, costs] = await Promise.all([
      operator.laneDepths(),
      // The depths are what an operator came for: a cost that cannot be read is a line under them, not a failed command.
      (await target()).config.cost ? operator.kindCosts().then(laneCostsOf, (error: unknown) => `${(error as Error).message}`) : undefined,
    ]);
    printLanes(lanes, costs, globals().json);
  });
program.command('kinds').description('every kind: jobs per day and estimated AWS cost per day and per million jobs, from the worker\'s metrics and what `npm run bench:cost` measured for its path')
  .option('--since <age>', 'the window the worker\'s metrics are read over, like 30m, 6h or 7d (jobs per day scale from it)', since)
  .action(async (options: { since?: Date }) => printKindCosts(await (await inspector()).kindCosts({ since: options.since }), globals().json));
program.command('pause').description('stop taking jobs from a lane (they wait; attempts untouched)').argument('<lane>')
  .action(async (lane: string) => {
    await (await inspector()).pause(lane);
    console.log(globals().json ? JSON.stringify({ lane, paused: true }) : `lane ${lane} paused`);
  });
program.command('resume').description('take jobs from a paused lane again').argument('<lane>')
  .action(async (lane: string) => {
    await (await inspector()).resume(lane);
    console.log(globals().json ? JSON.stringify({ lane, paused: false }) : `lane ${lane} resumed`);
  });
program.command('enqueue').description('enqueue a job through the stack\'s HTTP API (validated there)').argument('<kind>').argument('<payload>', 'JSON payload')
  .option('--delay <seconds>', 'run after this many seconds', (v) => positiveInt(v, 365 * 86_400))
  .option('--run-at <time>', 'run at this ISO-8601 time')
  .action(async (kind: string, payload: string, options: { delay?: number; runAt?: string }) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch (error) {
      throw new CliError(`payload is not JSON: ${(error as Error).message}`, EXIT.usage);
    }
    const { apiUrl, stackName } = await target();
    if (!apiUrl) throw new CliError(`${stackName ? `stack ${stackName}` : 'this queue'} has no enqueue API: give its JobQueue \`api: { entry: 'src/api.ts' }\` (a file exporting \`handler = createEnqueueApi({ jobs }, { kinds })\` from jobline/api) and deploy again, or enqueue from code with JobClient`);
    const reply = await new JobApiClient({ baseUrl: apiUrl }).enqueue({ kind, payload: parsed, options: { delaySeconds: options.delay, runAt: options.runAt } });
    if (reply.status >= 400) throw new CliError(`the API refused the job (${reply.status}): ${(reply.body as { error?: { message?: string } }).error?.message ?? JSON.stringify(reply.body)}`);
    console.log(globals().json ? JSON.stringify(reply.body) : `enqueued ${(reply.body as { id: string }).id} (${(reply.body as { status: string }).status})`);
  });

program.command('ui').description('serve the web dashboard on 127.0.0.1 with your AWS credentials (open the printed URL)')
  .option('--port <port>', 'port to listen on', (v) => positiveInt(v, 65_535), 4700)
  .action(async (options: { port: number }) => {
    const server = await startUi(await inspector(), { port: options.port });
    console.log(globals().json ? JSON.stringify({ url: server.url }) : `jobline dashboard: ${server.url}\n(only this URL's token opens it; Ctrl-C stops it)`);
    await new Promise(() => {});
  });

/** `30m`, `6h`, `7d` → the time that long ago. */
function since(value: string): Date {
  const match = /^(\d+)(m|h|d)$/.exec(value);
  if (!match) throw new InvalidArgumentError('must be a number followed by m, h or d, like 30m, 6h or 7d');
  return new Date(Date.now() - Number(match[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd']);
}

function nonNegativeInt(value: string, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > max) throw new InvalidArgumentError(`must be a whole number from 0 to ${max}`);
  return n;
}

function positiveInt(value: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`must be a whole number from 1 to ${max}`);
  return n;
}

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander printed it (or the help, or the version) already.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    const { message, exitCode } = explain(error);
    console.error(`jobline: ${message}`);
    process.exitCode = exitCode;
  }
}

/** One plain line for the errors an operator meets — no credentials, no region, nothing listening, wrong input — saying what to set, and the exit code that says which. */
function explain(error: unknown): { message: string; exitCode: number } {
  const e = error as Error & { code?: string; cause?: { code?: string } };
  const unreachable = (message: string) => ({ message, exitCode: EXIT.unreachable });
  const localHint = `; for the local emulator, run \`npx jobline deploy --local\` in your project first (the CLI then finds it in ${ENVIRONMENT_FILE})`;
  if (e.name === 'CredentialsProviderError') return unreachable(`no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY${localHint}`);
  if (/region is missing/i.test(e.message ?? '')) return unreachable(`no AWS region: set AWS_REGION (or AWS_PROFILE, with a region in its profile)${localHint}`);
  const code = e.code ?? e.cause?.code;
  const local = localEnvironment();
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ECONNRESET') {
    if (local) return unreachable(`cannot reach the local emulator at ${local.endpoint} (${code}), named in ${local.file}: start it with \`npx jobline emulator start\` and deploy again with \`npx jobline deploy --local\`, or set AWS_ENDPOINT_URL or AWS_PROFILE to use another target`);
    return unreachable(`cannot reach AWS at ${process.env.AWS_ENDPOINT_URL ?? 'the default endpoint'} (${code}): is AWS_ENDPOINT_URL right, and is the emulator running?`);
  }
  const message = e.message ?? String(error);
  if (error instanceof CliError) return { message, exitCode: error.exitCode };
  if (e.name === 'QueueChoiceError' || e.name === 'UnknownLaneError') return { message, exitCode: EXIT.notFound };
  return { message, exitCode: EXIT.failed };
}

/** The local environment file the user's settings select, if any (for error hints; a broken file says so elsewhere). */
function localEnvironment(): { endpoint: string; file: string } | undefined {
  try {
    return findLocalEnvironment(process.cwd(), userEnvironment).found;
  } catch {
    return undefined;
  }
}

/** The installed package's version (dist/cli/jobline.js sits two folders below package.json). */
function packageVersion(): string {
  for (const path of ['../../package.json', '../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      // not there: the next candidate
    }
  }
  return 'unknown';
}
