import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AttributeType, Billing, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { referenceJobs } from '../functions/jobs/definitions.js';
import { TEST_OTLP_TRACES_URL, testJobs } from '../functions/testing/definitions.js';
import { benchJobs } from '../functions/bench/definitions.js';
import { importChunk, startImport } from '../functions/jobs/definitions.js';
import { DEFAULT_WORKER_MEMORY_MB, JobQueue } from 'jobline/cdk';
import { WebDashboard } from 'jobline/cdk';

const entry = (path: string) => fileURLToPath(new URL(`../functions/${path}`, import.meta.url));

/** The test stack's worker and API export the traces a test starts (sampled) over OTLP/HTTP, to the receiver tracing.test.ts runs. */
const TRACES = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: TEST_OTLP_TRACES_URL };

/** Options shared by the app's stacks. */
export interface JoblineStackProps extends StackProps {
  /** Extra environment for every function (an emulator endpoint, say). */
  readonly functionEnvironment?: Record<string, string>;
  /** Address `email.send` sends from; the stack creates its SES identity (on AWS, confirm the verification mail). @default 'jobline@example.com' */
  readonly senderEmail?: string;
}

/** The reference app: the example kinds, their worker and the enqueue API. */
export class JoblineStack extends Stack {
  readonly jobQueue: JobQueue;

