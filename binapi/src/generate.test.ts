import * as path from 'path';
import { diffGenerated, generateAll, pascalCase } from './generate';
import { loadSchema } from './schema';
import * as gen from './generated';
import { cnat, ip_types } from './generated';

const schema = loadSchema();
const files = generateAll(schema);

describe('generated modules', () => {
  it('src/generated is up to date with the .api.json files (run `npm run generate` if not)', () => {
    expect(diffGenerated(path.join(__dirname, 'generated'), files)).toEqual([]);
  });

  it('generates one file per module plus an index', () => {
    expect(files.length).toBe(schema.modules.size + 1);
    expect(files.map((f) => f.file)).toContain('cnat.ts');
  });

  it('is deterministic', () => {
    expect(generateAll(schema)).toEqual(files);
  });

  it('stamps every message with its name and CRC', () => {
    expect(cnat.cnat_translation_update).toEqual({
      name: 'cnat_translation_update',
      crc: '0xf8d40bc5',
      nameWithCrc: 'cnat_translation_update_f8d40bc5',
    });
    for (const [name, m] of Object.entries(gen.vppMessages)) {
      expect(m.name).toBe(name);
      expect(m.crc).toBe(schema.message(name).crc);
    }
    expect(Object.keys(gen.vppMessages).length).toBe(schema.messages.size);
  });

  it('exports enums, services and module versions', () => {
    expect(ip_types.AddressFamily.ADDRESS_IP6).toBe(1);
    expect(cnat.CnatLbType.CNAT_LB_TYPE_MAGLEV).toBe(1);
    expect(cnat.services.cnat_translation_dump).toEqual({ details: 'cnat_translation_details' });
    expect(cnat.services.cnat_translation_update).toEqual({ reply: 'cnat_translation_update_reply' });
    expect(gen.vppServices.want_interface_events).toEqual({ reply: 'want_interface_events_reply', events: ['sw_interface_event'] });
    expect(gen.vppServices.sw_interface_tx_placement_get).toEqual({
      reply: 'sw_interface_tx_placement_get_reply',
      details: 'sw_interface_tx_placement_details',
    });
    expect(gen.vppModules.cnat).toBe(schema.modules.get('cnat')!.version);
  });

  it('names types in PascalCase without vl_api_ / _t', () => {
    expect(pascalCase('cnat_endpoint_tuple')).toBe('CnatEndpointTuple');
    expect(pascalCase('ip4_address')).toBe('Ip4Address');
    const cnatFile = files.find((f) => f.file === 'cnat.ts')!.content;
    expect(cnatFile).toContain('export interface CnatTranslation {');
    expect(cnatFile).toContain("import type { Address, AddressFamily, Ip4Address, Ip6Address, IpProto, Prefix } from './ip_types';");
    expect(cnatFile).toContain('  n_paths?: number; // u32');
  });

  it('types the natural codec with the generated interfaces', () => {
    const typed: gen.VppMessages['cnat_translation_update'] = {
      translation: {
        vip: { addr: { af: ip_types.AddressFamily.ADDRESS_IP4, un: { ip4: new Uint8Array(4) } }, sw_if_index: 0, if_af: 0, port: 80 },
        id: 0,
        ip_proto: 6,
        is_real_ip: 0,
        flags: 0,
        lb_type: cnat.CnatLbType.CNAT_LB_TYPE_MAGLEV,
        flow_hash_config: 0,
        paths: [],
      },
    };
    expect(typed.translation.paths).toEqual([]);
  });
});
