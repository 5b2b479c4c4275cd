/**
 * DynamoDB in memory, behind a real `DynamoDBClient`: a middleware at the `initialize` step
 * answers every command (nothing reaches the network) from an item map per table, and records
 * each write against the partition key it lands on — the table's, and for each global
 * secondary index the index partition the item leaves and the one it enters.
 *
 * Jobline sends everything through the document client, whose (un)marshalling middlewares run
 * after `initialize`: the commands arrive here with plain JavaScript values and their outputs
 * go back as such. Errors carry their `Item` marshalled, as the SDK leaves them.
 *
 * The tables are in memory-table.ts, the tally of writes in write-log.ts; here are the client and
 * the commands.
 */
import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { conditionHolds, type Item, type Names, type Values } from './expression-evaluator.js';
import { applyUpdate } from './expression-update.js';
import { statementAsUpdate } from './partiql-statement.js';
import { MemoryTable, type Sink, type TableSpec } from './memory-table.js';
import { trimStack } from './trim-stack.js';
import type { WriteLog } from './write-log.js';

/** Top-level attributes whose value is undefined are not written (the document client's `removeUndefinedValues`). */
function defined(item: Item): Item {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) if (v !== undefined) out[k] = v;
  return out;
}

/** What a write request carries, for every kind of write. */
interface WriteInput {
  readonly TableName?: string;
  readonly Key?: Item;
  readonly Item?: Item;
  readonly UpdateExpression?: string;
  readonly ConditionExpression?: string;
  readonly ExpressionAttributeNames?: Names;
  readonly ExpressionAttributeValues?: Values;
  readonly ReturnValues?: string;
  readonly ReturnValuesOnConditionCheckFailure?: string;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

class ConditionFailed extends Error {
  constructor(readonly item: Item | undefined) {
    super('The conditional request failed');
  }
}

/** The in-memory DynamoDB: tables by name, each with a label for the report. */
export class MemoryDynamoDB {
  private readonly tables = new Map<string, MemoryTable>();

  constructor(readonly log: WriteLog, private readonly labels: (tableName: string) => string) {}

