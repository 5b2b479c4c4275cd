/**
 * The PartiQL the simulated DynamoDB reads: the one shape jobline's store batches
 * (lib/store/dynamo/partiql-update.ts) — `UPDATE "t" SET "a"=? … REMOVE "r" … WHERE "x"=? AND …`
 * — turned into the UpdateItem it is equivalent to: the key from the WHERE's key attributes,
 * the rest of the WHERE as the condition (with the item's existence: an UPDATE never creates
 * one). Anything else is undefined: the simulated DynamoDB refuses it as DynamoDB refuses a
 * statement it cannot parse.
 */
import type { Item, Names, Values } from './expression-evaluator.js';

export interface StatementAsUpdate {
  readonly TableName: string;
  readonly Key: Item;
  readonly UpdateExpression: string;
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Names;
  readonly ExpressionAttributeValues: Values;
}

const SHAPE = /^UPDATE "([^"]+)"((?: SET "[^"]+"=\?)*)((?: REMOVE "[^"]+")*) WHERE ("[^"]+"=\?(?: AND "[^"]+"=\?)*)$/;

export function statementAsUpdate(statement: string, parameters: readonly unknown[], keyNames: (tableName: string) => readonly string[]): StatementAsUpdate | undefined {
  const match = SHAPE.exec(statement);
  if (!match) return undefined;
  const names = (clause: string) => [...clause.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
  const [, tableName, setClause, removeClause, whereClause] = match;
  const sets = names(setClause!);
  const removes = names(removeClause!);
  const where = names(whereClause!);
  if (parameters.length !== sets.length + where.length) return undefined;
  const keyAttributes = keyNames(tableName!);
  const attributeNames: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const key: Item = {};
  const conditions: string[] = [];
  sets.forEach((name, i) => { attributeNames[`#s${i}`] = name; values[`:s${i}`] = parameters[i]; });
  removes.forEach((name, i) => { attributeNames[`#r${i}`] = name; });
  where.forEach((name, i) => {
    const value = parameters[sets.length + i];
    if (keyAttributes.includes(name)) {
      key[name] = value;
      return;
    }
    attributeNames[`#w${i}`] = name;
    values[`:w${i}`] = value;
    conditions.push(`#w${i} = :w${i}`);
  });
  if (keyAttributes.some((name) => !(name in key))) return undefined;
  attributeNames['#k'] = keyAttributes[0]!;
  const clauses = [
    ...(sets.length ? [`SET ${sets.map((_, i) => `#s${i} = :s${i}`).join(', ')}`] : []),
    ...(removes.length ? [`REMOVE ${removes.map((_, i) => `#r${i}`).join(', ')}`] : []),
  ];
  if (clauses.length === 0) return undefined;
  return {
    TableName: tableName!, Key: key, UpdateExpression: clauses.join(' '),
    ConditionExpression: ['attribute_exists(#k)', ...conditions].join(' AND '),
    ExpressionAttributeNames: attributeNames as Names, ExpressionAttributeValues: values as Values,
  };
}
