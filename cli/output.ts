import Table from 'cli-table3';
import type { DeadLetter } from 'jobline/inspector';
import type { JobPage, KindCostReport, LaneCost, LaneSummary, StateCounts } from 'jobline/inspector';
import { describeWait, type JobRecord, type JobResult } from 'jobline';

const age = (iso: string | undefined) => (iso ? duration(Math.round((Date.now() - Date.parse(iso)) / 1000)) : '');
const duration = (seconds: number | undefined) => {
  if (seconds === undefined) return '';
  return seconds < 120 ? `${seconds}s` : seconds < 7200 ? `${Math.round(seconds / 60)}m` : `${Math.round(seconds / 3600)}h`;
};

/** `text` cut to at most `max` characters, a cut marked with "…" (tables only: `--json` prints everything). */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Rows as aligned plain text under a header: no borders, no index column, no quotes. */
export function formatTable(rows: ReadonlyArray<Readonly<Record<string, string | number | boolean | undefined>>>): string {
  const head = Object.keys(rows[0] ?? {});
  const blank = { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ' };
  const table = new Table({ head, chars: blank, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 } });
  for (const row of rows) table.push(head.map((key) => String(row[key] ?? '')));
  return table.toString().split('\n').map((line) => line.trimEnd()).join('\n');
}

/** A page of jobs: a table, or JSON `{jobs, next}`. */
export function printJobs(page: JobPage, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(page, null, 2));
    return;
  }
  if (page.jobs.length === 0) console.log('(no jobs)');
  else console.log(formatTable(page.jobs.map((j) => ({ id: j.id, kind: j.kind, status: j.status, attempt: `${j.attempt}/${j.maxAttempts}`, age: age(j.createdAt), 'last error / waiting': clip(j.lastError?.message ?? (j.waitingFor ? describeWait(j.waitingFor) : ''), 60) }))));
  if (page.next) console.log(`next page: --before ${page.next}`);
  for (const note of page.notes ?? []) console.log(`note: ${note}`);
}

/** One job in full: its fields, errors and timeline. */
export function printJob(job: JobRecord, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(job, null, 2));
    return;
  }
  console.log(`${job.id}  ${job.kind}  ${job.status}  attempt ${job.attempt}/${job.maxAttempts}  lane ${job.lane}`);
  const timeline: Array<[string, string | undefined]> = [['created', job.createdAt], ['run at', job.runAt], ['started', job.startedAt], ['next run', job.nextRunAt], ['finished', job.finishedAt]];
  for (const [label, at] of timeline) if (at) console.log(`  ${label.padEnd(9)} ${at}`);
  if (job.createdBy) console.log(`  by        ${job.createdBy}`);
  if (job.tags?.length) console.log(`  tags      ${job.tags.join(' ')}`);
  // The enqueue's trace (tracing on): the id to look up in a tracing backend.
  if (job.trace) console.log(`  trace     ${job.trace.split('-')[1]} (enqueued in span ${job.trace.split('-')[2]})`);
  if (job.uniqueKey) console.log(`  key       ${job.uniqueKey}`);
  if (job.waitingFor) console.log(`  waiting   ${describeWait(job.waitingFor)}`);
  if (job.childrenTotal !== undefined) console.log(`  children  ${job.childrenDone ?? 0}/${job.childrenTotal} done, ${job.childrenFailed ?? 0} failed, ${job.childrenCancelled ?? 0} cancelled  ${JSON.stringify(job.childTotals ?? {})}`);
  if (job.progress !== undefined) console.log(`  progress  ${JSON.stringify(job.progress)}`);
  if (job.payload !== undefined) console.log(`  payload   ${JSON.stringify(job.payload)}`);
  if (job.result !== undefined) console.log(`  result    ${clip(JSON.stringify(job.result), 300)}`);
  if (job.resultRef) console.log(`  result    ${job.resultRef.bytes} bytes in the results bucket (jobline jobs result ${job.id})`);
  if (job.resultDropped) console.log(`  result    not kept: ${job.resultDropped.reason}`);
  for (const error of job.errors ?? []) console.log(`  error     attempt ${error.attempt} at ${error.at}: ${error.class}: ${error.message}`);
}

/** A job's result, or why it has none (`jobs result`). */
export function printResult(answer: JobResult, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(answer, null, 2));
    return;
  }
  if (answer.state === 'succeeded') {
    console.log(`${answer.id}  ${answer.kind}  succeeded${answer.finishedAt ? ` at ${answer.finishedAt}` : ''}`);
    console.log(JSON.stringify(answer.result ?? null, null, 2));
    return;
  }
  console.log(`${answer.id}  ${'kind' in answer && answer.kind ? `${answer.kind}  ` : ''}${answer.state.replace('_', ' ')}: ${answer.reason}`);
}

