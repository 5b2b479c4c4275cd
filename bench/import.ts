/**
 * A large CSV import end to end on the deployed benchmark stack: the reference app's
 * import.start streams the file once and spawns one import.chunk per 500 rows; the clock runs
 * from enqueueing the start job until its record says succeeded with every row counted.
 *
 * Memory: the worker is set to 128 MB for the import, its Node heap sized as Lambda's runtime
 * sizes it for 128 MB (the emulator does not). The emulator runs each Lambda as local `node`
 * worker processes; their peak resident memory (VmHWM in /proc) is read for every process of
 * the worker function. The peak is reset
 * (clear_refs) before the import and again once the start job has spawned its chunks, so the
 * first figure covers the start job (and whatever chunks overlapped its end) and the second the
 * chunks. A process serves many invocations one after another, so each figure bounds the peak
 * of every invocation it saw from above.
 */
import { writeFileSync } from 'node:fs';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { JobClient } from 'jobline';
import { startImport } from '../functions/jobs/definitions.js';
import { requireOutput, type DeployedStack } from '../scripts/lib/deploy.js';
import { waitFor, withMemorySize } from './lib/deployed.js';
import { functionProcesses, peakResidentKb } from './lib/processes.js';
import { round, type BenchOptions, type BenchSection } from './lib/result.js';

const LIMIT_MB = 128;

export async function run(options: BenchOptions & { readonly stack: DeployedStack }): Promise<BenchSection> {
  const rows = options.quick ? 50_000 : 500_000;
  const { stack } = options;
  const client = new JobClient({ jobs: [startImport], config: stack.config, createdBy: 'bench' });
  const s3 = new S3Client({ forcePathStyle: true });
  const tag = `bench${Date.now().toString(36)}`;
  const csv = contactsCsv(tag, rows);
  const key = `imports/${tag}.csv`;
  await s3.send(new PutObjectCommand({ Bucket: requireOutput(stack, 'FilesBucket'), Key: key, Body: csv }));

  const worker = stack.workerFunctionName;
  return withMemorySize(worker, LIMIT_MB, () => measure(client, worker, { tag, key, rows, csvBytes: csv.length }));
}

/** Runs the import on a worker set to 128 MB, reading its processes' peak memory per phase. */
async function measure(client: JobClient, worker: string, file: { tag: string; key: string; rows: number; csvBytes: number }): Promise<BenchSection> {
  const { tag, key, rows } = file;
  const startPeak = new PeakMemory(worker);
  const chunkPeak = new PeakMemory(worker);
  startPeak.reset();
  const started = performance.now();
  const job = await client.enqueue(startImport, { fileId: tag, key, uploadedBy: 'bench' });
  // The start job has spawned its chunks once its record waits for them.
  await waitFor('the start job to spawn its chunks', async () => { startPeak.sample(); return (await client.get(job.id))?.status === 'waiting'; }, 600_000, 250);
  const spawnedAfter = (performance.now() - started) / 1000;
  startPeak.sample();
  chunkPeak.reset();
  let final: Awaited<ReturnType<JobClient['get']>> | undefined;
  await waitFor('the import to finish', async () => {
    chunkPeak.sample();
    final = await client.get(job.id);
    return final?.status === 'succeeded' || final?.status === 'failed';
  }, 3_600_000, 1000);
  const seconds = (performance.now() - started) / 1000;
  chunkPeak.sample();
  const result = final?.result as { totalRows?: number; chunks?: number; totals?: { imported?: number; failed?: number } } | undefined;
  if (final?.status !== 'succeeded' || result?.totals?.imported !== rows) {
    throw new Error(`import: the start job ended ${final?.status} with ${JSON.stringify(result?.totals)} of ${rows} rows`);
  }
  return {
    id: 'import',
    title: `Large import: a ${rows.toLocaleString('en-US')}-row CSV (${(file.csvBytes / 1e6).toFixed(1)} MB) end to end on the emulator`,
    rows: [
      { phase: 'start job (stream the file, find chunks, spawn them)', seconds: round(spawnedAfter), 'peak RSS MB': round(startPeak.peakMb), processes: startPeak.processes, 'rows/s': '-' },
      { phase: `${result.chunks} chunk jobs (read a range, write 500 rows)`, seconds: round(seconds - spawnedAfter), 'peak RSS MB': round(chunkPeak.peakMb), processes: chunkPeak.processes, 'rows/s': '-' },
      { phase: 'whole import', seconds: round(seconds), 'peak RSS MB': '-', processes: '-', 'rows/s': round(rows / seconds) },
    ],
    targets: [
      { name: 'start job: peak memory per invocation', value: startPeak.peakMb, comparison: '<=', limit: LIMIT_MB, unit: 'MB' },
      { name: 'chunk job: peak memory per invocation', value: chunkPeak.peakMb, comparison: '<=', limit: LIMIT_MB, unit: 'MB' },
    ],
    notes: [
      'The worker runs at 128 MB for the import, with Node\'s heap limits set as Lambda\'s Node runtime sets them for 128 MB (--max-semi-space-size=6 --max-old-space-size=116; the emulator runs plain node, whose heap grows with the machine\'s memory).',
      'Peak RSS is the worker processes\' VmHWM (the emulator runs Lambdas as local node processes), reset before each phase; it includes Node itself and the bundle, as Lambda\'s "Max Memory Used" does, and bounds each invocation\'s peak from above.',
      `Every row is valid; the import succeeded with ${result.totals.imported} rows imported. Rows/s is bound by the emulator's DynamoDB (one write per row, in batches of 25).`,
    ],
  };
}

/** `rows` valid contacts rows over a handful of days. */
function contactsCsv(tag: string, rows: number): string {
  const lines = ['email,name,country,signed_up_on'];
  for (let i = 0; i < rows; i++) lines.push(`${tag}-${i}@example.com,Person ${i},${['GB', 'US', 'FI'][i % 3]},2031-04-0${1 + (i % 7)}`);
  return `${lines.join('\n')}\n`;
}

/** The highest VmHWM seen among a Lambda function's local worker processes (Linux /proc). */
class PeakMemory {
  private peakKb = 0;
  private readonly seen = new Set<number>();

  constructor(private readonly functionName: string) {}

  get peakMb(): number {
    return this.peakKb / 1024;
  }

  get processes(): number {
    return this.seen.size;
  }

  /** Resets the peak of every current process of the function (writing 5 to clear_refs). */
  reset(): void {
    for (const pid of functionProcesses(this.functionName)) {
      try {
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {
        // It exited meanwhile.
      }
    }
    this.peakKb = 0;
    this.seen.clear();
  }

  sample(): void {
    for (const pid of functionProcesses(this.functionName)) {
      const kb = peakResidentKb(pid);
      if (kb === 0) continue;
      this.peakKb = Math.max(this.peakKb, kb);
      this.seen.add(pid);
    }
  }
}
