// The `--with` syntax of `dg-bench gemm-configs`.
import { describe, expect, it } from 'vitest';
import { parseExtraConfig } from '../src/gpu/gemmConfigs.js';

describe('parseExtraConfig', () => {
  it('reads BMxBN:STAGES:MC with the optional nohint, nopipe and ewg switches', () => {
    expect(parseExtraConfig('64x16:16:a')).toEqual({ blockM: 64, blockN: 16, numStages: 16, multicast: 'a' });
    expect(parseExtraConfig('128x128:5:none:nohint')).toEqual({
      blockM: 128,
      blockN: 128,
      numStages: 5,
      multicast: 'none',
      l2Hints: false,
    });
    expect(parseExtraConfig('64x32:16:b:nohint:nopipe')).toEqual({
      blockM: 64,
      blockN: 32,
      numStages: 16,
      multicast: 'b',
      l2Hints: false,
      pipeline: false,
    });
    expect(parseExtraConfig('256x128:3:a:ewg')).toEqual({
      blockM: 256,
      blockN: 128,
      numStages: 3,
      multicast: 'a',
      epilogue: 'warpgroup',
    });
    expect(parseExtraConfig('64x32:16:none:nopipe')).toEqual({
      blockM: 64,
      blockN: 32,
      numStages: 16,
      multicast: 'none',
      pipeline: false,
    });
  });

  it('returns null for anything else', () => {
    for (const bad of [
      '',
      '96x16:4:none',
      '64x16:4',
      '64x16:4:c',
      '64x16:4:none:nopipe:nohint',
      '64x16:4:none:k2',
      '64x16:4:none:ewg:nopipe',
    ]) {
      expect(parseExtraConfig(bad), bad).toBeNull();
    }
  });
});
