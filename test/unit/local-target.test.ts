import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { formatTable, printDeadLetters } from '../../cli/output.js';
import { defaultCreator } from '../../lib/client/default-creator.js';
import { findLocalEnvironment, readEnvironmentFile, useLocalEnvironment } from '../../lib/local/environment-file.js';
import { isLoopback } from '../../lib/local/loopback.js';
import { chooseQueue, queuesOf, type DeployedQueue } from '../../lib/local/stack-queues.js';
import { testConfig } from '../../lib/testing/test-config.js';

const words = { stack: '--stack <name>', queue: '--queue <id>' };
const queue = (stackName: string, queueId = 'Jobs'): DeployedQueue => ({ stackName, queueId, config: testConfig(), outputs: {} });
const environment = (endpoint = 'http://127.0.0.1:4566') => ({ endpoint, region: 'us-east-1', stacks: { App: { outputs: {}, queues: { Jobs: { config: testConfig() } } } } });

/** A project folder (a package.json) holding an environment file, and a folder below it. */
function project(content: object, options: { packageJson?: boolean } = {}): { root: string; below: string } {
  const root = mkdtempSync(join(tmpdir(), 'jobline-target-'));
  if (options.packageJson !== false) writeFileSync(join(root, 'package.json'), '{}');
  mkdirSync(join(root, '.jobline'));
  writeFileSync(join(root, '.jobline', 'environment.json'), JSON.stringify(content));
  const below = join(root, 'src', 'jobs');
  mkdirSync(below, { recursive: true });
  return { root, below };
}

describe('choosing a queue', () => {
  it('takes the only one, or the one the stack and queue name', () => {
    expect(chooseQueue([queue('App')], {}, 'in us-east-1', words).stackName).toBe('App');
    expect(chooseQueue([queue('App'), queue('Other')], { stack: 'Other' }, 'in us-east-1', words).stackName).toBe('Other');
    expect(chooseQueue([queue('App', 'Jobs'), queue('App', 'Billing')], { queue: 'Billing' }, 'in us-east-1', words).queueId).toBe('Billing');
  });

  it('says there is none and how to deploy one', () => {
    expect(() => chooseQueue([], {}, 'in us-east-1 at http://127.0.0.1:4566', words)).toThrow(
      'no stack in us-east-1 at http://127.0.0.1:4566 has a jobline queue (an output named JoblineConfig…): deploy one (`npx jobline deploy --local` for the local emulator, `npx cdk deploy` for AWS), or set JOBLINE_CONFIG to a queue\'s config');
  });

  it('lists several and names the option that chooses', () => {
    expect(() => chooseQueue([queue('App'), queue('Other')], {}, 'in us-east-1', words)).toThrow('2 jobline queues in us-east-1: App (queue Jobs), Other (queue Jobs); choose one with --stack <name>');
    expect(() => chooseQueue([queue('App', 'Jobs'), queue('App', 'Billing')], { stack: 'App' }, 'in us-east-1', words)).toThrow('2 jobline queues in us-east-1: App (queue Jobs), App (queue Billing); choose one with --queue <id>');
  });

  it('names what exists when the named stack or queue does not', () => {
    expect(() => chooseQueue([queue('App')], { stack: 'Nope' }, 'in us-east-1', words)).toThrow('no stack "Nope" with a jobline queue in us-east-1; the stacks with one: App: choose one with --stack <name>');
    expect(() => chooseQueue([queue('App')], { stack: 'App', queue: 'Nope' }, 'in us-east-1', words)).toThrow('stack App has no queue "Nope"; its queues: Jobs');
  });

  it('reads a stack\'s queues from its stable output names, the API on the emulator\'s path when there is an endpoint', () => {
    const outputs = { JoblineConfigJobs: JSON.stringify(testConfig()), JoblineApiIdJobs: 'abc123', JoblineApiUrlJobs: 'https://abc123.execute-api.us-east-1.amazonaws.com', Other: 'x' };
    expect(queuesOf('App', outputs).map((q) => [q.queueId, q.apiUrl])).toEqual([['Jobs', 'https://abc123.execute-api.us-east-1.amazonaws.com']]);
    expect(queuesOf('App', outputs, 'http://127.0.0.1:4566')[0]!.apiUrl).toBe('http://127.0.0.1:4566/_aws/execute-api/abc123/$default');
    expect(() => queuesOf('App', { JoblineConfigJobs: '{"tableName":1}' })).toThrow(/the JoblineConfigJobs output of stack App is invalid/);
  });
});

