/**
 * The tables of the simulated DynamoDB: items in memory per partition and sort key, listed under
 * their global secondary indexes too; each write is sized (write units) and tallied on the table
 * partition, and on the index partitions the item leaves and enters.
 */
import type { Item } from './expression-evaluator.js';

/** A global secondary index: its name and key attributes. */
export interface IndexSpec {
  readonly name: string;
  readonly partition: string;
  readonly sort?: string | undefined;
}

/** A table as CreateTable described it. */
export interface TableSpec {
  readonly name: string;
  readonly partition: string;
  readonly sort?: string | undefined;
  readonly indexes: readonly IndexSpec[];
}

/** Bytes of an attribute value as DynamoDB sizes items (approximately for numbers). */
function sizeOf(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') {
    const digits = String(Math.abs(value)).replace(/[.e+-]/g, '').replace(/^0+/, '').length;
    return 1 + Math.ceil(Math.max(1, digits) / 2);
  }
  if (value instanceof Set) return [...value].reduce((sum: number, v) => sum + sizeOf(v), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + sizeOf(v), 0);
  if (typeof value === 'object') {
    return 3 + Object.entries(value as object).reduce((sum, [k, v]) => (v === undefined ? sum : sum + Buffer.byteLength(k, 'utf8') + 1 + sizeOf(v)), 0);
  }
  return 1;
}

/** Sizes of the stored items (each write stores a new object, never changed after). */
const sizes = new WeakMap<Item, number>();

function itemSize(item: Item | undefined): number {
  if (!item) return 0;
  let size = sizes.get(item);
  if (size === undefined) {
    size = 0;
    for (const name in item) size += Buffer.byteLength(name, 'utf8') + sizeOf(item[name]);
    sizes.set(item, size);
  }
  return size;
}

/** Write units of a write whose item is `bytes` big (1 KB each, at least one; doubled in a transaction). */
function units(bytes: number, transactional: boolean): number {
  return Math.max(1, Math.ceil(bytes / 1024)) * (transactional ? 2 : 1);
}

/** Where one client's writes are tallied: the log, at that client's weight. */
export interface Sink {
  record(target: string, partitionKey: string, units: number): void;
}

export class MemoryTable {
  /** partition → sort → item (a table without a sort key uses '' as the sort). */
  readonly partitions = new Map<string, Map<string, Item>>();
  /** index → index partition → table key → item. */
  readonly indexes = new Map<string, Map<string, Map<string, Item>>>();

  constructor(readonly spec: TableSpec, readonly label: string) {
    for (const index of spec.indexes) this.indexes.set(index.name, new Map());
  }

  private locate(key: Item): { partition: string; sort: string } {
    const partition = key[this.spec.partition];
    const sort = this.spec.sort ? key[this.spec.sort] : '';
    if (typeof partition !== 'string' || typeof sort !== 'string') throw new Error(`${this.spec.name}: key ${JSON.stringify(key)} lacks ${this.spec.partition}${this.spec.sort ? `/${this.spec.sort}` : ''}`);
    return { partition, sort };
  }

  keyOf(item: Item): Item {
    const key: Item = { [this.spec.partition]: item[this.spec.partition] };
    if (this.spec.sort) key[this.spec.sort] = item[this.spec.sort];
    return key;
  }

  get(key: Item): Item | undefined {
    const { partition, sort } = this.locate(key);
    return this.partitions.get(partition)?.get(sort);
  }

  /** The index partition an item is listed under, or undefined (an index is sparse: both key attributes must be there). */
  indexKey(index: IndexSpec, item: Item | undefined): string | undefined {
    if (!item) return undefined;
    const partition = item[index.partition];
    if (typeof partition !== 'string') return undefined;
    if (index.sort && typeof item[index.sort] !== 'string') return undefined;
    return partition;
  }

  /** Stores `after` (undefined: deletes) in place of `before`, and tallies the write on the table and its indexes. */
  write(key: Item, before: Item | undefined, after: Item | undefined, sink: Sink, transactional: boolean): void {
    const { partition, sort } = this.locate(key);
    const tableKey = `${partition}\u0000${sort}`;
    let items = this.partitions.get(partition);
    if (after) {
      if (!items) this.partitions.set(partition, (items = new Map()));
      items.set(sort, after);
    } else if (items) {
      items.delete(sort);
      if (items.size === 0) this.partitions.delete(partition);
    }
    const beforeSize = itemSize(before);
    const afterSize = itemSize(after);
    sink.record(this.label, partition, units(Math.max(beforeSize, afterSize), transactional));
    for (const index of this.spec.indexes) {
      const was = this.indexKey(index, before);
      const is = this.indexKey(index, after);
      const listed = this.indexes.get(index.name)!;
      const target = `${this.label}/${index.name}`;
      if (was !== undefined) {
        const members = listed.get(was);
        members?.delete(tableKey);
        if (members?.size === 0) listed.delete(was);
      }
      if (is !== undefined) {
        let members = listed.get(is);
        if (!members) listed.set(is, (members = new Map()));
        members.set(tableKey, after!);
      }
      // Projection ALL: an item listed before and after under one key is rewritten there; one that moves is deleted from the old partition and put in the new.
      if (was !== undefined && was === is) {
        sink.record(target, is, units(Math.max(beforeSize, afterSize), false));
      } else {
        if (was !== undefined) sink.record(target, was, units(beforeSize, false));
        if (is !== undefined) sink.record(target, is, units(afterSize, false));
      }
    }
  }

  /** A write whose condition failed: it still costs the table partition a write (and nothing on the indexes). */
  failed(key: Item, before: Item | undefined, sink: Sink, transactional: boolean): void {
    sink.record(this.label, this.locate(key).partition, units(itemSize(before), transactional));
  }

  /** Drops an item without counting a write (the simulation forgets finished jobs to save memory). */
  forget(key: Item): void {
    const before = this.get(key);
    if (!before) return;
    const { partition, sort } = this.locate(key);
    this.partitions.get(partition)?.delete(sort);
    if (this.partitions.get(partition)?.size === 0) this.partitions.delete(partition);
    for (const index of this.spec.indexes) {
      const was = this.indexKey(index, before);
      if (was !== undefined) {
        const listed = this.indexes.get(index.name)!;
        listed.get(was)?.delete(`${partition}\u0000${sort}`);
        if (listed.get(was)?.size === 0) listed.delete(was);
      }
    }
  }
}
