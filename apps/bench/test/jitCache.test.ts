// The jit suite's cold compiles must be cold: each compiles a source no earlier compile has seen.
import { describe, expect, it } from 'vitest';
import { uniqueSource } from '../src/gpu/jitCache.js';

describe('uniqueSource', () => {
  it('keeps the kernel source and appends a declaration no other call produces', () => {
    const src = 'extern "C" __global__ void k() {}\n';
    const a = uniqueSource(src);
    const b = uniqueSource(src);
    expect(a.startsWith(src)).toBe(true);
    expect(b.startsWith(src)).toBe(true);
    expect(a).not.toBe(b);
    for (const s of [a, b]) expect(s).toMatch(/\n__device__ int dg_bench_cold_[0-9a-z_]+;\n$/);
  });
});
