import { InvalidArgumentError, Option, type Command } from 'commander';
import { JOB_STATUSES, type JobStatus } from 'jobline';
import type { BulkActionName, BulkReport, JobInspector } from 'jobline/inspector';
import { EXIT } from './exit-codes.js';
import { clip, formatTable } from './output.js';

/** What `jobs bulk` needs from the rest of the CLI. */
export interface BulkCommandParts {
  readonly inspector: () => Promise<JobInspector>;
  readonly json: () => boolean;
  readonly knownKinds: (kinds: readonly string[]) => Promise<readonly string[]>;
  readonly since: (value: string) => Date;
  readonly count: (value: string) => number;
}

interface BulkCommandOptions {
  readonly status?: JobStatus;
  readonly kind?: string;
  readonly tag?: string;
  readonly since?: Date;
  readonly until?: Date;
  readonly dryRun: boolean;
  readonly yes: boolean;
  readonly resume?: string;
  readonly perSecond?: number;
  readonly maxBacklog?: number;
}

const PAST: Record<BulkActionName, string> = { retry: 'retried', cancel: 'cancelled', discard: 'discarded' };

/**
 * `jobline jobs bulk <retry|cancel|discard>`: act on every job a filter selects. Without `--yes`
 * it is a dry run — the count and a sample, nothing changed — and says how to go on; with it,
 * progress goes to stderr page by page, Ctrl-C stops after the job at hand (saved), and
 * `--resume <id>` goes on from there.
 */
export function addBulkCommand(jobs: Command, parts: BulkCommandParts): void {
  jobs.command('bulk').description('retry, cancel or discard every job a filter selects (a dry run unless --yes; resumable)')
    .addArgument(jobs.createArgument('<action>', 'retry, cancel or discard').choices(['retry', 'cancel', 'discard']))
    .addOption(new Option('--status <status>', 'jobs in this status (default: failed; queued for cancel)').choices(JOB_STATUSES))
    .option('--kind <kind>', 'only this kind')
    .option('--tag <tag>', 'only jobs carrying this tag')
    .option('--since <age>', 'only jobs created within this age, like 30m, 6h or 7d (default 24h)', parts.since)
    .option('--until <time>', 'only jobs created at or before this ISO-8601 time (default: now)', isoTime)
    .option('--dry-run', 'count the jobs and show a sample; change nothing (the default without --yes)', false)
    .option('--yes', 'act on them', false)
    .option('--resume <id>', 'go on with a bulk operation that stopped (its own filter applies)')
    .option('--per-second <n>', 'actions per second at most (default 50)', (v) => parts.count(v))
    .option('--max-backlog <n>', 'a retry waits while the lane has more messages waiting than this (default 1000)', (v) => parts.count(v))
    .action(async (action: BulkActionName, options: BulkCommandOptions) => {
      if (options.kind) await parts.knownKinds([options.kind]);
      const inspector = await parts.inspector();
      const filter = { status: options.status, kind: options.kind, tag: options.tag, since: options.since, until: options.until };
      if (!options.resume && (options.dryRun || !options.yes)) {
        const dry = await inspector.bulk(action, filter, { dryRun: true });
        printDryRun(dry, parts.json(), !options.dryRun);
        return;
      }
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      const run = { perSecond: options.perSecond, maxBacklog: options.maxBacklog, signal: controller.signal, onProgress: (r: BulkReport) => console.error(progressLine(r)) };
      try {
        const report = options.resume ? await inspector.resumeBulk(options.resume, run) : await inspector.bulk(action, filter, run);
        printReport(report, parts.json());
        if (!report.complete) process.exitCode = EXIT.failed;
      } finally {
        process.off('SIGINT', stop);
      }
    });
}

function progressLine(r: BulkReport): string {
  const skipped = Object.values(r.skipped).reduce((a, b) => a + b, 0);
  return `bulk ${r.id}: ${r.selected} of the selection so far, ${r.done} ${PAST[r.action]}, ${skipped} skipped${r.complete ? ', done' : ''}`;
}

function describeFilter(r: BulkReport): string {
  const f = r.filter;
  return [`status ${f.status}`, f.kind && `kind ${f.kind}`, f.tag && `tag ${f.tag}`, `created ${f.since} – ${f.until}`].filter(Boolean).join(', ');
}

function printDryRun(r: BulkReport, json: boolean, askYes: boolean): void {
  if (json) {
    console.log(JSON.stringify(r, null, 2));
    return;
  }
  console.log(`would ${r.action} ${r.selected} job${r.selected === 1 ? '' : 's'} (${describeFilter(r)})${r.selected ? '; for example:' : ''}`);
  if (r.sample?.length) console.log(formatTable(r.sample.map((j) => ({ id: j.id, kind: j.kind, status: j.status, created: j.createdAt, error: clip(j.lastError?.message ?? '', 60) }))));
  if (askYes && r.selected > 0) console.log(`nothing changed: add --yes to ${r.action} them`);
}

function printReport(r: BulkReport, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(r, null, 2));
    return;
  }
  console.log(`bulk ${r.id} ${r.action} (${describeFilter(r)}): ${r.done} ${PAST[r.action]} of ${r.selected}${r.complete ? '' : `; stopped — go on with: jobline jobs bulk ${r.action} --resume ${r.id}`}`);
  for (const [reason, count] of Object.entries(r.skipped)) console.log(`  skipped ${count}: ${reason}`);
}

function isoTime(value: string): Date {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new InvalidArgumentError('must be an ISO-8601 time, like 2026-12-04T09:00:00Z');
  return at;
}
