import fc from 'fast-check';
import { MAX_LABEL_LENGTH, Selector, SelectorError, isValidSelectorLabel, normaliseSelector, parseSelector, selectorError, type Labels, type SelectorNode } from './calico-selector';
import { readVectors } from '../../testdata/vectors';

// Calico's selector test tables (valid, invalid, canonical), from the repository's copy of the
// project's reference vectors (test/vectors/calico-selectors.json).
const VECTORS = readVectors<{
  valid: { selector: string; labels: Record<string, string>; matches: boolean }[];
  invalid: string[];
  canonical: { in: string; out: string; uid?: string }[];
}>('calico-selectors.json');

function rejects(text: string): SelectorError {
  const err = selectorError(text);
  if (!err) throw new Error(`expected ${JSON.stringify(text)} to be rejected, got ${parseSelector(text).canonical()}`);
  return err;
}

describe('Calico selectors: shared vectors', () => {
  it.each(VECTORS.valid)('$selector against $labels -> $matches', ({ selector, labels, matches }) => {
    const s = parseSelector(selector);
    expect(s.matches(labels)).toBe(matches);
    expect(parseSelector(s.canonical()).matches(labels)).toBe(matches);
  });

  it.each(VECTORS.invalid)('rejects %j', (text) => {
    expect(() => parseSelector(text)).toThrow(SelectorError);
  });

  it.each(VECTORS.canonical)('canonical of $in is $out', (v) => {
    const s = parseSelector(v.in);
    expect(s.canonical()).toBe(v.out);
    expect(parseSelector(v.out).canonical()).toBe(v.out);
    if (v.uid !== undefined) expect(s.uniqueId()).toBe(v.uid);
  });
});

describe('Calico selectors: evaluation', () => {
  const l = { a: 'a1', b: 'b1', 'k8s-app': 'kube-dns', 'calico/k8s_ns': 'kube-system', empty: '' };
  it.each<[string, Labels, boolean]>([
    ['', {}, true],
    [' \t ', l, true],
    ['all()', l, true],
    ['global()', {}, true],
    ['!all()', l, false],
    ['has(a)', l, true],
    ['has(z)', l, false],
    ['has(empty)', l, true],
    ['!has(z)', l, true],
    ['empty == ""', l, true],
    ['z == ""', l, false], // absent is not the empty string
    ['z != ""', l, true],
    ['a != "a1"', l, false],
    ['z != "x"', l, true],
    ['a contains "1"', l, true],
    ['a contains ""', l, true],
    ['z contains ""', l, false],
    ['k8s-app starts with "kube-"', l, true],
    ['k8s-app starts with "dns"', l, false],
    ['k8s-app ends with "-dns"', l, true],
    ['z ends with ""', l, false],
    ['a in {"a1", "a2"}', l, true],
    ['a in {}', l, false],
    ['z in {}', l, false],
    ['a not in {}', l, true],
    ['z not in {"x"}', l, true],
    ['a not in {"a1"}', l, false],
    ['calico/k8s_ns == "kube-system" && k8s-app == "kube-dns"', l, true],
    ['has(calico/k8s_ns) && !has(b)', l, false],
    // Labels named like prototype members are only present when they are own properties.
    ['has(constructor)', {}, false],
    ['has(__proto__)', {}, false],
    ['toString != "x"', {}, true],
    ['constructor == "c"', { constructor: 'c' }, true],
  ])('%s against %j -> %s', (text, labels, want) => {
    expect(parseSelector(text).matches(labels)).toBe(want);
  });

  it('treats absent labels as an empty set', () => {
    expect(parseSelector('a not in {"x"}').matches(undefined)).toBe(true);
    expect(parseSelector('has(a)').matches(undefined)).toBe(false);
  });

  it('compares values exactly: case, whitespace and quotes matter', () => {
    expect(parseSelector('a == "X"').matches({ a: 'x' })).toBe(false);
    expect(parseSelector('a == " x"').matches({ a: 'x' })).toBe(false);
    expect(parseSelector(`a == '"'`).matches({ a: '"' })).toBe(true);
    expect(parseSelector(`a == "it's"`).matches({ a: "it's" })).toBe(true);
    expect(parseSelector('a == "back\\slash"').matches({ a: 'back\\slash' })).toBe(true); // no escapes
    expect(parseSelector('a == "two\nlines"').matches({ a: 'two\nlines' })).toBe(true); // newlines allowed inside strings
    expect(parseSelector('a == "日本"').matches({ a: '日本' })).toBe(true);
  });
});

