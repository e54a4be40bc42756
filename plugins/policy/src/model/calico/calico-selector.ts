/**
 * The Calico selector language (the `selector`, `namespaceSelector` and `serviceAccountSelector`
 * strings of Calico policies): parsing, evaluation against a label set, and Calico's
 * canonical text form.
 *
 * Grammar, as Calico's tokenizer and parser accept it:
 *
 *   selector   := <empty> | or                      (empty or blank text means all())
 *   or         := and ( "||" and )*
 *   and        := unary ( "&&" unary )*
 *   unary      := "!"* primary                      (an even run of "!" cancels out)
 *   primary    := "all()" | "global()" | "has(" label ")" | "(" or ")"
 *               | label ( "==" | "!=" | "contains" | "starts with" | "ends with" ) string
 *               | label ( "in" | "not in" ) "{" [ string ( "," string )* [ "," ] ] "}"
 *   label      := [A-Za-z0-9_./-]{1,512}
 *   string     := '"' <anything but "> '"' | "'" <anything but '> "'"   (no escapes)
 *
 * Lexical facts worth knowing:
 *  - whitespace is only space and tab (a newline is an error, not whitespace);
 *  - "all(", "global(" and "has(" must be written without a space before the parenthesis;
 *    spaces and tabs are allowed inside them ("has( a )");
 *  - the word operators are recognised only right after a label, so a label may be called
 *    `in`, `contains`, `all` or `has`; the two-word ones may be written with any run of
 *    blanks between the words, including none ("startswith", "notin");
 *  - a word operator must end at a word boundary ("a inx" is an error, `a in{"x"}` is fine).
 *
 * Semantics: `==`, `in`, `contains`, `starts with`, `ends with` and `has` need the label to be
 * present; `!=` and `not in` also match when it is absent. `global()` matches every label set:
 * whether a selector may select non-namespaced resources is decided by the caller that sees
 * the `global()` term, not by evaluation.
 *
 * Canonical form (Calico's Selector.String()): `&&` and `||` groups are always parenthesised
 * (and never flattened or reordered), a negation prints as "!" directly before its operand,
 * operators are surrounded by single spaces, a value is quoted with " unless it contains ",
 * and set members are sorted (by UTF-8 bytes) and de-duplicated. Like Calico's, the form is
 * not a fixpoint for a negated negation: "!(!has(a))" prints as "!!has(a)", which parses
 * back as has(a) (the same label sets, a different text).
 */

import { createHash } from 'node:crypto';

/** Calico's limit on the length of a label name in a selector. */
export const MAX_LABEL_LENGTH = 512;

export type ValueOperator = 'eq' | 'ne' | 'contains' | 'startsWith' | 'endsWith';
export type SetOperator = 'in' | 'notIn';

/** A selector's syntax tree, as the parser builds it (parentheses leave no node of their own). */
export type SelectorNode =
  | { readonly kind: 'all' }
  | { readonly kind: 'global' }
  | { readonly kind: 'has'; readonly key: string }
  | { readonly kind: ValueOperator; readonly key: string; readonly value: string }
  | { readonly kind: SetOperator; readonly key: string; readonly values: readonly string[] }
  | { readonly kind: 'not'; readonly operand: SelectorNode }
  | { readonly kind: 'and' | 'or'; readonly operands: readonly SelectorNode[] };

export type Labels = Readonly<Record<string, string>>;

/** A selector that cannot be parsed; `position` is the offset in `input` where the problem lies. */
export class SelectorError extends Error {
  override readonly name = 'SelectorError';

  constructor(
    readonly input: string,
    readonly position: number,
    readonly reason: string,
  ) {
    super(`invalid selector ${excerpt(input)}: ${reason} (at position ${position})`);
  }
}

function excerpt(input: string): string {
  return JSON.stringify(input.length > 80 ? `${input.slice(0, 77)}...` : input);
}

