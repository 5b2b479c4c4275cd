/**
 * Simulated time: `now()` is what every clock of the code under test reads, and `sleep(ms)`
 * (handlers working, a rate-limited job waiting for its turn) resolves once the simulation
 * has moved the clock past it. Nothing waits in real time.
 */
export class SimClock {
  private current: number;
  private timers: { at: number; resolve: () => void }[] = [];

  constructor(readonly startMs: number) {
    this.current = startMs;
  }

  readonly now = (): Date => new Date(this.current);

  ms(): number {
    return this.current;
  }

  /** Whole simulated seconds since the start. */
  second(): number {
    return Math.floor((this.current - this.startMs) / 1000);
  }

  readonly sleep = (ms: number): Promise<void> => {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => this.timers.push({ at: this.current + ms, resolve }));
  };

  /** Moves the clock to `ms` and wakes every sleeper due by then. */
  advanceTo(ms: number): void {
    this.current = Math.max(this.current, ms);
    const due = this.timers.filter((t) => t.at <= this.current);
    if (due.length === 0) return;
    this.timers = this.timers.filter((t) => t.at > this.current);
    for (const timer of due.sort((a, b) => a.at - b.at)) timer.resolve();
  }

  /** Wakes every sleeper (the end of a run: in-flight attempts finish, after the counted window). */
  wakeAll(): void {
    const all = this.timers;
    this.timers = [];
    for (const timer of all) timer.resolve();
  }
}

/** Lets every promise chain that is not waiting on the simulated clock run to its next wait. */
export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}
