/**
 * The evaluator of DynamoDB expressions over plain (unmarshalled) items: reads paths and
 * operands (`#name` and `:value` placeholders resolved) and decides condition and filter
 * expressions, as parsed by expression-parser.ts. Update expressions are applied by
 * expression-update.ts, on the same reading of operands.
 */
import { parsedCondition, type Condition, type Operand, type PathRef } from './expression-parser.js';

export type Item = Record<string, unknown>;
export type Names = Readonly<Record<string, string>> | undefined;
export type Values = Readonly<Record<string, unknown>> | undefined;

/** A path into an item: attribute names and list indexes. */
export type Path = readonly (string | number)[];

export const MISSING = Symbol('missing');
export type Resolved = unknown;

export function resolvePath(ref: PathRef, names: Names): Path {
  return ref.map((part) => {
    if ('index' in part) return part.index;
    if (!part.name.startsWith('#')) return part.name;
    const name = names?.[part.name];
    if (name === undefined) throw new Error(`expression name ${part.name} is not defined`);
    return name;
  });
}

function valueOf(name: string, values: Values): unknown {
  if (!values || !(name in values)) throw new Error(`expression value ${name} is not defined`);
  return values[name];
}

export function read(item: Item | undefined, path: Path): Resolved {
  let current: unknown = item;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return MISSING;
    const next = (current as Record<string | number, unknown>)[part];
    if (next === undefined) return MISSING;
    current = next;
  }
  return current === undefined ? MISSING : current;
}

export function operandValue(operand: Operand, item: Item | undefined, names: Names, values: Values): Resolved {
  if (operand.type === 'value') return valueOf(operand.name, values);
  const value = read(item, resolvePath(operand.path, names));
  if (operand.type === 'path') return value;
  if (value === MISSING) return MISSING;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (Array.isArray(value)) return value.length;
  if (value instanceof Set) return value.size;
  if (value && typeof value === 'object') return Object.keys(value).length;
  return MISSING;
}

/** DynamoDB's ordering: only two numbers or two strings compare; anything else makes the comparison false. */
function order(a: Resolved, b: Resolved): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

function equal(a: Resolved, b: Resolved): boolean {
  if (a === MISSING || b === MISSING) return false;
  if (a === b) return true;
  if (a && b && typeof a === 'object' && typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

function holds(condition: Condition, item: Item | undefined, names: Names, values: Values): boolean {
  switch (condition.type) {
    case 'and': return holds(condition.left, item, names, values) && holds(condition.right, item, names, values);
    case 'or': return holds(condition.left, item, names, values) || holds(condition.right, item, names, values);
    case 'not': return !holds(condition.inner, item, names, values);
    case 'compare': {
      const left = operandValue(condition.left, item, names, values);
      const right = operandValue(condition.right, item, names, values);
      if (condition.op === '=') return equal(left, right);
      // A missing attribute is "not equal" to any value; ordering comparisons with it are false.
      if (condition.op === '<>') return !equal(left, right);
      const compared = order(left, right);
      if (compared === undefined) return false;
      switch (condition.op) {
        case '<': return compared < 0;
        case '<=': return compared <= 0;
        case '>': return compared > 0;
        default: return compared >= 0;
      }
    }
    case 'between': {
      const value = operandValue(condition.value, item, names, values);
      const low = order(value, operandValue(condition.low, item, names, values));
      const high = order(value, operandValue(condition.high, item, names, values));
      return low !== undefined && high !== undefined && low >= 0 && high <= 0;
    }
    case 'in': {
      const value = operandValue(condition.value, item, names, values);
      return condition.list.some((candidate) => equal(value, operandValue(candidate, item, names, values)));
    }
    case 'function': {
      const [first, second] = condition.args;
      const value = first ? operandValue(first, item, names, values) : MISSING;
      switch (condition.name) {
        case 'attribute_exists': return value !== MISSING;
        case 'attribute_not_exists': return value === MISSING;
        case 'begins_with': {
          const prefix = second ? operandValue(second, item, names, values) : MISSING;
          return typeof value === 'string' && typeof prefix === 'string' && value.startsWith(prefix);
        }
        case 'contains': {
          const part = second ? operandValue(second, item, names, values) : MISSING;
          if (typeof value === 'string' && typeof part === 'string') return value.includes(part);
          if (Array.isArray(value)) return value.some((v) => equal(v, part));
          if (value instanceof Set) return value.has(part);
          return false;
        }
        default: throw new Error(`unsupported condition function ${condition.name}`);
      }
    }
  }
}

/** Whether `expression` holds for `item` (undefined: the item does not exist). No expression always holds. */
export function conditionHolds(expression: string | undefined, item: Item | undefined, names: Names, values: Values): boolean {
  if (!expression) return true;
  return holds(parsedCondition(expression), item, names, values);
}