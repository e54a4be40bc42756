/**
 * Enum values of npol.api and the VPP return codes the npol handlers can answer with.
 *
 * Enum values: `plugins/npol.api.json` (`enums`) of vpp-binapi-ts's API definitions (binapi/api),
 * mirrored from VPP's src/plugins/npol/npol.api. Return codes: `api-errors.json` there (VPP
 * src/vnet/error.h); a test checks every code below against that file.
 */

/** vl_api_npol_ipset_type_t */
export const NpolIpsetType = {
  /** "Each member is an IP address" (npol.api) */
  IP: 0,
  /** "Each member is "<IP>,(tcp|udp):port" (3-tuple)" */
  IP_AND_PORT: 1,
  /** "Each member is a CIDR" */
  NET: 2,
} as const;

/** vl_api_npol_rule_action_t */
export const NpolRuleAction = {
  /** "Accept packet" */
  ALLOW: 0,
  /** "Drop / reject packet" */
  DENY: 1,
  /** "Ignored for now" */
  LOG: 2,
  /** "Skip following rules, resume evaluation at the policy with the id configured in npol_configure_policies" */
  PASS: 3,
} as const;

/** vl_api_npol_entry_type_t */
export const NpolEntryType = {
  /** simple prefix */
  CIDR: 0,
  PORT_RANGE: 1,
  /** "Points to an ip + proto + port set" */
  PORT_IP_SET: 2,
  /** "Points to an ip only set" */
  IP_SET: 3,
} as const;

/** vl_api_npol_policy_default_t */
export const NpolPolicyDefault = {
  /** "allow per default" */
  ALLOW: 0,
  /** "deny per default" */
  DENY: 1,
  /** "pass to profiles per default" */
  PASS: 2,
} as const;

/** vl_api_npol_rule_filter_type_t */
export const NpolRuleFilterType = {
  NONE: 0,
  ICMP_TYPE: 1,
  ICMP_CODE: 2,
  L4_PROTO: 3,
} as const;

/** Return codes used by the npol handlers (values from api-errors.json). */
export const NpolRetval = {
  OK: 0,
  /** VNET_API_ERROR_UNSPECIFIED: npol_rule_entry_decode's `default: return -1` (unknown entry type). */
  UNSPECIFIED: -1,
  /** VNET_API_ERROR_INVALID_SW_IF_INDEX: npol_configure_policies on an interface that does not exist. */
  INVALID_SW_IF_INDEX: -2,
  /** VNET_API_ERROR_NO_SUCH_ENTRY: unknown ipset / rule / policy id on add-del-members and deletes. */
  NO_SUCH_ENTRY: -6,
  /** VNET_API_ERROR_INVALID_VALUE: only used by the sim for a request VPP would abort on (see model.ts). */
  INVALID_VALUE: -7,
  /** VNET_API_ERROR_IP_PREFIX_INVALID: ip_prefix_decode2 (length too long, host bits set, bad family). */
  IP_PREFIX_INVALID: -88,
  /**
   * npol_configure_policies returns a bare `1` (not a VNET_API_ERROR code) when one of the
   * policy ids does not exist (npol_interface.c, label `error`).
   */
  CONFIGURE_UNKNOWN_POLICY: 1,
} as const;

/** npol_get_version_reply: NPOL_VERSION_MAJOR / NPOL_VERSION_MINOR in npol_api.c. */
export const NPOL_VERSION = { major: 0, minor: 0 } as const;

/** The ~0 id VPP puts in create replies when the create failed (NPOL_INVALID_INDEX). */
export const NPOL_INVALID_INDEX = 0xffffffff;

export type NpolActionName = 'allow' | 'deny' | 'log' | 'pass';

/** format_npol_rule_action: allow / deny / log / pass, anything else "unknownaction". */
export function ruleActionName(action: number): NpolActionName | `unknown(${number})` {
  switch (action) {
    case NpolRuleAction.ALLOW:
      return 'allow';
    case NpolRuleAction.DENY:
      return 'deny';
    case NpolRuleAction.LOG:
      return 'log';
    case NpolRuleAction.PASS:
      return 'pass';
    default:
      return `unknown(${action})`;
  }
}

export function ipsetTypeName(type: number): string {
  // format_npol_ipset_type
  switch (type) {
    case NpolIpsetType.IP:
      return 'ip';
    case NpolIpsetType.IP_AND_PORT:
      return 'ip+port';
    case NpolIpsetType.NET:
      return 'prefix';
    default:
      return 'unknownipsettype';
  }
}

export function policyDefaultName(value: number): string {
  switch (value) {
    case NpolPolicyDefault.ALLOW:
      return 'allow';
    case NpolPolicyDefault.DENY:
      return 'deny';
    case NpolPolicyDefault.PASS:
      return 'pass';
    default:
      return `unknown(${value})`;
  }
}

export function entryTypeName(type: number): string {
  switch (type) {
    case NpolEntryType.CIDR:
      return 'cidr';
    case NpolEntryType.PORT_RANGE:
      return 'port-range';
    case NpolEntryType.PORT_IP_SET:
      return 'port-ip-set';
    case NpolEntryType.IP_SET:
      return 'ip-set';
    default:
      return `unknown(${type})`;
  }
}

const PROTO_NAMES: Record<number, string> = {
  0: 'IP6_HOP_BY_HOP_OPTIONS',
  1: 'ICMP',
  2: 'IGMP',
  4: 'IP_IN_IP',
  6: 'TCP',
  17: 'UDP',
  41: 'IPV6',
  47: 'GRE',
  50: 'IPSEC_ESP',
  51: 'IPSEC_AH',
  58: 'ICMP6',
  132: 'SCTP',
};

/** A protocol's name as VPP's format_ip_protocol prints it (the names of vnet/ip/protocols.def). */
export function protoName(proto: number): string {
  return PROTO_NAMES[proto] ?? `unknown ${proto}`;
}
