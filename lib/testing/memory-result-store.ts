import type { ResultStore } from '../results/result-store.js';

/** Results too large for their records, in memory: `objects` shows what the worker put there. */
export class MemoryResultStore implements ResultStore {
  readonly objects = new Map<string, string>();

  async put(key: string, json: string): Promise<void> {
    this.objects.set(key, json);
  }

  async get(key: string): Promise<string | undefined> {
    return this.objects.get(key);
  }
}
