/**
 * Write units of a BatchExecuteStatement, by the rules AWS bills each statement — those of the
 * UpdateItem it is equivalent to — since the emulator reports a flat unit per statement and no
 * index units for it. From each item before and after the request: the table's units,
 * max(before, after) in started KB, and each global secondary index's, as ministack figures them
 * for an UpdateItem (nothing when the index entry is unchanged, one write to add, remove or
 * rewrite it, two when its key moves). A statement refused on its condition counts 1 W, as the
 * meter counts a failed conditional write; one that did not run, nothing.
 */
import { DescribeTableCommand, DynamoDBClient, GetItemCommand, type AttributeValue, type GlobalSecondaryIndexDescription } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { statementAsUpdate } from '../partitions/partiql-statement.js';

type Marshalled = Record<string, AttributeValue>;
interface TableShape { readonly keys: string[]; readonly indexes: GlobalSecondaryIndexDescription[] }

/** An unmetered client: the meter's own reads are not the job's. */
const plain = new DynamoDBClient({});
const shapes = new Map<string, Promise<TableShape>>();

function shapeOf(tableName: string): Promise<TableShape> {
  let shape = shapes.get(tableName);
  if (!shape) {
    shape = plain.send(new DescribeTableCommand({ TableName: tableName })).then(({ Table }) => ({
      keys: (Table?.KeySchema ?? []).sort((a) => (a.KeyType === 'HASH' ? -1 : 1)).map((k) => k.AttributeName!),
      indexes: Table?.GlobalSecondaryIndexes ?? [],
    }));
    shapes.set(tableName, shape);
  }
  return shape;
}

/** The items a batch of statements writes, each `{ tableName, key }`, or undefined for a statement the meter cannot place. */
async function targets(statements: readonly { Statement?: string; Parameters?: unknown[] }[]): Promise<({ tableName: string; key: Marshalled } | undefined)[]> {
  return Promise.all(statements.map(async (s) => {
    const tableName = /^UPDATE "([^"]+)"/.exec(s.Statement ?? '')?.[1];
    if (!tableName) return undefined;
    const { keys } = await shapeOf(tableName);
    const parameters = (s.Parameters ?? []).map((p) => (isAttributeValue(p) ? p : marshall({ v: p }, { removeUndefinedValues: true }).v!));
    const update = statementAsUpdate(s.Statement ?? '', parameters, () => keys);
    return update ? { tableName, key: update.Key as Marshalled } : undefined;
  }));
}

function isAttributeValue(value: unknown): value is AttributeValue {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 1 && ['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS'].includes(Object.keys(value)[0]!);
}

async function itemAt(target: { tableName: string; key: Marshalled } | undefined): Promise<Marshalled | undefined> {
  if (!target) return undefined;
  return (await plain.send(new GetItemCommand({ TableName: target.tableName, Key: target.key, ConsistentRead: true }))).Item;
}

/** Runs `send` (the BatchExecuteStatement) between reads of the items it writes, and returns its output with the write units it cost. */
export async function meterStatements<T extends { output: unknown }>(statements: readonly { Statement?: string; Parameters?: unknown[] }[], send: () => Promise<T>): Promise<{ result: T; units: number }> {
  const placed = await targets(statements);
  const before = await Promise.all(placed.map(itemAt));
  const result = await send();
  const output = result.output as { Responses?: { Error?: { Code?: string } }[] };
  const after = await Promise.all(placed.map(itemAt));
  let units = 0;
  for (const [i, target] of placed.entries()) {
    const error = output.Responses?.[i]?.Error;
    if (error) units += error.Code === 'ConditionalCheckFailed' ? 1 : 0;
    else if (target) units += updateUnits((await shapeOf(target.tableName)).indexes, before[i], after[i]);
  }
  return { result, units };
}

function updateUnits(indexes: readonly GlobalSecondaryIndexDescription[], before: Marshalled | undefined, after: Marshalled | undefined): number {
  let units = kb(Math.max(before ? itemBytes(before) : 0, after ? itemBytes(after) : 0));
  for (const index of indexes) units += indexUnits(index, before, after);
  return units;
}

function kb(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 1024));
}

function indexUnits(index: GlobalSecondaryIndexDescription, before: Marshalled | undefined, after: Marshalled | undefined): number {
  const keys = (index.KeySchema ?? []).map((k) => k.AttributeName!);
  const view = (item: Marshalled | undefined) => (item && keys.every((k) => k in item) ? { signature: JSON.stringify(keys.map((k) => item[k])), bytes: itemBytes(item), json: JSON.stringify(item) } : undefined);
  if (index.Projection?.ProjectionType && index.Projection.ProjectionType !== 'ALL') throw new Error(`the meter figures only indexes that project ALL, not ${index.IndexName}`);
  const old = view(before);
  const now = view(after);
  if (!old && !now) return 0;
  if (!old) return kb(now!.bytes);
  if (!now) return kb(old.bytes);
  if (old.signature !== now.signature) return kb(old.bytes) + kb(now.bytes);
  return old.json === now.json ? 0 : Math.max(kb(old.bytes), kb(now.bytes));
}

function itemBytes(item: Marshalled): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((s, v) => s + Buffer.byteLength(v), 0);
  if (value.NS) return value.NS.reduce((s, v) => s + numberBytes(v), 0);
  if (value.L) return 3 + value.L.reduce((s, v) => s + 1 + valueBytes(v), 0);
  if (value.M) return 3 + Object.entries(value.M).reduce((s, [k, v]) => s + 1 + Buffer.byteLength(k) + valueBytes(v), 0);
  return 0;
}

/** Base-100 digit pairs aligned on the decimal point, plus 1, plus 1 if negative (ministack's rule). */
function numberBytes(text: string): number {
  const negative = text.trim().startsWith('-');
  const [mantissa = '', exponentText = ''] = text.trim().replace(/^[+-]/, '').toLowerCase().split('e');
  const [whole = '', fraction = ''] = mantissa.split('.');
  const digits = whole + fraction;
  if (!/^\d+$/.test(digits)) return 1;
  let exponent = (exponentText ? Number(exponentText) : 0) - fraction.length;
  let stripped = digits.replace(/^0+/, '').replace(/0+$/, '');
  if (!stripped) return 1;
  exponent += digits.replace(/^0+/, '').length - stripped.length;
  if (exponent % 2) stripped += '0';
  if (stripped.length % 2) stripped = `0${stripped}`;
  return 1 + stripped.length / 2 + (negative ? 1 : 0);
}