  constructor(scope: Construct, id: string, props: JoblineStackProps = {}) {
    super(scope, id, props);
    this.jobQueue = new JobQueue(this, 'Jobs', {
      jobs: referenceJobs,
      worker: { entry: entry('worker.ts'), environment: { ...props.functionEnvironment, EMAIL_FROM: senderOf(props) } },
      api: { entry: entry('api.ts'), environment: props.functionEnvironment },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    allowSendingEmail(this, this.jobQueue, senderOf(props));
    addExampleData(this, this.jobQueue);
    new WebDashboard(this, 'WebDashboard', this.jobQueue, { environment: props.functionEnvironment, removalPolicy: RemovalPolicy.DESTROY });
  }
}

/**
 * The stack the integration tests deploy: the reference kinds plus test-only kinds, a probe
 * table the test handlers count their runs in, few shards, and short timeouts so that
 * redeliveries come back in seconds.
 */
export class JoblineTestStack extends Stack {
  readonly jobQueue: JobQueue;

  constructor(scope: Construct, id: string, props: JoblineStackProps = {}) {
    super(scope, id, props);
    const probe = new TableV2(this, 'Probe', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      billing: Billing.onDemand(),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.jobQueue = new JobQueue(this, 'Jobs', {
      jobs: [...referenceJobs, ...testJobs],
      worker: {
        entry: entry('testing/worker.ts'),
        timeout: Duration.seconds(10),
        // The emulator runs each concurrent invocation as a node process: 5 (its own default) suits 2 cores.
        maxConcurrency: 5,
        environment: { ...props.functionEnvironment, ...TRACES, PROBE_TABLE: probe.tableName, EMAIL_FROM: senderOf(props) },
      },
      api: { entry: entry('testing/api.ts'), environment: { ...props.functionEnvironment, ...TRACES } },
      // The dispatcher refuses the first send of each test.dispatch-flaky job, so its recovery is tested.
      dispatcher: { environment: { JOBLINE_FAULTS: JSON.stringify({ refuseFirstSendOfKinds: ['test.dispatch-flaky'] }) } },
      shardCount: 4,
      // A batch a worker died in comes back in 20 s, not the default 6 × 10 s: the crash, kill and
      // outage tests wait for it (synth warns that this is under AWS's advice, knowingly).
      visibilityTimeout: Duration.seconds(20),
      // Delays past 5 s go through the Scheduler, so tests exercise that path in seconds.
      schedulerThreshold: Duration.seconds(5),
      stuckAfter: Duration.seconds(5),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    probe.grantReadWriteData(this.jobQueue.workerFunction);
    new CfnOutput(this, 'ProbeTable', { value: probe.tableName });
    allowSendingEmail(this, this.jobQueue, senderOf(props));
    addExampleData(this, this.jobQueue);
    new WebDashboard(this, 'WebDashboard', this.jobQueue, { environment: props.functionEnvironment, removalPolicy: RemovalPolicy.DESTROY });
  }
}

/** Concurrent invocations of the benchmark stack's worker and of its raw pipeline's function, alike. */
export const BENCH_CONCURRENCY = 5;

/**
 * The stack `npm run bench` deploys: the no-op kinds at each tracking level and the reference
 * import, run by a worker with a deliberate concurrency; and beside it a raw pipeline — a
 * queue feeding a no-op Lambda with the same batch size, memory and concurrency — whose rate
 * is the emulator's own SQS → Lambda ceiling, measured in the same run.
 */
export class JoblineBenchStack extends Stack {
  readonly jobQueue: JobQueue;

  constructor(scope: Construct, id: string, props: JoblineStackProps = {}) {
    super(scope, id, props);
    const concurrency = BENCH_CONCURRENCY;
    this.jobQueue = new JobQueue(this, 'Jobs', {
      jobs: [...benchJobs, startImport, importChunk],
      worker: { entry: entry('bench/worker.ts'), maxConcurrency: concurrency, environment: props.functionEnvironment },
      dispatcher: { environment: props.functionEnvironment },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    addExampleData(this, this.jobQueue);
    const rawQueue = new Queue(this, 'RawQueue', { visibilityTimeout: Duration.seconds(60), enforceSSL: true });
    const raw = new NodejsFunction(this, 'RawWorker', {
      entry: entry('bench/raw-worker.ts'),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: DEFAULT_WORKER_MEMORY_MB,
      timeout: Duration.seconds(10),
      bundling: { externalModules: [], minify: true, target: 'node20' },
      environment: { ...props.functionEnvironment, RAW_TABLE: this.jobQueue.table.tableName },
    });
    // Its DynamoDB variant writes beside the jobs (keys of its own) in the jobs table.
    this.jobQueue.table.grantWriteData(raw);
    raw.addEventSource(new SqsEventSource(rawQueue, { batchSize: 10, maxConcurrency: concurrency, reportBatchItemFailures: true }));
    new CfnOutput(this, 'RawQueueUrl', { value: rawQueue.queueUrl });
    new CfnOutput(this, 'RawWorkerFunctionName', { value: raw.functionName });
  }
}

/**
 * The example jobs' own data: a contacts table (imports write it, reports read it) and a
 * bucket for uploaded CSVs and generated reports; the worker gets their names and access.
 */
function addExampleData(scope: Construct, jobQueue: JobQueue): void {
  const contacts = new TableV2(scope, 'Contacts', {
    partitionKey: { name: 'day', type: AttributeType.STRING },
    sortKey: { name: 'email', type: AttributeType.STRING },
    billing: Billing.onDemand(),
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const files = new Bucket(scope, 'Files', {
    encryption: BucketEncryption.S3_MANAGED,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  contacts.grantReadWriteData(jobQueue.workerFunction);
  // Imports read the file they are given; reports write theirs under reports/ (and link to it).
  jobQueue.workerFunction.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [files.arnForObjects('*')] }));
  jobQueue.workerFunction.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [files.arnForObjects('reports/*')] }));
  // cdk-nag's findings that are right as they are, each with its reason.
  const bucket = Stack.of(scope).getLogicalId(files.node.defaultChild as CfnBucket);
  Validations.of(jobQueue.workerFunction).acknowledge({ id: `AwsSolutions-IAM5[Resource::<${bucket}.Arn>/*]`, reason: 'an import reads the uploaded file its payload names, whatever its key, in the app\'s own bucket (read only)' });
  Validations.of(jobQueue.workerFunction).acknowledge({ id: `AwsSolutions-IAM5[Resource::<${bucket}.Arn>/reports/*]`, reason: 'a report is written under reports/ with a key made of its type and range, in the app\'s own bucket' });
  Validations.of(files).acknowledge({ id: 'AwsSolutions-S1', reason: 'the reference app\'s example files (uploads and generated reports); an account that needs access records turns on CloudTrail data events' });
  jobQueue.workerFunction.addEnvironment('CONTACTS_TABLE', contacts.tableName);
  jobQueue.workerFunction.addEnvironment('FILES_BUCKET', files.bucketName);
  new CfnOutput(scope, 'ContactsTable', { value: contacts.tableName });
  new CfnOutput(scope, 'FilesBucket', { value: files.bucketName });
}

function senderOf(props: JoblineStackProps): string {
  return props.senderEmail ?? 'jobline@example.com';
}

/** The sender's SES identity, and the worker's permission to send as it. */
function allowSendingEmail(scope: Construct, jobQueue: JobQueue, sender: string): void {
  new EmailIdentity(scope, 'Sender', { identity: Identity.email(sender) });
  jobQueue.workerFunction.addToRolePolicy(new PolicyStatement({
    actions: ['ses:SendEmail'],
    resources: [Stack.of(scope).formatArn({ service: 'ses', resource: 'identity', resourceName: sender })],
  }));
}
