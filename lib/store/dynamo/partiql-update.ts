import type { WriteStatement } from '../../aws/batch-statements.js';

/**
 * A conditional update of one item, in the one shape the store batches: attributes set to
 * values, attributes removed, applied only while each attribute of `equals` has that value
 * (and the item exists: a PartiQL UPDATE never creates one).
 */
export interface ConditionalUpdate {
  readonly tableName: string;
  readonly key: Readonly<Record<string, string>>;
  /** Attributes to set; an undefined value is left out (as the document client leaves it out of an item). */
  readonly set: Readonly<Record<string, unknown>>;
  readonly remove: readonly string[];
  readonly equals: Readonly<Record<string, unknown>>;
}

/**
 * The PartiQL statement of `update`: `UPDATE "t" SET "a"=? … REMOVE "r" … WHERE "pk"=? AND
 * "sk"=? AND "c"=? …`, every name quoted (so reserved words such as `status` need no care),
 * every value a parameter, each SET and REMOVE with its own keyword (the form AWS documents).
 */
export function updateStatement(update: ConditionalUpdate): WriteStatement {
  const sets = Object.entries(update.set).filter(([, value]) => value !== undefined);
  const conditions = [...Object.entries(update.key), ...Object.entries(update.equals)];
  return {
    Statement: [
      `UPDATE ${quoted(update.tableName)}`,
      ...sets.map(([name]) => `SET ${quoted(name)}=?`),
      ...update.remove.map((name) => `REMOVE ${quoted(name)}`),
      `WHERE ${conditions.map(([name]) => `${quoted(name)}=?`).join(' AND ')}`,
    ].join(' '),
    Parameters: [...sets.map(([, value]) => value), ...conditions.map(([, value]) => value)],
    itemKey: Object.values(update.key).join('\u0000'),
  };
}

function quoted(name: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new RangeError(`"${name}" is not a name the store writes`);
  return `"${name}"`;
}
