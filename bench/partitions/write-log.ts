/**
 * The tally of the simulated DynamoDB's writes: per simulated second, the writes and write units
 * on each (table or index, partition key) they landed on.
 */

/** Writes and write units on one partition key in one second. */
interface Tally {
  writes: number;
  units: number;
}

/**
 * Writes per (table or index, partition key), per simulated second. A target is the table's
 * label (`jobs`, `idempotency`) or `label/index`. Each write counts `weight` times: the
 * inverse of the share of jobs its client runs (sampling).
 */
export class WriteLog {
  private readonly bySecond: Map<string, Tally>[] = [];

  constructor(private readonly second: () => number) {}

  record(target: string, partitionKey: string, units: number, weight: number): void {
    const second = this.second();
    if (second < 0) return;
    let tallies = this.bySecond[second];
    if (!tallies) tallies = this.bySecond[second] = new Map();
    const key = `${target}\u0000${partitionKey}`;
    const tally = tallies.get(key);
    if (tally) {
      tally.writes += weight;
      tally.units += units * weight;
    } else {
      tallies.set(key, { writes: weight, units: units * weight });
    }
  }

  /** Writes on one key in each of seconds 0…seconds-1. */
  series(target: string, partitionKey: string, seconds: number): number[] {
    return Array.from({ length: seconds }, (_, second) => this.bySecond[second]?.get(`${target}\u0000${partitionKey}`)?.writes ?? 0);
  }

  /** The tallies of seconds 0…seconds-1, as [target, partition key, writes, units]. */
  *entries(seconds: number): Generator<{ second: number; target: string; key: string; writes: number; units: number }> {
    for (let second = 0; second < seconds; second++) {
      for (const [compound, tally] of this.bySecond[second] ?? []) {
        const [target, key] = compound.split('\u0000') as [string, string];
        yield { second, target, key, writes: tally.writes, units: tally.units };
      }
    }
  }
}
