import { memoryBackends } from '../../lib/testing/memory-backends.js';
import { describe, expect, it } from 'vitest';
import { CONFIG_ENV, configFromEnvironment, parseConfig } from '../../lib/config.js';
import { ConfigurationError, ContendedWriteError, JoblineError } from '../../lib/errors.js';
import { JobClient } from '../../lib/client/job-client.js';
import { JobInspector } from '../../lib/inspector/job-inspector.js';
import { createWorker } from '../../lib/worker/create-worker.js';
import { testConfig } from '../../lib/testing/test-config.js';

// A missing or broken config is jobline's ConfigurationError, with the parse error as its cause,
// so callers can tell it from an AWS error by type, not by message.
describe('config errors are typed', () => {
  it('an unset JOBLINE_CONFIG', () => {
    expect(() => configFromEnvironment({})).toThrow(ConfigurationError);
    expect(() => configFromEnvironment({})).toThrow(`${CONFIG_ENV} is not set`);
  });

  it('a config that is not JSON, with the JSON error as its cause', () => {
    const error = catchOf(() => parseConfig('{not json', CONFIG_ENV));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ subject: `${CONFIG_ENV} is not JSON`, permanent: true });
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });

  it('a config the schema refuses, each problem named, with the schema error as its cause', () => {
    const error = catchOf(() => parseConfig(JSON.stringify({ tableName: 1 })));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).problems).toEqual(expect.arrayContaining([expect.stringMatching(/^tableName: /)]));
    expect((error as Error).cause).toMatchObject({ name: 'ZodError' });
  });

  it("an operator config whose lane has no event source mapping: the inspector's pause says so", async () => {
    const inspector = new JobInspector({ config: testConfig(['default']), backends: memoryBackends() });
    await expect(inspector.pause('default')).rejects.toBeInstanceOf(ConfigurationError);
    await expect(inspector.pause('default')).rejects.toThrow(/has no eventSourceMappingId/);
  });

  it('a backend passed on its own instead of inside backends (a spread, or code from before): refused by the worker, the client and the inspector, naming each', () => {
    const config = testConfig(['default']);
    const spread = memoryBackends() as object;
    const problems = (make: () => unknown) => {
      try {
        make();
      } catch (error) {
        return error instanceof ConfigurationError ? error.problems : error;
      }
      return 'accepted';
    };
    const expected = ['store', 'transport', 'scheduler', 'idempotency', 'flowControl'].map((name) => `"${name}" goes inside "backends" (backends: { ...memoryBackends(), ${name} })`);
    expect(problems(() => createWorker({ jobs: [], config, ...spread }))).toEqual(expected);
    expect(problems(() => new JobClient({ jobs: [], config, ...spread }))).toEqual(expected);
    expect(problems(() => new JobInspector({ config, ...spread }))).toEqual(expected);
  });

  it('a write lost to contention is a transient jobline error', () => {
    const error = new ContendedWriteError('could not debounce x (k) after 8 tries');
    expect(error).toBeInstanceOf(JoblineError);
    expect(error).toMatchObject({ name: 'ContendedWriteError', permanent: false });
  });
});

function catchOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected it to throw');
}
