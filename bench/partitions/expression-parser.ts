/**
 * The parser of the DynamoDB expressions the simulated DynamoDB evaluates: condition and filter
 * expressions (comparisons, IN, BETWEEN, AND/OR/NOT, attribute_exists, attribute_not_exists,
 * begins_with, contains, size) and update expressions (SET with `+`/`-` and
 * if_not_exists/list_append, REMOVE, ADD, DELETE), with `#name` and `:value` placeholders and
 * nested paths, into the syntax trees below. Each expression is parsed once and cached.
 */

/** A path as written: attribute names (`#name` placeholders unresolved) and list indexes. */
export type PathRef = readonly ({ name: string } | { index: number })[];

export type Operand =
  | { readonly type: 'path'; readonly path: PathRef }
  | { readonly type: 'value'; readonly name: string }
  | { readonly type: 'size'; readonly path: PathRef };

export type Condition =
  | { readonly type: 'and' | 'or'; readonly left: Condition; readonly right: Condition }
  | { readonly type: 'not'; readonly inner: Condition }
  | { readonly type: 'compare'; readonly op: string; readonly left: Operand; readonly right: Operand }
  | { readonly type: 'between'; readonly value: Operand; readonly low: Operand; readonly high: Operand }
  | { readonly type: 'in'; readonly value: Operand; readonly list: readonly Operand[] }
  | { readonly type: 'function'; readonly name: string; readonly args: readonly Operand[] };

export type SetTerm =
  | { readonly type: 'operand'; readonly operand: Operand }
  | { readonly type: 'if_not_exists'; readonly path: PathRef; readonly fallback: SetTerm }
  | { readonly type: 'list_append'; readonly first: SetTerm; readonly second: SetTerm };
export type SetValue = { readonly left: SetTerm; readonly op?: '+' | '-'; readonly right?: SetTerm };

export interface UpdatePlan {
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

export function parsedCondition(source: string): Condition {
  let parsed = conditions.get(source);
  if (!parsed) {
    const parser = new Parser(tokenize(source), source);
    parsed = parser.condition();
    if (!parser.done()) throw new Error(`trailing tokens in condition: ${source}`);
    conditions.set(source, parsed);
  }
  return parsed;
}

export function parsedUpdate(source: string): UpdatePlan {
  let parsed = updates.get(source);
  if (!parsed) {
    parsed = new Parser(tokenize(source), source).update();
    updates.set(source, parsed);
  }
  return parsed;
}