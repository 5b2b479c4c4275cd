/**
 * Cold-start benchmark: the minified worker bundle's size and init time, against a bundle of
 * only the AWS SDK clients the worker makes. Each bundle is built as the Lambda functions are
 * (scripts/build-functions.ts: esbuild, one CommonJS file for node20, minified) into a temp
 * dir, then loaded in fresh `node` processes, the bundles taking turns, and timed from just
 * before `require` until the handler has been called once on an empty batch (see INIT below).
 *
 * Run: npx tsx bench/cold-start.ts [--quick]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { round, type BenchOptions, type BenchSection, type Target } from './lib/result.js';
import { printSection } from './lib/report.js';
import { median, percentile } from './lib/stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Issue 25: the worker's init at most 1.2× the SDK-only bundle's (it was 1.3 before). */
const LIMIT = 1.2;
const RUNS = { full: 50, quick: 10 };

interface Bundle {
  readonly key: 'worker' | 'baseline' | 'dynamodb' | 'zod' | 'app' | 'traced';
  readonly name: string;
  readonly entry: string;
}

const BUNDLES: readonly Bundle[] = [
  { key: 'worker', name: 'jobline worker, 1 no-op kind', entry: 'bench/cold-start/worker-entry.ts' },
  { key: 'baseline', name: 'SDK clients only (baseline)', entry: 'bench/cold-start/sdk-only-entry.ts' },
  { key: 'dynamodb', name: 'DynamoDB clients only (info)', entry: 'bench/cold-start/dynamodb-only-entry.ts' },
  { key: 'zod', name: 'SDK clients + zod, one schema (info)', entry: 'bench/cold-start/sdk-zod-entry.ts' },
  { key: 'app', name: 'reference app worker (info)', entry: 'functions/worker.ts' },
  { key: 'traced', name: 'jobline worker, tracing on (info)', entry: 'bench/cold-start/traced-worker-entry.ts' },
];

/**
 * Run in each fresh process: the time to evaluate the bundle (`require`), and to the end of a
 * first call of its handler on an empty SQS batch. The worker makes its SDK clients and reads
 * JOBLINE_CONFIG on that first call, not at import; the baseline makes its clients at import. So
 * "ready" (require + first empty call) is where both have done the same work, and is what the
 * target compares; "module" alone is shown beside it.
 */
const INIT = `
const t0 = performance.now();
const mod = require(process.env.BENCH_BUNDLE);
const t1 = performance.now();
const context = { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 900000 };
Promise.resolve(mod.handler({ Records: [] }, context)).then(() => {
  const t2 = performance.now();
  process.stdout.write(JSON.stringify({ module: t1 - t0, ready: t2 - t0 }));
});
`;

/** A config the worker accepts (lib/config.ts); nothing is called, so nothing needs to exist. */
const CONFIG = {
  tableName: 'bench-jobs',
  shardCount: 16,
  idempotencyTableName: 'bench-idempotency',
  lanes: {
    default: {
      queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/bench-default',
      queueArn: 'arn:aws:sqs:us-east-1:123456789012:bench-default',
      deadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/bench-default-dlq',
    },
  },
  scheduler: { groupName: 'bench', roleArn: 'arn:aws:iam::123456789012:role/bench-scheduler', thresholdSeconds: 900 },
};

/** A clean environment, as Lambda's: region, credentials, the queue's config; no NODE_OPTIONS, endpoint or profile. */
const CHILD_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIABENCHCOLDSTART00',
  AWS_SECRET_ACCESS_KEY: 'bench-cold-start-dummy-secret',
  AWS_SESSION_TOKEN: 'bench-cold-start-dummy-token',
  AWS_LAMBDA_FUNCTION_NAME: 'bench-cold-start',
  JOBLINE_CONFIG: JSON.stringify(CONFIG),
};

interface Built {
  readonly bundle: Bundle;
  readonly file: string;
  readonly bytes: number;
  readonly metafile: Metafile;
}

async function bundle(target: Bundle, dir: string): Promise<Built> {
  const file = join(dir, `${target.key}.cjs`);
  const result = await build({
    entryPoints: [join(ROOT, target.entry)],
    outfile: file,
    tsconfig: join(ROOT, 'tsconfig.json'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    metafile: true,
    logLevel: 'warning',
  });
  return { bundle: target, file, bytes: statSync(file).size, metafile: result.metafile };
}

interface Sample {
  readonly module: number;
  readonly ready: number;
}

function measure(file: string): Sample {
  const child = spawnSync(process.execPath, ['-e', INIT], { env: { ...CHILD_ENV, BENCH_BUNDLE: file }, encoding: 'utf8', timeout: 60_000 });
  if (child.status !== 0) throw new Error(`loading ${file} failed (exit ${child.status ?? child.signal}): ${child.stderr.trim() || child.stdout.trim()}`);
  return JSON.parse(child.stdout) as Sample;
}

/** Bytes of the output by where they came from: an npm package, or jobline's own source. */
function bytesByPackage(metafile: Metafile): Map<string, number> {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      const source = match ? match[1]! : input.startsWith('lib/') ? 'jobline (lib/)' : input.startsWith('functions/') ? 'reference app (functions/)' : input;
      totals.set(source, (totals.get(source) ?? 0) + bytesInOutput);
    }
  }
  return totals;
}

const kib = (bytes: number) => Math.round(bytes / 102.4) / 10;

