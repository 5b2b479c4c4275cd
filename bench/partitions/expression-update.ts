/**
 * Update expressions applied to plain (unmarshalled) items: SET (with `+`/`-`, if_not_exists and
 * list_append), REMOVE, ADD and DELETE, on the plan expression-parser.ts makes of the expression,
 * every operand read (expression-evaluator.ts) from the item as it was before the update.
 */
import { MISSING, operandValue, read, resolvePath, type Item, type Names, type Path, type Resolved, type Values } from './expression-evaluator.js';
import { parsedUpdate, type SetTerm, type SetValue } from './expression-parser.js';

function termValue(term: SetTerm, item: Item | undefined, names: Names, values: Values): Resolved {
  switch (term.type) {
    case 'operand': return operandValue(term.operand, item, names, values);
    case 'if_not_exists': {
      const current = read(item, resolvePath(term.path, names));
      return current === MISSING ? termValue(term.fallback, item, names, values) : current;
    }
    case 'list_append': {
      const first = termValue(term.first, item, names, values);
      const second = termValue(term.second, item, names, values);
      if (!Array.isArray(first) || !Array.isArray(second)) throw new Error('list_append needs two lists');
      return [...first, ...second];
    }
  }
}

function setValue(value: SetValue, item: Item | undefined, names: Names, values: Values): unknown {
  const left = termValue(value.left, item, names, values);
  if (!value.op) {
    if (left === MISSING) throw new Error('SET to an attribute that does not exist');
    return left;
  }
  const right = termValue(value.right!, item, names, values);
  if (typeof left !== 'number' || typeof right !== 'number') throw new Error(`"${value.op}" needs two numbers (an operand is missing or not a number)`);
  return value.op === '+' ? left + right : left - right;
}

/**
 * Changes `path` in `root`, an object of the update's own: top-level attributes are set on it
 * directly; the containers along a nested path (shared with the item before) are copied first.
 */
function change(root: Item, path: Path, edit: (container: Record<string | number, unknown>, key: string | number) => void): void {
  let container: Record<string | number, unknown> = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const child = container[key];
    if (child === null || typeof child !== 'object') throw new Error(`the document path ${path.join('.')} does not exist`);
    const childCopy = Array.isArray(child) ? [...child] : { ...(child as object) };
    container[key] = childCopy;
    container = childCopy as Record<string | number, unknown>;
  }
  edit(container, path[path.length - 1]!);
}

/**
 * Applies an update expression to `item` (undefined: it does not exist yet; `key` is then its
 * start). Returns the new item (a fresh object: `item` is not changed) and the top-level
 * attributes the update set or added (for ReturnValues UPDATED_NEW).
 */
export function applyUpdate(expression: string | undefined, item: Item | undefined, key: Item, names: Names, values: Values): { item: Item; updated: string[] } {
  const next: Item = item ? { ...item } : { ...key };
  const updated: string[] = [];
  if (!expression) return { item: next, updated };
  const plan = parsedUpdate(expression);
  // Every operand reads the item as it was before the update.
  const assignments = plan.set.map(({ path, value }) => ({ path: resolvePath(path, names), value: setValue(value, item, names, values) }));
  for (const { path, value } of assignments) {
    change(next, path, (container, k) => { container[k] = value; });
    updated.push(String(path[0]));
  }
  for (const ref of plan.remove) {
    const path = resolvePath(ref, names);
    if (read(next, path) === MISSING) continue;
    change(next, path, (container, k) => {
      if (Array.isArray(container)) container.splice(Number(k), 1);
      else delete container[k];
    });
  }
  for (const { path: ref, value: operand } of plan.add) {
    const path = resolvePath(ref, names);
    const addend = operandValue(operand, item, names, values);
    const current = read(item, path);
    let result: unknown;
    if (typeof addend === 'number') {
      if (current !== MISSING && typeof current !== 'number') throw new Error('ADD of a number to an attribute that is not a number');
      result = (current === MISSING ? 0 : (current as number)) + addend;
    } else if (addend instanceof Set) {
      result = new Set([...(current instanceof Set ? current : []), ...addend]);
    } else {
      throw new Error('ADD needs a number or a set');
    }
    change(next, path, (container, k) => { container[k] = result; });
    updated.push(String(path[0]));
  }
  for (const { path: ref, value: operand } of plan.delete) {
    const path = resolvePath(ref, names);
    const removed = operandValue(operand, item, names, values);
    const current = read(next, path);
    if (!(current instanceof Set) || !(removed instanceof Set)) continue;
    const rest = new Set([...current].filter((v) => !removed.has(v)));
    change(next, path, (container, k) => {
      if (rest.size === 0) delete container[k];
      else container[k] = rest;
    });
  }
  return { item: next, updated: [...new Set(updated)] };
}
