import Table from 'cli-table3';
import type { DeadLetter } from 'jobline/inspector';
import type { JobPage, LaneSummary, StateCounts } from 'jobline/inspector';
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

/** Lanes: depths, the oldest waiting job's age, and paused state. */
export function printLanes(lanes: readonly LaneSummary[], json: boolean): void {
  if (json) console.log(JSON.stringify(lanes, null, 2));
  else console.log(formatTable(lanes.map((l) => ({ lane: l.lane, waiting: l.visible, 'in flight': l.inFlight, delayed: l.delayed, 'oldest job': duration(l.oldestJobAgeSeconds), 'dead letters': l.deadLetters, paused: l.paused ? 'yes' : 'no' }))));
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