export async function run(options: BenchOptions): Promise<BenchSection> {
  const runs = options.quick ? RUNS.quick : RUNS.full;
  const dir = mkdtempSync(join(tmpdir(), 'jobline-cold-start-'));
  try {
    const built: Built[] = [];
    for (const target of BUNDLES) built.push(await bundle(target, dir));

    // One warm-up load of each (OS file cache, node's own code cache), then `runs` rounds; the
    // order within a round flips every round so that no bundle always follows the same one.
    for (const b of built) measure(b.file);
    const samples = new Map<Bundle['key'], Sample[]>(built.map((b) => [b.bundle.key, []]));
    for (let round = 0; round < runs; round++) {
      const order = round % 2 === 0 ? built : [...built].reverse();
      for (const b of order) samples.get(b.bundle.key)!.push(measure(b.file));
    }

    const stats = (key: Bundle['key']) => {
      const of = samples.get(key)!;
      const module = of.map((s) => s.module);
      const ready = of.map((s) => s.ready);
      // Each round's init over the baseline's in the same round: a slow stretch of the machine slows both.
      const paired = of.map((s, i) => s.ready / samples.get('baseline')![i]!.ready);
      return { moduleMedian: median(module), readyMedian: median(ready), readyP90: percentile(ready, 90), pairedMedian: median(paired) };
    };
    const base = stats('baseline');
    const withZod = stats('zod');
    const rows = built.map((b) => {
      const s = stats(b.bundle.key);
      return {
        bundle: b.bundle.name,
        KiB: kib(b.bytes),
        'init median ms': round(s.readyMedian),
        'init p90 ms': round(s.readyP90),
        '× baseline': round(s.readyMedian / base.readyMedian),
        '× baseline, paired': round(s.pairedMedian),
        'require-only median ms': round(s.moduleMedian),
        'require-only × baseline': round(s.moduleMedian / base.moduleMedian),
        '× SDK + zod': round(s.readyMedian / withZod.readyMedian),
      };
    });

    const worker = stats('worker');
    const targets: Target[] = [
      { name: 'worker init median / SDK-only baseline init median', value: round(worker.readyMedian / base.readyMedian), comparison: '<=', limit: LIMIT, unit: '×' },
    ];
    const dynamodbOnly = stats('dynamodb');

    const workerBytes = bytesByPackage(built.find((b) => b.bundle.key === 'worker')!.metafile);
    const baseBytes = bytesByPackage(built.find((b) => b.bundle.key === 'baseline')!.metafile);
    const extra = [...workerBytes]
      .map(([source, bytes]) => [source, bytes - (baseBytes.get(source) ?? 0)] as const)
      .filter(([, bytes]) => bytes >= 1024)
      .sort((a, b) => b[1] - a[1])
      .map(([source, bytes]) => `${source} ${kib(bytes)} KiB`);

    return {
      id: 'cold-start',
      title: `Cold start: worker bundle size and init time vs. a bundle of only its SDK clients (${runs} fresh processes each)`,
      rows,
      targets,
      notes: [
        'Bundles built as scripts/build-functions.ts builds the functions (esbuild: bundle, platform node, target node20, cjs, minify), without sourcemap; KiB is the single output file.',
        `Init = from just before require(bundle) until the handler has returned from one call on an empty SQS batch, timed with performance.now() inside a fresh \`node\` (${process.version}) process on this machine: module evaluation plus what the worker defers to its first call (reading JOBLINE_CONFIG, making the SDK clients). The baseline makes its clients at import. "require-only" is module evaluation alone.`,
        `Each bundle loaded once as warm-up (discarded), then ${runs} rounds with the bundles taking turns (order reversed every other round); median and p90 (nearest rank) per bundle.`,
        'Not included: Lambda\'s own sandbox and runtime start, reading the code package from S3, and any network call (the first AWS request, its TLS handshake, credential resolution).',
        'Baseline (bench/cold-start/sdk-only-entry.ts): @aws-sdk/client-dynamodb, lib-dynamodb\'s document client, client-sqs and client-scheduler, each client constructed once, and a no-op handler. Worker (bench/cold-start/worker-entry.ts): defineJob with a zod schema (`import * as z from \'zod\'`, as zod 4 documents it) and createWorker with one no-op handler.',
        'The reference app worker (functions/worker.ts, with S3 and SESv2 clients and its four kinds) is shown for information; it is not held to the target.',
        'The worker with tracing on (bench/cold-start/traced-worker-entry.ts: the worker entry plus jobline/tracing, OpenTelemetry\'s tracer provider, context manager, W3C propagator and an OTLP/HTTP exporter, set up as docs/tracing.md does by hand) is shown for information: what turning tracing on costs at init. With tracing off the worker bundle carries none of it (test/unit/worker-bundle.test.ts).',
        `"× baseline" is the bundle's init median over the baseline's. "× baseline, paired" is the median, over the rounds, of each round's init over the baseline's in that round: the machine's slow and fast stretches fall on both. The target is held to the first.`,
        `DynamoDB clients only (bench/cold-start/dynamodb-only-entry.ts): the clients the worker makes at its start, since its SQS and Scheduler sides (and their SDK modules) load on their first call. A hand-written worker deferring them the same way starts from this; the worker's init is ${round(worker.readyMedian / dynamodbOnly.readyMedian)}× it.`,
        `SDK clients + zod (bench/cold-start/sdk-zod-entry.ts): the baseline plus zod and one schema, as the worker entry defines its kind, which is what an app brings before jobline. "× SDK + zod" is each bundle's init median over that bundle's.`,
        `In the worker bundle beyond the baseline: ${extra.join(', ') || 'nothing over 1 KiB'}.`,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printSection(await run({ quick: process.argv.includes('--quick') }));
}
