import * as fc from 'fast-check';
import { describe, it } from 'vitest';
import { MemoryJobStore } from '../../lib/testing/memory-job-store.js';
import { drain, observed, operatorCommands } from '../model/operator-model.js';
import { OperatorWorld } from '../model/operator-world.js';

/** Runs of the model-based test here (JOBLINE_MODEL_RUNS to change it): on the in-memory store, each run takes a few ms. */
const RUNS = Number(process.env.JOBLINE_MODEL_RUNS ?? 2000);

describe('operator actions against the worker, at random (model-based, in-memory store)', () => {
  it(`keeps every invariant over ${RUNS} random interleavings, and leaves no job unfinished`, async () => {
    const seen = observed();
    await fc.assert(fc.asyncProperty(fc.commands(operatorCommands(seen), { maxCommands: 60, size: 'max' }), async (commands) => {
      Object.assign(seen, observed());
      const world = new OperatorWorld(new MemoryJobStore());
      await fc.asyncModelRun(() => ({ model: {}, real: world }), commands);
      await drain(world, seen);
    }), { numRuns: RUNS, verbose: 1 });
  }, 600_000);
});
