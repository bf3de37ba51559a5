// The committed WebAssembly bytes must be exactly what wasm/cast.wat assembles to, and both cast backends must agree
// bit for bit on inputs larger than one batch (rows split across batches, K not a multiple of 16, big K).
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without type declarations
import { assemble, render } from '../scripts/build-wasm.mjs';
import { perBlockCastToFp8, perTokenCastToFp8 } from '../src/index.js';
import { forceCastBackend, wasmCast } from '../src/wasm/castWasm.js';

afterEach(() => forceCastBackend(undefined));

function random(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = ((s >>> 8) / 2 ** 24 - 0.5) * 2 ** ((s & 31) - 16);
  }
  return x;
}

describe('WebAssembly cast loops', () => {
  it('src/wasm/castModule.ts is the assembly of wasm/cast.wat', async () => {
    const committed = readFileSync(new URL('../src/wasm/castModule.ts', import.meta.url), 'utf8');
    expect(committed).toBe(render(await assemble()));
  });

  it('are available on this engine (Node >= 20 has WebAssembly SIMD)', () => {
    expect(wasmCast()).not.toBeNull();
  });

  for (const [m, k, g] of [
    [300, 7168, 128],
    [3, 100_000, 128],
    [257, 1000, 32],
    [130, 4104, 128],
  ] as const) {
    it(`match the JS loops bit for bit: [${m}, ${k}] g=${g}`, () => {
      const x = random(m * k, m + k);
      x[17] = Number.NaN;
      x[k + 5] = Number.NEGATIVE_INFINITY;
      for (const ue8m0 of [false, true]) {
        forceCastBackend('wasm');
        const a = perTokenCastToFp8(x, m, k, { granularity: g, ue8m0 });
        const b = perBlockCastToFp8(x, m, k, { granularity: g, ue8m0 });
        forceCastBackend('js');
        const c = perTokenCastToFp8(x, m, k, { granularity: g, ue8m0 });
        const d = perBlockCastToFp8(x, m, k, { granularity: g, ue8m0 });
        expect(Buffer.compare(a.data, c.data)).toBe(0);
        expect(Buffer.compare(b.data, d.data)).toBe(0);
        expect(
          Buffer.compare(Buffer.from(a.scale.buffer), Buffer.from(c.scale.buffer)) === 0 || a.scale.some(Number.isNaN),
        ).toBe(true);
        expect([...b.scale].map(String)).toEqual([...d.scale].map(String));
      }
    });
  }
});
