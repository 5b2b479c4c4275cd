import * as fc from 'fast-check';
import { listAll } from '../support/list-all.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoJobStore } from '../../lib/store/dynamo/dynamo-job-store.js';
import { createJobTables, type JobTables } from '../../scripts/lib/job-tables.js';
import { drain, observed, operatorCommands } from '../model/operator-model.js';
import { OperatorWorld, SHARDS } from '../model/operator-world.js';
import { dynamodb } from './support/deployed.js';

/** Runs here (JOBLINE_MODEL_RUNS_DYNAMO to change it): each step reads every record back from the emulator, so far fewer than in the unit project. */
const RUNS = Number(process.env.JOBLINE_MODEL_RUNS_DYNAMO ?? 50);

describe('operator actions against the worker, at random (model-based, DynamoDB store on the emulator)', () => {
  let tables: JobTables;
  beforeAll(async () => {
    tables = await createJobTables(dynamodb, 'model');
  });
  afterAll(async () => {
    await tables?.drop();
  });

  it(`keeps every invariant over ${RUNS} random interleavings, leaves no job unfinished, and every record listed under its status`, async () => {
    const seen = observed();
    await fc.assert(fc.asyncProperty(fc.commands(operatorCommands(seen), { maxCommands: 40, size: 'max' }), async (commands) => {
      Object.assign(seen, observed());
      const store = new DynamoJobStore(dynamodb, tables.tableName, SHARDS, tables.claimsTableName);
      const world = new OperatorWorld(store);
      await fc.asyncModelRun(() => ({ model: {}, real: world }), commands);
      await drain(world, seen);
      // The sparse index and the shards' keys list every record under the status it has (DynamoDB's own layout; the in-memory store has none).
      for (const record of await world.records()) {
        const listed = await listAll(store, { status: record.status, limit: 1000, since: new Date(world.time - 86_400_000) });
        expect(listed.map((r) => r.id), `job ${record.id} (${record.status}) is not listed`).toContain(record.id);
      }
    }), { numRuns: RUNS, verbose: 1 });
  }, 900_000);
});
