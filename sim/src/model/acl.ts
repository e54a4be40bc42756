/**
 * VPP's ACL plugin, the part that filters IP packets on interfaces: ACLs (ordered rules, first
 * match wins) and each interface's input and output ACL lists. A packet on an interface with a
 * list is checked against its ACLs in order; if no rule of any ACL matches, it is dropped.
 * An interface with no list filters nothing.
 */
import { fromPrefix } from 'vpp-binapi-ts';
import { errorReply, fail, SimApiError } from './errors';
import { contains, parseCidr, type Cidr } from './ip';
import type { Body, MessageModule } from './node';

export interface AclRule {
  permit: boolean;
  src: Cidr;
  dst: Cidr;
  /** 0 = any protocol. */
  proto: number;
  sport: [number, number];
  dport: [number, number];
  api: any;
}

export interface Acl {
  index: number;
  tag: string;
  rules: AclRule[];
}

export interface AclVerdict {
  permit: boolean;
  text: string;
  acl?: number;
  rule?: number;
}

const TCP = 6;
const UDP = 17;

export class AclState {
  readonly acls = new Map<number, Acl>();
  /** sw_if_index -> input and output ACL indexes. */
  readonly lists = new Map<number, { input: number[]; output: number[] }>();
  private next = 0;
  /** Freed ACL indexes: the plugin's pool hands out the last freed one first. */
  private readonly freed: number[] = [];

  addReplace(b: Body): number {
    const rules: AclRule[] = (b.r ?? []).map((r: any) => ({
      permit: r.is_permit !== 0, src: parseCidr(fromPrefix(r.src_prefix)), dst: parseCidr(fromPrefix(r.dst_prefix)), proto: r.proto,
      sport: [r.srcport_or_icmptype_first, r.srcport_or_icmptype_last], dport: [r.dstport_or_icmpcode_first, r.dstport_or_icmpcode_last], api: r,
    }));
    if (b.acl_index === 0xffffffff || b.acl_index === undefined) {
      const index = this.freed.pop() ?? this.next++;
      this.acls.set(index, { index, tag: b.tag ?? '', rules });
      return index;
    }
    const acl = this.acls.get(b.acl_index);
    if (!acl) return fail('VNET_API_ERROR_NO_SUCH_ENTRY', `no ACL ${b.acl_index} to replace`);
    acl.rules = rules;
    acl.tag = b.tag ?? acl.tag;
    return acl.index;
  }

  del(index: number): void {
    if (!this.acls.has(index)) fail('VNET_API_ERROR_NO_SUCH_ENTRY', `no ACL ${index}`);
    for (const l of this.lists.values()) {
      if (l.input.includes(index)) fail('VNET_API_ERROR_ACL_IN_USE_INBOUND', `ACL ${index} is applied on input`);
      if (l.output.includes(index)) fail('VNET_API_ERROR_ACL_IN_USE_OUTBOUND', `ACL ${index} is applied on output`);
    }
    this.acls.delete(index);
    this.freed.push(index);
  }

  /** An n_input beyond the list is taken as the whole list being input (VPP does not refuse it). */
  setList(swIfIndex: number, acls: number[], nInput: number): void {
    for (const a of acls) if (!this.acls.has(a)) fail('VNET_API_ERROR_NO_SUCH_ENTRY', `no ACL ${a}`);
    if (acls.length === 0) this.lists.delete(swIfIndex);
    else this.lists.set(swIfIndex, { input: acls.slice(0, nInput), output: acls.slice(nInput) });
  }

  /** What the interface's ACLs say about a packet, or undefined when it has none for that side. */
  evaluate(swIfIndex: number, side: 'input' | 'output', p: { src: string; dst: string; proto: number; sport: number; dport: number }): AclVerdict | undefined {
    const list = this.lists.get(swIfIndex)?.[side];
    if (!list || list.length === 0) return undefined;
    for (const index of list) {
      const acl = this.acls.get(index)!;
      for (let i = 0; i < acl.rules.length; i++) {
        const r = acl.rules[i];
        if (r.src.family !== (p.src.includes(':') ? 6 : 4)) continue;
        if (!contains(r.src, p.src) || !contains(r.dst, p.dst)) continue;
        if (r.proto !== 0 && r.proto !== p.proto) continue;
        if (r.proto === TCP || r.proto === UDP) {
          if (p.sport < r.sport[0] || p.sport > r.sport[1] || p.dport < r.dport[0] || p.dport > r.dport[1]) continue;
        }
        return { permit: r.permit, acl: index, rule: i, text: `acl ${index}${acl.tag ? ` (${acl.tag})` : ''} rule ${i}: ${r.permit ? 'permit' : 'deny'}` };
      }
    }
    return { permit: false, text: `no rule of acl ${list.join(', ')} matched: deny` };
  }

  /** `interfaces`: the sw_if_indexes there are, in order (acl_interface_list_dump lists each). */
  module(isInterface: (sw: number) => boolean, interfaces: () => number[]): MessageModule {
    return {
      requests: {
        acl_add_replace: (b) => {
          try {
            return { acl_index: this.addReplace(b) };
          } catch (err) {
            // a failed replace echoes the index asked for
            if (err instanceof SimApiError) return errorReply(err.errorName, { acl_index: b.acl_index });
            throw err;
          }
        },
        acl_del: (b) => (this.del(b.acl_index), {}),
        acl_interface_set_acl_list: (b) => {
          if (!isInterface(b.sw_if_index)) fail('VNET_API_ERROR_INVALID_SW_IF_INDEX', `no interface ${b.sw_if_index}`);
          this.setList(b.sw_if_index, b.acls ?? [], b.n_input ?? 0);
          return {};
        },
      },
      dumps: {
        acl_dump: (b) =>
          [...this.acls.values()]
            .filter((a) => b.acl_index === undefined || b.acl_index === 0xffffffff || a.index === b.acl_index)
            .map((a) => ({ acl_index: a.index, tag: a.tag, count: a.rules.length, r: a.rules.map((r) => r.api) })),
        // every interface, with or without lists (or the one asked for)
        acl_interface_list_dump: (b) =>
          interfaces()
            .filter((sw) => b.sw_if_index === undefined || b.sw_if_index === 0xffffffff || sw === b.sw_if_index)
            .map((sw) => {
              const l = this.lists.get(sw) ?? { input: [], output: [] };
              return { sw_if_index: sw, count: l.input.length + l.output.length, n_input: l.input.length, acls: [...l.input, ...l.output] };
            }),
      },
    };
  }
}