/** What `retry`, `cancel` or `discard` did to each id. */
export function printResults(action: string, results: ReadonlyArray<{ id: string; ok: boolean; error?: string | undefined }>, json: boolean): void {
  if (json) console.log(JSON.stringify(results, null, 2));
  else for (const r of results) console.log(r.ok ? `${action}: ${r.id} ok` : `${action}: ${r.id} failed: ${r.error}`);
}

/** Dollars as a table shows them: to the cent, grouped, and "<$0.01" for less than a cent (`--json` has the numbers). */
export function dollars(amount: number): string {
  if (amount === 0) return '$0';
  return amount < 0.005 ? '<$0.01' : `$${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

const perDay = (jobs: number) => Math.round(jobs).toLocaleString('en-US');

/** Lanes: depths, the oldest waiting job's age, paused state and, when priced, their kinds' jobs and cost per day. */
export function printLanes(lanes: readonly LaneSummary[], costs: ReadonlyMap<string, LaneCost> | string | undefined, json: boolean): void {
  const priced = typeof costs === 'object' ? costs : undefined;
  if (json) {
    console.log(JSON.stringify(lanes.map((l) => ({ ...l, ...(priced ? { jobsPerDay: priced.get(l.lane)?.jobsPerDay ?? 0, dollarsPerDay: priced.get(l.lane)?.dollarsPerDay ?? 0, computeDollarsPerDay: priced.get(l.lane)?.computeDollarsPerDay ?? 0 } : {}) })), null, 2));
    return;
  }
  console.log(formatTable(lanes.map((l) => ({
    lane: l.lane, waiting: l.visible, 'in flight': l.inFlight, delayed: l.delayed, 'oldest job': duration(l.oldestJobAgeSeconds), 'dead letters': l.deadLetters, paused: l.paused ? 'yes' : 'no',
    ...(priced ? { 'jobs/day': perDay(priced.get(l.lane)?.jobsPerDay ?? 0), '$/day': dollars(priced.get(l.lane)?.dollarsPerDay ?? 0), 'compute ≤ $/day': dollars(priced.get(l.lane)?.computeDollarsPerDay ?? 0) } : {}),
  }))));
  if (priced) console.log('jobs and cost per day: the lanes\' kinds over the last 24 h (`jobline kinds` shows each kind and what its cost counts)');
  else if (typeof costs === 'string') console.log(`cost per day not shown: ${costs}`);
}

/** Each kind's jobs per day and estimated cost (`jobline kinds`). */
export function printKindCosts(report: KindCostReport, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(formatTable(report.kinds.map((k) => ({
    kind: k.kind, lane: k.lane, tracking: k.tracking, 'jobs/day': perDay(k.jobsPerDay), 'retries/job': Number(k.retriesPerJob.toFixed(2)), 'failed %': Number((k.failuresPerJob * 100).toFixed(1)),
    '$/million': dollars(k.dollarsPerMillion), '$/day': dollars(k.dollarsPerDay), 'compute ≤ $/day': dollars(k.computeDollarsPerDay),
  }))));
  console.log(`traffic from ${report.source}, ${report.since.toISOString()} to ${report.until.toISOString()}; $ counts DynamoDB, SQS, Lambda invocations, Scheduler, S3 GETs and logs; compute is the handlers' time at the worker's memory (arm64), at most that as a batch's jobs overlap`);
  for (const note of report.notes) console.log(note.kinds === 'all' ? `note: ${note.text}` : `note (${note.kinds.join(', ')}): ${note.text}`);
}

/** A lane's DLQ messages, or a line saying it is empty. */
export function printDeadLetters(lane: string, messages: readonly DeadLetter[], json: boolean): void {
  if (json) console.log(JSON.stringify(messages, null, 2));
  else if (messages.length === 0) console.log(`the DLQ of lane ${lane} is empty`);
  else console.log(formatTable(messages.map((m) => ({ id: m.attributes['jobline.id'] ?? '(no id)', kind: m.attributes['jobline.kind'] ?? '?', attempt: m.attributes['jobline.attempt'] ?? '?', error: clip(m.attributes['jobline.error'] ?? m.body, 80) }))));
}

/** Jobs per lane in the indexed states. */
export function printCounts(counts: StateCounts, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(counts, null, 2));
    return;
  }
  const rows = Object.entries(counts.lanes).map(([lane, byStatus]) => ({ lane, ...byStatus }));
  console.log(rows.length > 0 ? formatTable(rows) : '(no lanes)');
  console.log(`jobs created since ${counts.since}${counts.complete ? '' : ' (a count hit its read limit: numbers are lower bounds)'}`);
}