describe('the local environment file', () => {
  it('is found from the project or below it, and points the SDK at the emulator with dummy credentials', () => {
    const { root, below } = project(environment());
    const { found } = findLocalEnvironment(below, {});
    expect(found).toMatchObject({ endpoint: 'http://127.0.0.1:4566', file: join(root, '.jobline', 'environment.json') });
    const env: NodeJS.ProcessEnv = { AWS_SESSION_TOKEN: 'real-session' };
    useLocalEnvironment(found!, env);
    expect(env).toEqual({ AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
  });

  it('is not looked for above the project\'s root: a file planted in a parent folder is never read', () => {
    const { root } = project(environment(), { packageJson: false });
    const app = join(root, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{}');
    expect(findLocalEnvironment(app, {})).toEqual({});
  });

  it('is ignored when the caller chose a target: an endpoint, a profile, or credentials', () => {
    const { below } = project(environment());
    for (const name of ['AWS_ENDPOINT_URL', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SESSION_TOKEN']) {
      const result = findLocalEnvironment(below, { [name]: 'set' });
      expect(result.found).toBeUndefined();
      expect(result.ignored).toContain(`ignored: ${name} is set`);
    }
  });

  it('refuses an endpoint off this machine, and says so', () => {
    for (const endpoint of ['https://attacker.example', 'http://10.0.0.1:4566', 'file:///etc/passwd', 'not a url']) {
      const { below } = project(environment(endpoint));
      expect(() => findLocalEnvironment(below, {})).toThrow(/which is not on this machine: jobline takes only loopback endpoints/);
    }
    expect(() => findLocalEnvironment(project({ endpoint: 'http://127.0.0.1:4566' }).below, {})).toThrow(/is not what `jobline deploy --local` writes/);
  });

  it('says how to make it when a test connects before anything deployed', () => {
    const empty = mkdtempSync(join(tmpdir(), 'jobline-target-'));
    expect(() => readEnvironmentFile(join(empty, '.jobline', 'environment.json'))).toThrow(/does not exist: deploy your app to the local emulator first \(`npx jobline deploy --local`, or startLocalApp/);
  });

  it('knows the loopback names', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '[::1]', '::1'].every(isLoopback)).toBe(true);
    expect(['127.0.0.1.evil.example', '0.0.0.0', '192.168.1.1', 'localhost.example'].some(isLoopback)).toBe(false);
  });
});

describe('the CLI\'s tables', () => {
  it('align plain text under a header, without an index column or quotes', () => {
    expect(formatTable([{ lane: 'default', waiting: 3, paused: 'no' }, { lane: 'bulk-imports', waiting: 12, paused: 'yes' }])).toBe([
      'lane          waiting  paused',
      'default       3        no',
      'bulk-imports  12       yes',
    ].join('\n'));
  });
});

describe('the CLI\'s DLQ listing', () => {
  it('says a DLQ is empty rather than printing nothing', () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      printDeadLetters('default', [], false);
    } finally {
      log.mockRestore();
    }
    expect(lines).toEqual(['the DLQ of lane default is empty']);
  });
});

describe('who enqueued, by default', () => {
  it('is the Lambda function in a Lambda, else the host and process', () => {
    expect(defaultCreator({ AWS_LAMBDA_FUNCTION_NAME: 'signup-api' })).toBe('lambda:signup-api');
    expect(defaultCreator({})).toMatch(new RegExp(`^.+ pid ${process.pid}( \\(.+\\))?$`));
  });
});
