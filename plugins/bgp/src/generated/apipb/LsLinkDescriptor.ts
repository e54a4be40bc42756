// Original file: proto/attribute.proto


export interface LsLinkDescriptor {
  'link_local_id'?: (number);
  'link_remote_id'?: (number);
  'interface_addr_ipv4'?: (string);
  'neighbor_addr_ipv4'?: (string);
  'interface_addr_ipv6'?: (string);
  'neighbor_addr_ipv6'?: (string);
}

export interface LsLinkDescriptor__Output {
  'link_local_id': (number);
  'link_remote_id': (number);
  'interface_addr_ipv4': (string);
  'neighbor_addr_ipv4': (string);
  'interface_addr_ipv6': (string);
  'neighbor_addr_ipv6': (string);
}