/** Whether `key` may be used as a label name in a selector. */
export function isValidSelectorLabel(key: string): boolean {
  return key.length > 0 && key.length <= MAX_LABEL_LENGTH && [...key].every((c) => isLabelChar(c.charCodeAt(0)));
}

function isLabelChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === 0x5f || // _
    c === 0x2e || // .
    c === 0x2f || // /
    c === 0x2d // -
  );
}

const hasOwn = (labels: Labels, key: string) => Object.prototype.hasOwnProperty.call(labels, key);

/** A parsed selector: immutable, evaluates label sets, prints Calico's canonical text. */
export class Selector {
  /** The syntax tree, with set members sorted and de-duplicated. */
  readonly root: SelectorNode;
  private text: string | undefined;

  /**
   * A selector from a syntax tree (`parseSelector` for text). Label names must be valid selector
   * labels, a value may not hold both kinds of quote (it could not be written), `and`/`or` need
   * two or more operands; anything else throws a RangeError.
   */
  constructor(root: SelectorNode) {
    this.root = checkNode(root);
  }

  /** Whether the label set (absent means empty) is selected. */
  matches(labels: Labels | undefined): boolean {
    return evaluate(this.root, labels ?? {});
  }

  /** Calico's normalised text form (Selector.String() in libcalico-go). */
  canonical(): string {
    if (this.text === undefined) this.text = print(this.root, []).join('');
    return this.text;
  }

  /** Calico's unique id for the selector: "s:" and the unpadded base64url SHA-224 of "s:<canonical>". */
  uniqueId(): string {
    return `s:${createHash('sha224').update(`s:${this.canonical()}`, 'utf8').digest('base64url')}`;
  }

  /** Same canonical text (what Calico uses to deduplicate selectors). */
  equals(other: Selector): boolean {
    return this.canonical() === other.canonical();
  }

  toString(): string {
    return this.canonical();
  }
}

function evaluate(node: SelectorNode, labels: Labels): boolean {
  switch (node.kind) {
    case 'all':
    case 'global':
      return true;
    case 'has':
      return hasOwn(labels, node.key);
    case 'eq':
      return hasOwn(labels, node.key) && labels[node.key] === node.value;
    case 'ne':
      return !hasOwn(labels, node.key) || labels[node.key] !== node.value;
    case 'contains':
      return hasOwn(labels, node.key) && labels[node.key].includes(node.value);
    case 'startsWith':
      return hasOwn(labels, node.key) && labels[node.key].startsWith(node.value);
    case 'endsWith':
      return hasOwn(labels, node.key) && labels[node.key].endsWith(node.value);
    case 'in':
      return hasOwn(labels, node.key) && node.values.includes(labels[node.key]);
    case 'notIn':
      return !hasOwn(labels, node.key) || !node.values.includes(labels[node.key]);
    case 'not':
      return !evaluate(node.operand, labels);
    case 'and':
      return node.operands.every((n) => evaluate(n, labels));
    case 'or':
      return node.operands.some((n) => evaluate(n, labels));
  }
}

const OPERATOR_TEXT: Record<ValueOperator | SetOperator, string> = {
  eq: '==',
  ne: '!=',
  contains: 'contains',
  startsWith: 'starts with',
  endsWith: 'ends with',
  in: 'in',
  notIn: 'not in',
};

/** Quote with " unless the value holds one (a value never holds both: there are no escapes). */
function quote(value: string): string {
  return value.includes('"') ? `'${value}'` : `"${value}"`;
}

