/**
 * A small evaluator of DynamoDB expressions over plain (unmarshalled) items, enough for the
 * writes jobline makes: condition and filter expressions (comparisons, IN, BETWEEN, AND/OR/NOT,
 * attribute_exists, attribute_not_exists, begins_with, contains, size) and update expressions
 * (SET with `+`/`-` and if_not_exists/list_append, REMOVE, ADD, DELETE), with `#name` and
 * `:value` placeholders and nested paths. Each expression is parsed once and cached.
 */

export type Item = Record<string, unknown>;
export type Names = Readonly<Record<string, string>> | undefined;
export type Values = Readonly<Record<string, unknown>> | undefined;

/** A path into an item: attribute names and list indexes. */
type Path = readonly (string | number)[];
type PathRef = readonly ({ name: string } | { index: number })[];

type Operand =
  | { readonly type: 'path'; readonly path: PathRef }
  | { readonly type: 'value'; readonly name: string }
  | { readonly type: 'size'; readonly path: PathRef };

type Condition =
  | { readonly type: 'and' | 'or'; readonly left: Condition; readonly right: Condition }
  | { readonly type: 'not'; readonly inner: Condition }
  | { readonly type: 'compare'; readonly op: string; readonly left: Operand; readonly right: Operand }
  | { readonly type: 'between'; readonly value: Operand; readonly low: Operand; readonly high: Operand }
  | { readonly type: 'in'; readonly value: Operand; readonly list: readonly Operand[] }
  | { readonly type: 'function'; readonly name: string; readonly args: readonly Operand[] };

type SetTerm =
  | { readonly type: 'operand'; readonly operand: Operand }
  | { readonly type: 'if_not_exists'; readonly path: PathRef; readonly fallback: SetTerm }
  | { readonly type: 'list_append'; readonly first: SetTerm; readonly second: SetTerm };
type SetValue = { readonly left: SetTerm; readonly op?: '+' | '-'; readonly right?: SetTerm };

interface UpdatePlan {
  readonly set: readonly { readonly path: PathRef; readonly value: SetValue }[];
  readonly remove: readonly PathRef[];
  readonly add: readonly { readonly path: PathRef; readonly value: Operand }[];
  readonly delete: readonly { readonly path: PathRef; readonly value: Operand }[];
}

// ---------------------------------------------------------------------------------------------
// Tokens

interface Token {
  readonly kind: 'word' | 'name' | 'value' | 'number' | 'punct';
  readonly text: string;
}

const PUNCTUATION = ['<>', '<=', '>=', '=', '<', '>', '(', ')', ',', '.', '[', ']', '+', '-'];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) { i++; continue; }
    const punct = PUNCTUATION.find((p) => source.startsWith(p, i));
    if (punct) { tokens.push({ kind: 'punct', text: punct }); i += punct.length; continue; }
    const match = /^[#:]?[A-Za-z0-9_]+/.exec(source.slice(i));
    if (!match) throw new Error(`cannot read expression at "${source.slice(i)}" in: ${source}`);
    const text = match[0];
    const kind = text.startsWith('#') ? 'name' : text.startsWith(':') ? 'value' : /^[0-9]+$/.test(text) ? 'number' : 'word';
    tokens.push({ kind, text });
    i += text.length;
  }
  return tokens;
}

