export { default, manifest, NPOL_MESSAGES } from './plugin';
export { policyConfig, type PolicyConfig } from './config';
export { CODES } from './codes';
export { compile, type CompileInput, type CompileResult, type Finding } from './model/compile';
export { matchesSelector, selectorProblems, canonicalSelector, type LabelSelector, type LabelSelectorRequirement } from './model/label-selector';
export { normalizePolicy, type NormalPolicy, type NormalRule, type Peer, type PortSpec } from './model/netpol';
export type { IpsetValue, RuleValue, PolicyValue, InterfaceValue, NpolValue, RuleEntry } from './model/values';
export { parseShowNpol, type Shown } from './descriptors/npol';