  /** A DynamoDB client whose every command is answered here; each of its writes counts `weight` times. */
  client(weight = 1): DynamoDBClient {
    const sink: Sink = { record: (target, key, units) => this.log.record(target, key, units, weight) };
    const client = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'simulated', secretAccessKey: 'simulated' } });
    client.middlewareStack.add(
      (_next, context) => async (args) => ({ output: { ...this.answer(context.commandName ?? '', args.input as Record<string, unknown>, sink), $metadata: {} }, response: {} }),
      { step: 'initialize', priority: 'high', name: 'simulatedDynamoDB' },
    );
    trimStack(client);
    return client;
  }

  table(name: string): MemoryTable {
    const table = this.tables.get(name);
    if (!table) throw new Error(`no table ${name} (create it first)`);
    return table;
  }

  specs(): TableSpec[] {
    return [...this.tables.values()].map((t) => t.spec);
  }

  /** Forgets an item without counting a write. */
  forget(tableName: string, key: Item): void {
    this.table(tableName).forget(key);
  }

  private answer(command: string, input: Record<string, unknown>, sink: Sink): Record<string, unknown> {
    switch (command) {
      case 'CreateTableCommand': return this.createTable(input);
      case 'DescribeTableCommand': return { Table: { TableName: input.TableName, TableStatus: 'ACTIVE' } };
      case 'DeleteTableCommand': this.tables.delete(String(input.TableName)); return {};
      case 'GetItemCommand': {
        const item = this.table(String(input.TableName)).get(input.Key as Item);
        return item ? { Item: { ...item } } : {};
      }
      case 'BatchGetItemCommand': {
        // Every key answered at once: the simulated table never leaves keys unprocessed.
        const requests = input.RequestItems as Record<string, { Keys: Item[] }>;
        return { Responses: Object.fromEntries(Object.entries(requests).map(([name, { Keys }]) => [name, Keys.flatMap((key) => {
          const item = this.table(name).get(key);
          return item ? [{ ...item }] : [];
        })])), UnprocessedKeys: {} };
      }
      case 'QueryCommand': return this.query(input);
      case 'PutItemCommand': return this.single('put', input as WriteInput, sink);
      case 'UpdateItemCommand': return this.single('update', input as WriteInput, sink);
      case 'DeleteItemCommand': return this.single('delete', input as WriteInput, sink);
      case 'BatchWriteItemCommand': return this.batchWrite(input, sink);
      case 'TransactWriteItemsCommand': return this.transactWrite(input, sink);
      case 'BatchExecuteStatementCommand': return this.batchStatements(input, sink);
      default: throw new Error(`the simulated DynamoDB does not answer ${command}`);
    }
  }

  private createTable(input: Record<string, unknown>): Record<string, unknown> {
    type KeySchema = { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
    const keysOf = (schema: KeySchema) => ({
      partition: schema.find((k) => k.KeyType === 'HASH')!.AttributeName,
      sort: schema.find((k) => k.KeyType === 'RANGE')?.AttributeName,
    });
    const name = String(input.TableName);
    const indexes = ((input.GlobalSecondaryIndexes ?? []) as { IndexName: string; KeySchema: KeySchema }[]).map((index) => ({ name: index.IndexName, ...keysOf(index.KeySchema) }));
    const spec: TableSpec = { name, ...keysOf(input.KeySchema as KeySchema), indexes };
    this.tables.set(name, new MemoryTable(spec, this.labels(name)));
    return { TableDescription: { TableName: name, TableStatus: 'ACTIVE' } };
  }

  /** Runs one write (its condition first); returns its new item, or throws ConditionFailed. */
  private apply(kind: 'put' | 'update' | 'delete', input: WriteInput, sink: Sink, transactional: boolean, dryRun: boolean): { before: Item | undefined; after: Item | undefined; updated: string[] } {
    const table = this.table(String(input.TableName));
    const key = kind === 'put' ? table.keyOf(input.Item!) : input.Key!;
    const before = table.get(key);
    if (!conditionHolds(input.ConditionExpression, before, input.ExpressionAttributeNames, input.ExpressionAttributeValues)) {
      if (!dryRun) table.failed(key, before, sink, transactional);
      throw new ConditionFailed(before);
    }
    let after: Item | undefined;
    let updated: string[] = [];
    if (kind === 'put') after = defined(input.Item!);
    else if (kind === 'update') ({ item: after, updated } = applyUpdate(input.UpdateExpression, before, key, input.ExpressionAttributeNames, input.ExpressionAttributeValues));
    if (!dryRun && (kind !== 'delete' || before)) table.write(key, before, after, sink, transactional);
    else if (!dryRun) table.failed(key, before, sink, transactional);
    return { before, after, updated };
  }

  private single(kind: 'put' | 'update' | 'delete', input: WriteInput, sink: Sink): Record<string, unknown> {
    let result: ReturnType<MemoryDynamoDB['apply']>;
    try {
      result = this.apply(kind, input, sink, false, false);
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
      throw new ConditionalCheckFailedException({
        message: error.message, $metadata: {},
        Item: input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && error.item ? marshall(error.item, { removeUndefinedValues: true }) : undefined,
      });
    }
    const { before, after, updated } = result;
    switch (input.ReturnValues) {
      case 'ALL_NEW': return after ? { Attributes: { ...after } } : {};
      case 'ALL_OLD': return before ? { Attributes: { ...before } } : {};
      case 'UPDATED_NEW': return after ? { Attributes: Object.fromEntries(updated.filter((k) => k in after).map((k) => [k, after[k]])) } : {};
      case 'UPDATED_OLD': return before ? { Attributes: Object.fromEntries(updated.filter((k) => k in before).map((k) => [k, before[k]])) } : {};
      default: return {};
    }
  }

  private batchWrite(input: Record<string, unknown>, sink: Sink): Record<string, unknown> {
    const requests = input.RequestItems as Record<string, { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]>;
    for (const [tableName, writes] of Object.entries(requests)) {
      for (const write of writes) {
        if (write.PutRequest) this.apply('put', { TableName: tableName, Item: write.PutRequest.Item }, sink, false, false);
        else if (write.DeleteRequest) this.apply('delete', { TableName: tableName, Key: write.DeleteRequest.Key }, sink, false, false);
      }
    }
    return { UnprocessedItems: {} };
  }

  /** Each statement on its own, as its UpdateItem: applied, or refused with its code (and the item, when its condition failed). */
  private batchStatements(input: Record<string, unknown>, sink: Sink): Record<string, unknown> {
    const statements = input.Statements as { Statement: string; Parameters?: unknown[]; ReturnValuesOnConditionCheckFailure?: string }[];
    const keyNames = (name: string) => { const { partition, sort } = this.table(name).spec; return sort ? [partition, sort] : [partition]; };
    return {
      Responses: statements.map((statement) => {
        const update = statementAsUpdate(statement.Statement, statement.Parameters ?? [], keyNames);
        if (!update) return { Error: { Code: 'ValidationError', Message: `the simulated DynamoDB reads only the UPDATE statements jobline batches, not: ${statement.Statement}` } };
        try {
          this.apply('update', update, sink, false, false);
          return { TableName: update.TableName };
        } catch (error) {
          if (!(error instanceof ConditionFailed)) throw error;
          const item = statement.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && error.item ? { Item: { ...error.item } } : {};
          return { TableName: update.TableName, Error: { Code: 'ConditionalCheckFailed', Message: error.message, ...item } };
        }
      }),
    };
  }

  private transactWrite(input: Record<string, unknown>, sink: Sink): Record<string, unknown> {
    type Entry = { Put?: WriteInput; Update?: WriteInput; Delete?: WriteInput; ConditionCheck?: WriteInput };
    const entries = (input.TransactItems as Entry[]).map((entry) => {
      if (entry.Put) return { kind: 'put' as const, input: entry.Put };
      if (entry.Update) return { kind: 'update' as const, input: entry.Update };
      if (entry.Delete) return { kind: 'delete' as const, input: entry.Delete };
      return { kind: 'check' as const, input: entry.ConditionCheck! };
    });
    // All conditions first, on the items as they are: one failing cancels every write.
    const reasons = entries.map(({ kind, input: write }) => {
      try {
        if (kind === 'check') {
          const table = this.table(String(write.TableName));
          if (!conditionHolds(write.ConditionExpression, table.get(write.Key!), write.ExpressionAttributeNames, write.ExpressionAttributeValues)) throw new ConditionFailed(table.get(write.Key!));
        } else {
          this.apply(kind, write, sink, true, true);
        }
        return { Code: 'None' };
      } catch (error) {
        if (!(error instanceof ConditionFailed)) throw error;
        return { Code: 'ConditionalCheckFailed', Message: error.message, ...(write.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && error.item ? { Item: marshall(error.item, { removeUndefinedValues: true }) } : {}) };
      }
    });
    if (reasons.some((r) => r.Code !== 'None')) {
      // A cancelled transaction still costs its items' writes.
      for (const { kind, input: write } of entries) {
        if (kind === 'check') continue;
        const table = this.table(String(write.TableName));
        const key = kind === 'put' ? table.keyOf(write.Item!) : write.Key!;
        table.failed(key, table.get(key), sink, true);
      }
      throw new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: reasons as never });
    }
    for (const { kind, input: write } of entries) if (kind !== 'check') this.apply(kind, write, sink, true, false);
    return {};
  }

  private query(input: Record<string, unknown>): Record<string, unknown> {
    const table = this.table(String(input.TableName));
    const names = input.ExpressionAttributeNames as Names;
    const values = input.ExpressionAttributeValues as Values;
    const index = input.IndexName ? table.spec.indexes.find((i) => i.name === input.IndexName) : undefined;
    if (input.IndexName && !index) throw new Error(`${table.spec.name} has no index ${String(input.IndexName)}`);
    const partitionName = index ? index.partition : table.spec.partition;
    const sortName = index ? index.sort : table.spec.sort;
    const keyCondition = String(input.KeyConditionExpression);
    // The partition's equality: `<name> = :value` among the key condition's terms.
    const partitionValue = keyCondition.split(/\s+AND\s+/i).map((term) => /^\s*\(?\s*(#?\w+)\s*=\s*(:\w+)\s*\)?\s*$/.exec(term))
      .filter((m): m is RegExpExecArray => m !== null)
      .find((m) => (m[1]!.startsWith('#') ? names?.[m[1]!] : m[1]) === partitionName)?.[2];
    if (!partitionValue) throw new Error(`cannot find the partition key in: ${keyCondition}`);
    const partition = values?.[partitionValue];
    const candidates = index
      ? [...(table.indexes.get(index.name)!.get(String(partition))?.values() ?? [])]
      : [...(table.partitions.get(String(partition))?.values() ?? [])];
    const keyed = candidates
      .filter((item) => conditionHolds(keyCondition, item, names, values))
      .sort((a, b) => (sortName ? compareStrings(String(a[sortName]), String(b[sortName])) : 0));
    if (input.ScanIndexForward === false) keyed.reverse();
    // As DynamoDB pages: from after ExclusiveStartKey, at most Limit items read, the filter applied to those.
    const start = input.ExclusiveStartKey as Record<string, unknown> | undefined;
    const from = start && sortName ? keyed.findIndex((item) => item[sortName] === start[sortName]) + 1 : 0;
    const limit = typeof input.Limit === 'number' ? input.Limit : Infinity;
    const read = keyed.slice(from, from + limit);
    const items = read.filter((item) => conditionHolds(input.FilterExpression as string | undefined, item, names, values));
    const last = from + read.length < keyed.length ? read.at(-1) : undefined;
    const keyNames = [table.spec.partition, table.spec.sort, ...(index ? [index.partition, index.sort] : [])].filter((name): name is string => Boolean(name));
    return {
      Items: items.map((item) => ({ ...item })), Count: items.length, ScannedCount: read.length,
      ...(last ? { LastEvaluatedKey: Object.fromEntries(keyNames.map((name) => [name, last[name]])) } : {}),
    };
  }
}