describe('Calico selectors: precedence and grouping', () => {
  // Truth table over labels {x, y, z} present/absent.
  const sets: Labels[] = [];
  for (let m = 0; m < 8; m++) sets.push(Object.fromEntries(['x', 'y', 'z'].filter((_, i) => m & (1 << i)).map((k) => [k, '1'])));
  const x = (l: Labels) => 'x' in l;
  const y = (l: Labels) => 'y' in l;
  const z = (l: Labels) => 'z' in l;

  it.each<[string, (l: Labels) => boolean]>([
    ['has(x) || has(y) && has(z)', (l) => x(l) || (y(l) && z(l))],
    ['has(x) && has(y) || has(z)', (l) => (x(l) && y(l)) || z(l)],
    ['(has(x) || has(y)) && has(z)', (l) => (x(l) || y(l)) && z(l)],
    ['!has(x) && has(y)', (l) => !x(l) && y(l)],
    ['!has(x) || has(y)', (l) => !x(l) || y(l)],
    ['!(has(x) || has(y))', (l) => !(x(l) || y(l))],
    ['!(has(x) && has(y)) || has(z)', (l) => !(x(l) && y(l)) || z(l)],
    ['!!has(x)', x],
    ['!!!has(x)', (l) => !x(l)],
    ['! ! ( ! has(x))', (l) => !x(l)],
    ['!(!has(x))', x],
    ['((has(x)))', x],
    ['x == "1" || y == "1" || z == "1"', (l) => x(l) || y(l) || z(l)],
    ['!x == "1" && !y != "1"', (l) => !x(l) && y(l)],
  ])('%s', (text, want) => {
    const s = parseSelector(text);
    for (const l of sets) expect([l, s.matches(l)]).toEqual([l, want(l)]);
  });

  it.each<[string, string]>([
    ['has(x) || has(y) && has(z)', '(has(x) || (has(y) && has(z)))'],
    ['has(x) && has(y) || has(z)', '((has(x) && has(y)) || has(z))'],
    ['a == "1" && b == "2" && c == "3"', '(a == "1" && b == "2" && c == "3")'],
    ['(a == "1" && b == "2") && c == "3"', '((a == "1" && b == "2") && c == "3")'], // no flattening
    ['a == "1" && (b == "2" && c == "3")', '(a == "1" && (b == "2" && c == "3"))'],
    ['c == "3" || a == "1"', '(c == "3" || a == "1")'], // no reordering
    ['!has(a)', '!has(a)'],
    ['!!has(a)', 'has(a)'],
    ['! !!has(a)', '!has(a)'],
    ['!(k == \'v\')', '!k == "v"'],
    ['!(a == "1" || b == "2")', '!(a == "1" || b == "2")'],
    ['!(!(k == \'v\' && has(t) || all()) && (a in {\'b\', \'c\'}))', '!(!((k == "v" && has(t)) || all()) && a in {"b", "c"})'],
    ['! (has( b)||! has(a ))', '!(has(b) || !has(a))'],
  ])('%s prints as %s', (text, want) => {
    expect(parseSelector(text).canonical()).toBe(want);
  });
});

