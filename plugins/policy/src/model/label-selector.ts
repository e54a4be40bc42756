/**
 * Kubernetes label selectors (metav1.LabelSelector) as NetworkPolicy uses them: matchLabels
 * and matchExpressions (In, NotIn, Exists, DoesNotExist), ANDed together. An empty selector
 * ({}) matches everything; an absent one is the caller's business (it means different things
 * in different fields of a NetworkPolicy).
 *
 * Semantics follow apimachinery's labels.Selector:
 *  - In: the key exists and its value is one of `values`;
 *  - NotIn: the key is absent, or its value is none of `values`;
 *  - Exists / DoesNotExist: presence of the key, `values` must be empty.
 * The API server rejects malformed selectors (unknown operator, In/NotIn without values,
 * Exists with values); objects that bypassed validation (a manifest directory) are reported
 * by `selectorProblems` so the plugin can refuse them instead of guessing.
 */

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export type Labels = Record<string, string> | undefined;

/** Whether `selector` matches `labels` (absent labels are an empty set). */
export function matchesSelector(selector: LabelSelector, labels: Labels): boolean {
  const l = labels ?? {};
  const has = (k: string) => Object.prototype.hasOwnProperty.call(l, k);
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (!has(k) || l[k] !== v) return false;
  for (const r of selector.matchExpressions ?? []) {
    const values = r.values ?? [];
    switch (r.operator) {
      case 'In':
        if (!has(r.key) || !values.includes(l[r.key])) return false;
        break;
      case 'NotIn':
        if (has(r.key) && values.includes(l[r.key])) return false;
        break;
      case 'Exists':
        if (!has(r.key)) return false;
        break;
      case 'DoesNotExist':
        if (has(r.key)) return false;
        break;
      default:
        return false; // invalid selectors match nothing (and are reported by selectorProblems)
    }
  }
  return true;
}

/** What the API server's validation would reject in this selector (empty when valid). */
export function selectorProblems(selector: unknown, where: string): string[] {
  if (selector === undefined || selector === null) return [];
  if (typeof selector !== 'object' || Array.isArray(selector)) return [`${where}: not a label selector`];
  const s = selector as LabelSelector;
  const out: string[] = [];
  if (s.matchLabels !== undefined) {
    if (typeof s.matchLabels !== 'object' || s.matchLabels === null || Array.isArray(s.matchLabels)) out.push(`${where}.matchLabels: not a map`);
    else for (const [k, v] of Object.entries(s.matchLabels)) if (typeof v !== 'string') out.push(`${where}.matchLabels.${k}: value is not a string`);
  }
  if (s.matchExpressions !== undefined && !Array.isArray(s.matchExpressions)) out.push(`${where}.matchExpressions: not a list`);
  (Array.isArray(s.matchExpressions) ? s.matchExpressions : []).forEach((r, i) => {
    const at = `${where}.matchExpressions[${i}]`;
    if (!r || typeof r.key !== 'string' || r.key === '') {
      out.push(`${at}: key is required`);
      return;
    }
    const values = r.values ?? [];
    if (!Array.isArray(values)) out.push(`${at}: values is not a list`);
    else if ((r.operator === 'In' || r.operator === 'NotIn') && values.length === 0) out.push(`${at}: operator ${r.operator} needs values`);
    else if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && values.length > 0) out.push(`${at}: operator ${r.operator} takes no values`);
    else if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(r.operator)) out.push(`${at}: unknown operator ${JSON.stringify(r.operator)}`);
  });
  return out;
}

/**
 * A canonical text form: equal for selectors that select the same label sets by construction
 * (matchLabels folded into In expressions with one value, requirements sorted, values sorted
 * and deduplicated, duplicates removed). Used to share one ipset between peers that select
 * the same pods.
 */
export function canonicalSelector(selector: LabelSelector): string {
  const reqs = new Set<string>();
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) reqs.add(`${k} In (${v})`);
  for (const r of selector.matchExpressions ?? []) {
    const values = [...new Set(r.values ?? [])].sort();
    reqs.add(r.operator === 'Exists' || r.operator === 'DoesNotExist' ? `${r.key} ${r.operator}` : `${r.key} ${r.operator} (${values.join(',')})`);
  }
  return [...reqs].sort().join(' && ') || '<all>';
}
