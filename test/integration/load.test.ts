import { describe, expect, it } from 'vitest';
import { client, unique } from './support/deployed.js';
import { histogram, saveReliabilityFigures, violationsOf, waitUntilFinal, type Planned } from './support/reliability.js';

/**
 * A burst of test.chaos jobs, every fifth failing its first attempt (a transient error). `npm
 * test` runs 500; `npm run reliability:load` runs the 5,000 of RELIABILITY.md
 * (JOBLINE_LOAD_JOBS). Rates are printed, not asserted: timings on shared machines are noisy.
 */
const JOBS = Number(process.env.JOBLINE_LOAD_JOBS ?? 500);

describe('load', () => {
  it(`a burst of ${JOBS} jobs, 20 % failing their first attempt: all succeed, none lost, none run more than planned`, async () => {
    const run = unique('load');
    const payloads = Array.from({ length: JOBS }, (_, i) => ({ tag: `${run}-${i}`, failFirst: i % 5 === 0, children: 0, followUp: false }));
    const started = Date.now();
    const planned: Planned[] = [];
    // enqueueMany, 25 a call (one BatchWriteItem), four calls at a time.
    for (let i = 0; i < payloads.length; i += 100) {
      const calls = [0, 25, 50, 75].map((offset) => payloads.slice(i + offset, i + offset + 25)).filter((chunk) => chunk.length > 0);
      await Promise.all(calls.map(async (chunk) => {
        const jobs = await client.enqueueMany(chunk.map((payload) => ({ job: 'test.chaos', payload })));
        jobs.forEach((job, j) => planned.push({ id: job.id, ...chunk[j]! }));
      }));
    }
    const enqueuedAt = Date.now();
    const records = await waitUntilFinal(planned.map((p) => p.id), 60_000 + JOBS * 120);
    const finished = [...records.values()].map((r) => Date.parse(r.finishedAt ?? ''));
    const lastFinished = Math.max(...finished);
    const firstTries = [...records.values()].filter((r) => r.attempt === 1).map((r) => Date.parse(r.finishedAt ?? '') - Date.parse(r.createdAt)).sort((a, b) => a - b);
    const violations = await violationsOf(planned, records);
    console.log([
      `load: ${JOBS} jobs (${payloads.filter((p) => p.failFirst).length} failing their first attempt)`,
      `enqueued in ${((enqueuedAt - started) / 1000).toFixed(1)} s (${(JOBS / ((enqueuedAt - started) / 1000)).toFixed(0)} jobs/s)`,
      `all final ${((lastFinished - started) / 1000).toFixed(1)} s after the first enqueue: ${(JOBS / ((lastFinished - started) / 1000)).toFixed(1)} jobs/s end to end`,
      `enqueue to success (first-attempt jobs): p50 ${(firstTries[Math.floor(firstTries.length / 2)]! / 1000).toFixed(1)} s, p99 ${(firstTries[Math.floor(firstTries.length * 0.99)]! / 1000).toFixed(1)} s`,
      `attempts: ${JSON.stringify(histogram([...records.values()].map((r) => r.attempt)))}; violations: ${violations.length}`,
    ].join('\n'));
    expect(planned).toHaveLength(JOBS);
    expect(new Set(planned.map((p) => p.id)).size).toBe(JOBS);
    expect(violations.slice(0, 20)).toEqual([]);
    const failing = payloads.filter((p) => p.failFirst).length;
    expect(histogram([...records.values()].map((r) => r.attempt))).toEqual({ 1: JOBS - failing, 2: failing });
    saveReliabilityFigures('load', {
      jobs: JOBS,
      failingFirstAttempt: failing,
      enqueueSeconds: Number(((enqueuedAt - started) / 1000).toFixed(1)),
      enqueuedPerSecond: Number((JOBS / ((enqueuedAt - started) / 1000)).toFixed(0)),
      allFinalSeconds: Number(((lastFinished - started) / 1000).toFixed(1)),
      endToEndPerSecond: Number((JOBS / ((lastFinished - started) / 1000)).toFixed(1)),
      firstAttemptToSuccessP50Seconds: Number((firstTries[Math.floor(firstTries.length / 2)]! / 1000).toFixed(1)),
      firstAttemptToSuccessP99Seconds: Number((firstTries[Math.floor(firstTries.length * 0.99)]! / 1000).toFixed(1)),
      attempts: histogram([...records.values()].map((r) => r.attempt)),
      violations: violations.length,
    });
  }, 120_000 + JOBS * 200);
});