describe('Calico selectors: lexical rules and canonical text', () => {
  it.each<[string, string]>([
    ['', 'all()'],
    ['   ', 'all()'],
    ['\t', 'all()'],
    [' all() ', 'all()'],
    ['all( )', 'all()'],
    ['global( \t)', 'global()'],
    ['has(\ta )', 'has(a)'],
    ['a=="b"', 'a == "b"'],
    ["a!='\"'", `a != '"'`],
    ['a == "\'"', `a == "'"`],
    ["a == 'plain'", 'a == "plain"'],
    ['a contains"x"', 'a contains "x"'],
    ['a startswith "x"', 'a starts with "x"'],
    ['a starts \t  with "x"', 'a starts with "x"'],
    ['a endswith "x"', 'a ends with "x"'],
    ['a ends  with "x"', 'a ends with "x"'],
    ['a notin {"x"}', 'a not in {"x"}'],
    ['a not   in{"x"}', 'a not in {"x"}'],
    ['a in{}', 'a in {}'],
    ['a in {"x",}', 'a in {"x"}'], // a trailing comma is accepted
    ['a in {"b","a"}', 'a in {"a", "b"}'],
    [`a in {'"', "'", "c"}`, `a in {'"', "'", "c"}`], // sorted by bytes: " (0x22) < ' (0x27) < c
    ['a in {"B", "a", "_", "1", ""}', 'a in {"", "1", "B", "_", "a"}'],
    ['a in {"\uFB01", "\u{1F600}"}', 'a in {"\uFB01", "\u{1F600}"}'], // UTF-8 order, not UTF-16
    ['contains contains "contains"', 'contains contains "contains"'],
    ['in in {"in"}', 'in in {"in"}'],
    ['startswith starts with "x"', 'startswith starts with "x"'],
    ['all == "x"', 'all == "x"'],
    ['has == "x"', 'has == "x"'],
    ['global != "x"', 'global != "x"'],
    ['not not in {"x"}', 'not not in {"x"}'],
    ['calico/k8s_NS-.1/role == "x"', 'calico/k8s_NS-.1/role == "x"'],
    ['has(calico/k8s_NS-.1/role)', 'has(calico/k8s_NS-.1/role)'],
    ['1 == "x"', '1 == "x"'],
    ['- == "x" && . == "y" && / == "z"', '(- == "x" && . == "y" && / == "z")'],
    ['a=="b"&&c=="d"||!e=="f"', '((a == "b" && c == "d") || !e == "f")'],
    ['a notin{"bar"}&&!has(foo)||b in{"c"}', '((a not in {"bar"} && !has(foo)) || b in {"c"})'],
  ])('%j -> %s', (text, want) => {
    expect(parseSelector(text).canonical()).toBe(want);
  });

  it('accepts labels up to 512 characters, in comparisons and in has()', () => {
    const k = 'k'.repeat(MAX_LABEL_LENGTH);
    expect(parseSelector(`${k} == "v"`).matches({ [k]: 'v' })).toBe(true);
    expect(parseSelector(`has(${k})`).canonical()).toBe(`has(${k})`);
    expect(rejects(`has(${k}k)`).position).toBe(4);
    expect(rejects(`x == "1" && ${k}k == "v"`).position).toBe(12);
  });

  it('has no length limit on values', () => {
    const v = 'v'.repeat(5000);
    expect(parseSelector(`a == "${v}"`).matches({ a: v })).toBe(true);
  });
});