function print(node: SelectorNode, out: string[]): string[] {
  switch (node.kind) {
    case 'all':
      out.push('all()');
      break;
    case 'global':
      out.push('global()');
      break;
    case 'has':
      out.push('has(', node.key, ')');
      break;
    case 'eq':
    case 'ne':
    case 'contains':
    case 'startsWith':
    case 'endsWith':
      out.push(node.key, ' ', OPERATOR_TEXT[node.kind], ' ', quote(node.value));
      break;
    case 'in':
    case 'notIn':
      out.push(node.key, ' ', OPERATOR_TEXT[node.kind], ' {', node.values.map(quote).join(', '), '}');
      break;
    case 'not':
      out.push('!');
      print(node.operand, out);
      break;
    case 'and':
    case 'or':
      out.push('(');
      node.operands.forEach((n, i) => {
        if (i > 0) out.push(node.kind === 'and' ? ' && ' : ' || ');
        print(n, out);
      });
      out.push(')');
      break;
  }
  return out;
}

/** Order of Go's string comparison: UTF-8 bytes, i.e. code points (not UTF-16 units). */
function compareUtf8(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.codePointAt(i) as number;
    const cb = b.codePointAt(j) as number;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  return i < a.length ? 1 : j < b.length ? -1 : 0;
}

/** A set literal's members as Calico keeps them: sorted, duplicates dropped. */
function toStringSet(values: readonly string[]): string[] {
  return [...new Set(values)].sort(compareUtf8);
}

// ---------------------------------------------------------------------------------------------
// Tokenizer

type TokenKind =
  | 'label'
  | 'string'
  | 'lbrace'
  | 'rbrace'
  | 'comma'
  | 'lparen'
  | 'rparen'
  | 'not'
  | 'and'
  | 'or'
  | 'all'
  | 'global'
  | 'has'
  | 'eof'
  | ValueOperator
  | SetOperator;

interface Token {
  kind: TokenKind;
  /** label name or string contents */
  value: string;
  pos: number;
  /** source text, for messages */
  text: string;
}