class Parser {
  private position = 0;
  constructor(private readonly tokens: readonly Token[], private readonly source: string) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.position + offset];
  }

  done(): boolean {
    return this.position >= this.tokens.length;
  }

  next(): Token {
    const token = this.tokens[this.position++];
    if (!token) throw new Error(`unexpected end of expression: ${this.source}`);
    return token;
  }

  /** True (and consumed) when the next token is `text` (keywords case-insensitively). */
  accept(text: string): boolean {
    const token = this.peek();
    if (token && (token.kind === 'punct' ? token.text === text : token.kind === 'word' && token.text.toUpperCase() === text.toUpperCase())) {
      this.position++;
      return true;
    }
    return false;
  }

  expect(text: string): void {
    if (!this.accept(text)) throw new Error(`expected "${text}" at token ${this.position} of: ${this.source}`);
  }

  isKeyword(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.kind === 'word' && token.text.toUpperCase() === text;
  }

  // Conditions -------------------------------------------------------------------------------

  condition(): Condition {
    let left = this.conjunction();
    while (this.accept('OR')) left = { type: 'or', left, right: this.conjunction() };
    return left;
  }

  private conjunction(): Condition {
    let left = this.negation();
    while (this.accept('AND')) left = { type: 'and', left, right: this.negation() };
    return left;
  }

  private negation(): Condition {
    if (this.accept('NOT')) return { type: 'not', inner: this.negation() };
    return this.primary();
  }

  private primary(): Condition {
    if (this.accept('(')) {
      const inner = this.condition();
      this.expect(')');
      return inner;
    }
    const token = this.peek();
    if (token?.kind === 'word' && this.peek(1)?.text === '(' && token.text !== 'size') {
      const name = this.next().text;
      this.expect('(');
      const args = [this.operand()];
      while (this.accept(',')) args.push(this.operand());
      this.expect(')');
      return { type: 'function', name, args };
    }
    const left = this.operand();
    if (this.accept('BETWEEN')) {
      const low = this.operand();
      this.expect('AND');
      return { type: 'between', value: left, low, high: this.operand() };
    }
    if (this.accept('IN')) {
      this.expect('(');
      const list = [this.operand()];
      while (this.accept(',')) list.push(this.operand());
      this.expect(')');
      return { type: 'in', value: left, list };
    }
    const op = this.next();
    if (op.kind !== 'punct' || !['=', '<>', '<', '<=', '>', '>='].includes(op.text)) throw new Error(`expected a comparison, got "${op.text}" in: ${this.source}`);
    return { type: 'compare', op: op.text, left, right: this.operand() };
  }

  operand(): Operand {
    const token = this.peek();
    if (token?.kind === 'value') return { type: 'value', name: this.next().text };
    if (token?.kind === 'word' && token.text === 'size' && this.peek(1)?.text === '(') {
      this.next();
      this.expect('(');
      const path = this.path();
      this.expect(')');
      return { type: 'size', path };
    }
    return { type: 'path', path: this.path() };
  }

  path(): PathRef {
    const parts: ({ name: string } | { index: number })[] = [];
    const first = this.next();
    if (first.kind !== 'word' && first.kind !== 'name') throw new Error(`expected an attribute, got "${first.text}" in: ${this.source}`);
    parts.push({ name: first.text });
    for (;;) {
      if (this.accept('.')) {
        const part = this.next();
        parts.push({ name: part.text });
      } else if (this.accept('[')) {
        parts.push({ index: Number(this.next().text) });
        this.expect(']');
      } else {
        return parts;
      }
    }
  }

  // Updates ----------------------------------------------------------------------------------

  update(): UpdatePlan {
    const plan = { set: [] as UpdatePlan['set'][number][], remove: [] as PathRef[], add: [] as UpdatePlan['add'][number][], delete: [] as UpdatePlan['delete'][number][] };
    while (!this.done()) {
      const clause = this.next().text.toUpperCase();
      do {
        if (clause === 'SET') {
          const path = this.path();
          this.expect('=');
          plan.set.push({ path, value: this.setValue() });
        } else if (clause === 'REMOVE') {
          plan.remove.push(this.path());
        } else if (clause === 'ADD' || clause === 'DELETE') {
          const path = this.path();
          (clause === 'ADD' ? plan.add : plan.delete).push({ path, value: this.operand() });
        } else {
          throw new Error(`unknown update clause "${clause}" in: ${this.source}`);
        }
      } while (this.accept(','));
    }
    return plan;
  }

  private setValue(): SetValue {
    const left = this.setTerm();
    if (this.accept('+')) return { left, op: '+', right: this.setTerm() };
    if (this.accept('-')) return { left, op: '-', right: this.setTerm() };
    return { left };
  }

  private setTerm(): SetTerm {
    if (this.peek()?.kind === 'word' && this.peek(1)?.text === '(') {
      const name = this.next().text;
      this.expect('(');
      if (name === 'if_not_exists') {
        const path = this.path();
        this.expect(',');
        const fallback = this.setTerm();
        this.expect(')');
        return { type: 'if_not_exists', path, fallback };
      }
      if (name === 'list_append') {
        const first = this.setTerm();
        this.expect(',');
        const second = this.setTerm();
        this.expect(')');
        return { type: 'list_append', first, second };
      }
      throw new Error(`unknown function ${name} in: ${this.source}`);
    }
    return { type: 'operand', operand: this.operand() };
  }
}

const conditions = new Map<string, Condition>();
const updates = new Map<string, UpdatePlan>();

function parsedCondition(source: string): Condition {
  let parsed = conditions.get(source);
  if (!parsed) {
    const parser = new Parser(tokenize(source), source);
    parsed = parser.condition();
    if (!parser.done()) throw new Error(`trailing tokens in condition: ${source}`);
    conditions.set(source, parsed);
  }
  return parsed;
}

function parsedUpdate(source: string): UpdatePlan {
  let parsed = updates.get(source);
  if (!parsed) {
    parsed = new Parser(tokenize(source), source).update();
    updates.set(source, parsed);
  }
  return parsed;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

const MISSING = Symbol('missing');
type Resolved = unknown;

function resolvePath(ref: PathRef, names: Names): Path {
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

function read(item: Item | undefined, path: Path): Resolved {
  let current: unknown = item;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return MISSING;
    const next = (current as Record<string | number, unknown>)[part];
    if (next === undefined) return MISSING;
    current = next;
  }
  return current === undefined ? MISSING : current;
}

function operandValue(operand: Operand, item: Item | undefined, names: Names, values: Values): Resolved {
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
