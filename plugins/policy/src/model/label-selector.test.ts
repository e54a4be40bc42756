import fc from 'fast-check';
import { canonicalSelector, matchesSelector, selectorProblems, type LabelSelector, type LabelSelectorRequirement } from './label-selector';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', 'kubernetes.io/metadata.name': 'x' };

  it('an empty selector matches everything, absent labels included', () => {
    expect(matchesSelector({}, labels)).toBe(true);
    expect(matchesSelector({}, undefined)).toBe(true);
    expect(matchesSelector({ matchLabels: {}, matchExpressions: [] }, {})).toBe(true);
  });

  it('matchLabels: every pair must be present with that value', () => {
    expect(matchesSelector({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(matchesSelector({ matchLabels: { app: 'web', tier: 'back' } }, labels)).toBe(false);
    expect(matchesSelector({ matchLabels: { missing: '' } }, labels)).toBe(false);
    expect(matchesSelector({ matchLabels: { empty: '' } }, { empty: '' })).toBe(true);
  });

  it.each<[LabelSelectorRequirement, boolean]>([
    [{ key: 'app', operator: 'In', values: ['web', 'api'] }, true],
    [{ key: 'app', operator: 'In', values: ['api'] }, false],
    [{ key: 'missing', operator: 'In', values: ['x'] }, false],
    [{ key: 'app', operator: 'NotIn', values: ['api'] }, true],
    [{ key: 'app', operator: 'NotIn', values: ['web'] }, false],
    [{ key: 'missing', operator: 'NotIn', values: ['x'] }, true], // NotIn matches an absent key
    [{ key: 'tier', operator: 'Exists' }, true],
    [{ key: 'missing', operator: 'Exists' }, false],
    [{ key: 'missing', operator: 'DoesNotExist' }, true],
    [{ key: 'tier', operator: 'DoesNotExist' }, false],
    [{ key: 'app', operator: 'Similar', values: ['web'] }, false], // invalid: matches nothing
  ])('%j -> %s', (req, want) => {
    expect(matchesSelector({ matchExpressions: [req] }, labels)).toBe(want);
  });

  it('matchLabels and matchExpressions are ANDed', () => {
    expect(matchesSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] }, labels)).toBe(true);
    expect(matchesSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, labels)).toBe(false);
  });

  it('reports what the API server would reject', () => {
    expect(selectorProblems({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, 's')).toEqual(['s.matchExpressions[0]: operator In needs values']);
    expect(selectorProblems({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, 's')).toEqual(['s.matchExpressions[0]: operator Exists takes no values']);
    expect(selectorProblems({ matchExpressions: [{ key: 'a', operator: 'Near', values: ['x'] }] }, 's')).toEqual(['s.matchExpressions[0]: unknown operator "Near"']);
    expect(selectorProblems({ matchLabels: { a: 1 } }, 's')).toEqual(['s.matchLabels.a: value is not a string']);
    expect(selectorProblems({ matchLabels: { a: 'b' }, matchExpressions: [{ key: 'c', operator: 'NotIn', values: ['d'] }] }, 's')).toEqual([]);
    expect(selectorProblems(undefined, 's')).toEqual([]);
  });

  // Law: rewriting a selector into an equivalent one (matchLabels as In, shuffled requirements,
  // duplicated values) keeps its canonical form and what it matches.
  it('equivalent selectors have one canonical form and match alike', () => {
    const key = fc.constantFrom('a', 'b', 'c');
    const value = fc.constantFrom('1', '2', '3');
    const req: fc.Arbitrary<LabelSelectorRequirement> = fc.oneof(
      fc.record({ key, operator: fc.constantFrom('In', 'NotIn'), values: fc.array(value, { minLength: 1, maxLength: 3 }) }),
      fc.record({ key, operator: fc.constantFrom('Exists', 'DoesNotExist') }),
    );
    const selector = fc.record({ matchLabels: fc.dictionary(key, value, { maxKeys: 2 }), matchExpressions: fc.array(req, { maxLength: 3 }) });
    const labelSet = fc.dictionary(key, value, { maxKeys: 3 });
    fc.assert(
      fc.property(selector, labelSet, fc.integer(), (s, l, seed) => {
        const exprs = [...s.matchExpressions, ...Object.entries(s.matchLabels).map(([k, v]) => ({ key: k, operator: 'In', values: [v, v] }))];
        const shuffled = exprs.map((e, i) => ({ e, r: (i * 7919 + seed) % 101 })).sort((x, y) => x.r - y.r).map((x) => x.e);
        const twin: LabelSelector = { matchExpressions: shuffled.map((e) => (e.values ? { ...e, values: [...e.values].reverse() } : e)) };
        expect(canonicalSelector(twin)).toBe(canonicalSelector(s));
        expect(matchesSelector(twin, l)).toBe(matchesSelector(s, l));
      }),
      { numRuns: 500 },
    );
  });
});