const isBlank = (c: string | undefined) => c === ' ' || c === '\t';

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  const fail = (pos: number, reason: string): never => {
    throw new SelectorError(input, pos, reason);
  };
  let i = 0;
  const skipBlanks = () => {
    while (isBlank(input[i])) i++;
  };
  /** A label name starting at i (i is advanced past it). */
  const label = (what: string): string => {
    const start = i;
    while (i < input.length && isLabelChar(input.charCodeAt(i))) i++;
    const name = input.slice(start, i);
    if (name === '') {
      const c = input[start];
      fail(start, c === undefined ? `expected ${what}, found the end of the selector` : `expected ${what}, found ${JSON.stringify(c)}`);
    }
    if (name.length > MAX_LABEL_LENGTH) fail(start, `label name is ${name.length} characters long, the limit is ${MAX_LABEL_LENGTH}`);
    return name;
  };
  const atBoundary = (at: number) => at >= input.length || !isLabelChar(input.charCodeAt(at));
  /** Match blank-separated words at i, ending on a word boundary; returns the end offset. */
  const words = (...ws: string[]): number | undefined => {
    let at = i;
    for (const w of ws) {
      if (!input.startsWith(w, at)) return undefined;
      at += w.length;
      if (ws.length > 1) while (isBlank(input[at])) at++; // Calico trims after each word of a multi-word operator
    }
    return atBoundary(at) ? at : undefined;
  };
  const push = (kind: TokenKind, start: number, value = '') => tokens.push({ kind, value, pos: start, text: input.slice(start, i) });

  for (;;) {
    skipBlanks();
    const start = i;
    if (i >= input.length) {
      push('eof', start);
      return tokens;
    }
    const c = input[i];
    const afterLabel = tokens.length > 0 && tokens[tokens.length - 1].kind === 'label';
    const two = input.slice(i, i + 2);
    if (c === '(' || c === ')' || c === '{' || c === '}' || c === ',') {
      i++;
      push(({ '(': 'lparen', ')': 'rparen', '{': 'lbrace', '}': 'rbrace', ',': 'comma' } as const)[c], start);
    } else if (c === '"' || c === "'") {
      const end = input.indexOf(c, i + 1);
      if (end < 0) fail(start, `unterminated string: no closing ${c}`);
      i = end + 1;
      push('string', start, input.slice(start + 1, end));
    } else if (c === '=') {
      if (two !== '==') fail(start, 'expected "==" ("=" alone is not an operator)');
      i += 2;
      push('eq', start);
    } else if (c === '!') {
      i += two === '!=' ? 2 : 1;
      push(two === '!=' ? 'ne' : 'not', start);
    } else if (c === '&') {
      if (two !== '&&') fail(start, 'expected "&&"');
      i += 2;
      push('and', start);
    } else if (c === '|') {
      if (two !== '||') fail(start, 'expected "||"');
      i += 2;
      push('or', start);
    } else if (afterLabel) {
      // After a label only an operator can follow; the word operators are recognised here only.
      const ops: [SetOperator | ValueOperator, string[]][] = [
        ['contains', ['contains']],
        ['startsWith', ['starts', 'with']],
        ['endsWith', ['ends', 'with']],
        ['notIn', ['not', 'in']],
        ['in', ['in']],
      ];
      const found = ops.map(([kind, ws]) => [kind, words(...ws)] as const).find(([, end]) => end !== undefined);
      if (!found) {
        const prev = tokens[tokens.length - 1].value;
        return fail(start, `expected an operator (==, !=, in, not in, contains, starts with, ends with) after label ${JSON.stringify(prev)}`);
      }
      i = found[1] as number;
      push(found[0], start);
    } else if (input.startsWith('has(', i)) {
      i += 4;
      skipBlanks();
      const name = label('a label name in has()');
      skipBlanks();
      if (input[i] !== ')') fail(i, 'expected ")" to close has(');
      i++;
      push('has', start, name);
    } else if (input.startsWith('all(', i) || input.startsWith('global(', i)) {
      const fn = input.startsWith('all(', i) ? 'all' : 'global';
      i += fn.length + 1;
      skipBlanks();
      if (input[i] !== ')') fail(i, `expected ")" to close ${fn}(`);
      i++;
      push(fn, start);
    } else {
      push('label', start, label('a label name, string, operator or parenthesis'));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Parser

function describe(t: Token): string {
  return t.kind === 'eof' ? 'the end of the selector' : JSON.stringify(t.text);
}

class Parser {
  private at = 0;

  constructor(
    private readonly input: string,
    private readonly tokens: Token[],
  ) {}

  private peek(): Token {
    return this.tokens[this.at];
  }

  private next(): Token {
    const t = this.tokens[this.at];
    if (t.kind !== 'eof') this.at++;
    return t;
  }

  private fail(t: Token, reason: string): never {
    throw new SelectorError(this.input, t.pos, reason);
  }

  parseRoot(): SelectorNode {
    if (this.peek().kind === 'eof') return { kind: 'all' };
    const node = this.parseOr();
    const rest = this.peek();
    if (rest.kind !== 'eof') this.fail(rest, `unexpected ${describe(rest)} after a complete expression (expected "&&", "||" or the end)`);
    return node;
  }

  private parseOr(): SelectorNode {
    const operands = [this.parseAnd()];
    while (this.peek().kind === 'or') {
      this.next();
      operands.push(this.parseAnd());
    }
    return operands.length === 1 ? operands[0] : { kind: 'or', operands };
  }

  private parseAnd(): SelectorNode {
    const operands = [this.parseUnary()];
    while (this.peek().kind === 'and') {
      this.next();
      operands.push(this.parseUnary());
    }
    return operands.length === 1 ? operands[0] : { kind: 'and', operands };
  }

  private parseUnary(): SelectorNode {
    let negated = false;
    while (this.peek().kind === 'not') {
      this.next();
      negated = !negated;
    }
    const node = this.parsePrimary();
    return negated ? { kind: 'not', operand: node } : node;
  }

  private parsePrimary(): SelectorNode {
    const t = this.next();
    switch (t.kind) {
      case 'all':
      case 'global':
        return { kind: t.kind };
      case 'has':
        return { kind: 'has', key: t.value };
      case 'lparen': {
        const node = this.parseOr();
        const close = this.next();
        if (close.kind !== 'rparen') this.fail(close, `expected ")" to close the "(" at position ${t.pos}, found ${describe(close)}`);
        return node;
      }
      case 'label':
        return this.parseComparison(t);
      default:
        return this.fail(t, `expected an expression (a label comparison, has(), all(), global(), "!" or "("), found ${describe(t)}`);
    }
  }

  private parseComparison(key: Token): SelectorNode {
    const op = this.next();
    switch (op.kind) {
      case 'eq':
      case 'ne':
      case 'contains':
      case 'startsWith':
      case 'endsWith': {
        const v = this.next();
        if (v.kind !== 'string') this.fail(v, `expected a quoted string after ${describe(op)}, found ${describe(v)}`);
        return { kind: op.kind, key: key.value, value: v.value };
      }
      case 'in':
      case 'notIn': {
        const open = this.next();
        if (open.kind !== 'lbrace') this.fail(open, `expected a set literal {"...", ...} after ${describe(op)}, found ${describe(open)}`);
        const values: string[] = [];
        while (this.peek().kind === 'string') {
          values.push(this.next().value);
          if (this.peek().kind !== 'comma') break;
          this.next();
        }
        const close = this.next();
        if (close.kind !== 'rbrace') this.fail(close, `expected a quoted string or "}" in the set literal, found ${describe(close)}`);
        return { kind: op.kind, key: key.value, values: toStringSet(values) };
      }
      default:
        return this.fail(op, `expected an operator after label ${JSON.stringify(key.value)}, found ${describe(op)}`);
    }
  }
}

/** Parse a selector; throws SelectorError when Calico would reject it. Empty text selects all. */
export function parseSelector(text: string): Selector {
  return new Selector(new Parser(text, tokenize(text)).parseRoot());
}

/** Why Calico would reject `text`, or undefined when it is a valid selector. */
export function selectorError(text: string): SelectorError | undefined {
  try {
    parseSelector(text);
    return undefined;
  } catch (e) {
    if (e instanceof SelectorError) return e;
    throw e;
  }
}

/**
 * Calico's Normalise: surrounding whitespace trimmed, then the canonical form; text that does
 * not parse is returned trimmed but otherwise unchanged.
 */
export function normaliseSelector(text: string): string {
  const trimmed = text.trim();
  return selectorError(trimmed) ? trimmed : parseSelector(trimmed).canonical();
}

function checkNode(node: SelectorNode): SelectorNode {
  const key = (k: string) => {
    if (!isValidSelectorLabel(k)) throw new RangeError(`invalid selector label name ${JSON.stringify(k)}`);
    return k;
  };
  const value = (v: string) => {
    if (v.includes('"') && v.includes("'")) throw new RangeError(`selector value ${JSON.stringify(v)} holds both quote characters and cannot be written`);
    return v;
  };
  switch (node.kind) {
    case 'all':
    case 'global':
      return { kind: node.kind };
    case 'has':
      return { kind: 'has', key: key(node.key) };
    case 'eq':
    case 'ne':
    case 'contains':
    case 'startsWith':
    case 'endsWith':
      return { kind: node.kind, key: key(node.key), value: value(node.value) };
    case 'in':
    case 'notIn':
      return { kind: node.kind, key: key(node.key), values: toStringSet(node.values.map(value)) };
    case 'not':
      return { kind: 'not', operand: checkNode(node.operand) };
    case 'and':
    case 'or':
      if (node.operands.length < 2) throw new RangeError(`a selector "${node.kind}" node needs at least two operands`);
      return { kind: node.kind, operands: node.operands.map(checkNode) };
    default:
      throw new RangeError(`unknown selector node ${JSON.stringify(node)}`);
  }
}
