import { clusterKind } from '@vppnet/core';
import { KINDS, apiVersionOf } from './kinds';

describe('kind names', () => {
  it('are the names every cluster source uses (core clusterKind), so manifests and the API agree', () => {
    for (const k of KINDS) expect(clusterKind(apiVersionOf(k), k.apiKind)).toBe(k.kind);
  });
});
