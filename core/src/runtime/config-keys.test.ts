import { z } from 'zod';
import { closestKey, describeUnknownKey, unknownKeys } from './config-keys';

const schema = z.object({
  lbAlgorithm: z.enum(['maglev', 'ecmp']).default('maglev'),
  uplink: z.object({ interface: z.string().default('eth0'), gateway4: z.string().optional() }).default({ interface: 'eth0' }),
  pools: z.array(z.object({ cidr: z.string(), encapsulation: z.string() })).default([]),
  peers: z.record(z.string(), z.object({ asn: z.number() })).default({}),
  extra: z.looseObject({ known: z.boolean().optional() }).optional(),
  mode: z.union([z.object({ kind: z.literal('a'), alpha: z.number() }), z.object({ kind: z.literal('b'), beta: z.number() })]).optional(),
});

const messages = (value: unknown) => unknownKeys(schema, value, ['plugins', 'x']).map((u) => describeUnknownKey(u));

describe('unknown configuration keys', () => {
  it('names a misspelt key with its path and the nearest known key', () => {
    expect(messages({ lbAlgoritm: 'ecmp' })).toEqual(['plugins.x.lbAlgoritm: unknown key; did you mean lbAlgorithm?']);
  });

  it('looks inside nested objects (through defaults), arrays and records', () => {
    expect(
      messages({
        uplink: { interfase: 'eth1' },
        pools: [{ cidr: '10.0.0.0/8', encapsulation: 'none' }, { cidr: '10.1.0.0/16', encapsulaton: 'ipip' }],
        peers: { tor: { asn: 65000, asm: 1 } },
      }),
    ).toEqual([
      'plugins.x.uplink.interfase: unknown key; did you mean interface?',
      'plugins.x.pools.1.encapsulaton: unknown key; did you mean encapsulation?',
      'plugins.x.peers.tor.asm: unknown key; did you mean asn?',
    ]);
  });

  it('accepts every declared key, and anything under an object that allows extra keys', () => {
    expect(messages({ lbAlgorithm: 'ecmp', uplink: { interface: 'eth1', gateway4: '10.0.0.1' }, extra: { whatever: 1 } })).toEqual([]);
  });

  it('judges a union by the member the value fits best', () => {
    expect(messages({ mode: { kind: 'b', beta: 1 } })).toEqual([]);
    expect(messages({ mode: { kind: 'b', betta: 1 } })).toEqual(['plugins.x.mode.betta: unknown key; did you mean beta?']);
  });

  it('suggests nothing for a key that resembles no known one', () => {
    expect(closestKey('completelyDifferent', ['lbAlgorithm', 'uplink'])).toBeUndefined();
    expect(messages({ zzz: 1 })).toEqual(['plugins.x.zzz: unknown key']);
  });
});