describe('Calico selectors: errors', () => {
  it.each<[string, number, RegExp]>([
    ['a', 1, /expected an operator after label "a", found the end/],
    ['a ', 2, /expected an operator after label "a"/],
    ['a b', 2, /expected an operator .* after label "a"/],
    ['a = "b"', 2, /expected "=="/],
    ['a == b', 5, /expected a quoted string after "==", found "b"/],
    ['"b1" == b', 0, /expected an expression/],
    ['a == "b" & has(c)', 9, /expected "&&"/],
    ['a == "b" | has(c)', 9, /expected "\|\|"/],
    ['a == "b', 5, /unterminated string/],
    [`a == "b'`, 5, /unterminated string/],
    ["'FOO", 0, /unterminated string/],
    ['(', 1, /expected an expression.*found the end/],
    ['(a == "b"', 9, /expected "\)" to close the "\(" at position 0/],
    [')', 0, /expected an expression.*found "\)"/],
    ['()', 1, /expected an expression.*found "\)"/],
    ['!', 1, /expected an expression/],
    ['%', 0, /expected a label name.*found "%"/],
    ['a == "b" && %', 12, /found "%"/],
    ['has(foo) &&', 11, /expected an expression.*found the end/],
    ['has( foo ', 9, /expected "\)" to close has\(/],
    ['has()', 4, /expected a label name in has\(\)/],
    ['has (a)', 4, /expected an operator after label "has", found "\("/],
    ['all', 3, /expected an operator after label "all"/],
    ['all(', 4, /expected "\)" to close all\(/],
    ['global(', 7, /expected "\)" to close global\(/],
    ['all() all()', 6, /unexpected "all\(\)" after a complete expression/],
    ['has(a) has(b)', 7, /unexpected "has\(b\)"/],
    ['a in "x"', 5, /expected a set literal/],
    ['a in ("x")', 5, /expected a set literal/],
    ['a in {"x" "y"}', 10, /expected a quoted string or "}"/],
    ['a in {,}', 6, /expected a quoted string or "}"/],
    ['a in {"x",,"y"}', 10, /expected a quoted string or "}"/],
    ['a in {"", ||', 10, /expected a quoted string or "}"/],
    ['a in {has(b)}', 6, /expected a quoted string or "}"/],
    ['a inx {"x"}', 2, /expected an operator/],
    ['a starts "x"', 2, /expected an operator/],
    ['a starts withs "x"', 2, /expected an operator/],
    ['a ends foo "x"', 2, /expected an operator/],
    ['a squiggles "x"', 2, /expected an operator/],
    ['a == "x" || b', 13, /expected an operator after label "b"/],
    ['a\n== "x"', 1, /expected an operator/], // newline is not whitespace
    ['\nall()', 0, /found "\\n"/],
    ['all()\n', 5, /found "\\n"/],
    ['a.b:c == "x"', 3, /expected an operator/],
    ['é == "x"', 0, /expected a label name/],
  ])('%j fails at %d', (text, position, message) => {
    const err = rejects(text);
    expect(err).toBeInstanceOf(SelectorError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('SelectorError');
    expect(err.input).toBe(text);
    expect(err.message).toMatch(message);
    expect(err.position).toBe(position);
    expect(err.message).toContain(`at position ${position}`);
  });

  it('reports a label that is too long at its start, with its length', () => {
    const err = rejects(VECTORS.invalid.find((s) => s.length > 500) as string);
    expect(err.position).toBe(0);
    expect(err.reason).toMatch(/513 characters long, the limit is 512/);
    expect(err.message.length).toBeLessThan(200);
  });

  it('parseSelector throws the SelectorError', () => {
    expect(() => parseSelector('a b')).toThrow(/invalid selector "a b": expected an operator/);
  });
});

describe('Calico selectors: helpers', () => {
  it('normaliseSelector trims, canonicalises, and leaves unparseable text alone', () => {
    expect(normaliseSelector('\n a==\'b\' \n')).toBe('a == "b"');
    expect(normaliseSelector('')).toBe('all()');
    expect(normaliseSelector(' a b ')).toBe('a b');
  });

  it('isValidSelectorLabel follows the tokenizer', () => {
    expect(isValidSelectorLabel('projectcalico.org/name')).toBe(true);
    expect(isValidSelectorLabel('a'.repeat(512))).toBe(true);
    expect(isValidSelectorLabel('a'.repeat(513))).toBe(false);
    expect(isValidSelectorLabel('')).toBe(false);
    expect(isValidSelectorLabel('a b')).toBe(false);
    expect(isValidSelectorLabel('a:b')).toBe(false);
  });

  it('uniqueId is Calico\'s hash of the canonical text', () => {
    expect(parseSelector('').uniqueId()).toBe('s:5y5I3VdRZfDU01O--xXAPx2yxCQQqMf0M6IWug');
    expect(parseSelector('! (has( b)||! has(a ))').uniqueId()).toBe('s:Iss0uCleLYv1GSv_pNm7hAO58kE9jAx1NKyG3Q');
    expect(parseSelector('a in {"b","a"}').equals(parseSelector("a in {'a', 'b', 'a'}"))).toBe(true);
    expect(String(parseSelector('has(a)'))).toBe('has(a)');
  });

  it('builds selectors from syntax trees, normalising sets and checking what cannot be written', () => {
    const s = new Selector({ kind: 'and', operands: [{ kind: 'in', key: 'a', values: ['b', 'a', 'b'] }, { kind: 'not', operand: { kind: 'global' } }] });
    expect(s.canonical()).toBe('(a in {"a", "b"} && !global())');
    expect(() => new Selector({ kind: 'has', key: 'a b' })).toThrow(RangeError);
    expect(() => new Selector({ kind: 'eq', key: 'a', value: `"'` })).toThrow(RangeError);
    expect(() => new Selector({ kind: 'or', operands: [{ kind: 'all' }] })).toThrow(RangeError);
  });

  it('a negated negation prints as Calico does, which reparses without the negations', () => {
    const s = parseSelector('!(!has(a))');
    expect(s.root).toEqual({ kind: 'not', operand: { kind: 'not', operand: { kind: 'has', key: 'a' } } });
    expect(s.canonical()).toBe('!!has(a)');
    expect(parseSelector(s.canonical()).canonical()).toBe('has(a)');
  });
});

describe('Calico selectors: properties', () => {
  const keys = ['a', 'b', 'k8s-app', 'in', 'contains'];
  const key = fc.constantFrom(...keys);
  // Values: any text (quotes, braces, operators, unicode), but never both kinds of quote.
  const value = fc
    .oneof(fc.constantFrom('', 'x', 'y', 'xy', '"', "'", '{', '}', ',', ' && ', '||', '!', '(', ')', '\n', 'ü'), fc.string({ maxLength: 6, unit: 'grapheme' }))
    .filter((v) => !(v.includes('"') && v.includes("'")));
  const leaf: fc.Arbitrary<SelectorNode> = fc.oneof(
    fc.constant<SelectorNode>({ kind: 'all' }),
    fc.constant<SelectorNode>({ kind: 'global' }),
    key.map<SelectorNode>((k) => ({ kind: 'has', key: k })),
    fc.record({ kind: fc.constantFrom('eq', 'ne', 'contains', 'startsWith', 'endsWith'), key, value }),
    fc.record({ kind: fc.constantFrom('in', 'notIn'), key, values: fc.array(value, { maxLength: 4 }) }),
  );
  // Any tree the parser can produce, except a negation directly under a negation (see the
  // dedicated property below: Calico prints those as "!!x", which reads back as x).
  const tree = fc.letrec<{ node: SelectorNode; notOperand: SelectorNode; group: SelectorNode }>((tie) => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('notOperand').map<SelectorNode>((operand) => ({ kind: 'not', operand })), tie('group')),
    notOperand: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('group')),
    group: fc.record({ kind: fc.constantFrom('and', 'or'), operands: fc.array(tie('node'), { minLength: 2, maxLength: 4 }) }),
  })).node;
  const labels = fc.dictionary(key, fc.oneof(value, fc.constantFrom('x', 'y', 'xy')), { maxKeys: 4 });

  it('canonical text is a fixpoint and parses back to the same tree and matching', () => {
    fc.assert(
      fc.property(tree, fc.array(labels, { maxLength: 8 }), (node, labelSets) => {
        const s = new Selector(node);
        const back = parseSelector(s.canonical());
        expect(back.canonical()).toBe(s.canonical());
        expect(back.root).toEqual(s.root);
        for (const l of labelSets) expect(back.matches(l)).toBe(s.matches(l));
      }),
      { numRuns: 500 },
    );
  });

  it('with negated negations, matching still survives the round trip and the second print is a fixpoint', () => {
    const anyTree = fc.letrec<{ node: SelectorNode; group: SelectorNode }>((tie) => ({
      node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('node').map<SelectorNode>((operand) => ({ kind: 'not', operand })), tie('group')),
      group: fc.record({ kind: fc.constantFrom('and', 'or'), operands: fc.array(tie('node'), { minLength: 2, maxLength: 3 }) }),
    })).node;
    fc.assert(
      fc.property(anyTree, fc.array(labels, { maxLength: 6 }), (node, labelSets) => {
        const s = new Selector(node);
        const once = parseSelector(s.canonical());
        expect(parseSelector(once.canonical()).canonical()).toBe(once.canonical());
        for (const l of labelSets) expect(once.matches(l)).toBe(s.matches(l));
      }),
      { numRuns: 300 },
    );
  });

  it('the parser never throws anything but SelectorError, on any text', () => {
    const alphabet = fc.constantFrom('a', 'b', ' ', '\t', '"', "'", '=', '!', '&', '|', '(', ')', '{', '}', ',', 'has(', 'all(', 'global(', 'in', 'not', 'starts', 'with', 'contains', '%', '\n');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 20 }).map((a) => a.join('')), (text) => {
        let s: Selector | undefined;
        try {
          s = parseSelector(text);
        } catch (e) {
          expect(e).toBeInstanceOf(SelectorError);
          const err = e as SelectorError;
          expect(err.position).toBeGreaterThanOrEqual(0);
          expect(err.position).toBeLessThanOrEqual(text.length);
          return;
        }
        expect(parseSelector(s.canonical()).matches({ a: 'x' })).toBe(s.matches({ a: 'x' }));
      }),
      { numRuns: 2000 },
    );
  });
});
