/**
 * The part of Calico's selector language BGPPeer's nodeSelector and peerSelector use in
 * practice: `all()`, `has(k)`, `!has(k)`, `k == 'v'`, `k != 'v'`, `k in {'a', 'b'}`,
 * `k not in {...}`, joined by `&&`. Anything else (`||`, parentheses, functions) is refused
 * with BGP_SELECTOR_UNSUPPORTED rather than guessed at.
 */
export type LabelMatcher = (labels: Record<string, string>) => boolean;

const KEY = String.raw`[A-Za-z0-9_./-]+`;
const VAL = String.raw`'([^']*)'|"([^"]*)"`;
const TERMS: Array<[RegExp, (m: RegExpMatchArray) => LabelMatcher]> = [
  [/^all\(\)$/, () => () => true],
  [new RegExp(`^has\\((${KEY})\\)$`), (m) => (l) => m[1] in l],
  [new RegExp(`^!\\s*has\\((${KEY})\\)$`), (m) => (l) => !(m[1] in l)],
  [new RegExp(`^(${KEY})\\s*==\\s*(?:${VAL})$`), (m) => (l) => l[m[1]] === (m[2] ?? m[3])],
  [new RegExp(`^(${KEY})\\s*!=\\s*(?:${VAL})$`), (m) => (l) => l[m[1]] !== (m[2] ?? m[3])],
  [new RegExp(`^(${KEY})\\s+(not\\s+)?in\\s*\\{([^}]*)\\}$`), (m) => {
    const set = new Set(m[3].split(',').map((s) => s.trim().replace(/^['"]|['"]$/g, '')).filter(Boolean));
    return m[2] ? (l) => !set.has(l[m[1]]) : (l) => m[1] in l && set.has(l[m[1]]);
  }],
];

/** A matcher for the selector, or an error message naming what is not supported. */
export function parseSelector(text: string): LabelMatcher | string {
  const src = text.trim();
  if (!src) return () => true;
  if (src.includes('||')) return `selector "${text}": only terms joined by && are supported`;
  const terms = src.split('&&').map((t) => t.trim());
  const matchers: LabelMatcher[] = [];
  for (const t of terms) {
    const rule = TERMS.find(([re]) => re.test(t));
    if (!rule) return `selector "${text}": term "${t}" is not supported`;
    matchers.push(rule[1](t.match(rule[0])!));
  }
  return (labels) => matchers.every((m) => m(labels));
}
