import type { IdempotencyRecord, IdempotencyStore, StartResult } from '../idempotency/idempotency-store.js';

/** An `IdempotencyStore` in memory with the same conditions as the DynamoDB one, for unit tests. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly records = new Map<string, IdempotencyRecord & { expiresAt: number }>();

  async start(key: string, jobId: string, now: Date, leaseUntil: Date, expiresAt: Date): Promise<StartResult> {
    const existing = this.records.get(key);
    const free = !existing || existing.expiresAt < now.getTime() || (existing.status === 'in_progress' && (existing.leaseUntil ?? '') < now.toISOString());
    if (!free) return { started: false, existing };
    this.records.set(key, { key, status: 'in_progress', jobId, leaseUntil: leaseUntil.toISOString(), expiresAt: expiresAt.getTime() });
    return { started: true };
  }

  async complete(key: string, jobId: string, resultJson: string, expiresAt: Date): Promise<void> {
    const existing = this.records.get(key);
    if (existing?.jobId !== jobId) throw new Error(`key ${key} is not held by ${jobId}`);
    this.records.set(key, { key, status: 'done', jobId, resultJson, expiresAt: expiresAt.getTime() });
  }

  async release(key: string, jobId: string): Promise<void> {
    const existing = this.records.get(key);
    if (existing?.jobId === jobId && existing.status === 'in_progress') this.records.delete(key);
  }
}
