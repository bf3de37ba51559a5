import { describe, expect, it } from 'vitest';
import { ParamBuilder } from '../src/params.js';

describe('ParamBuilder', () => {
  it('places each value at its natural alignment, without tail padding', () => {
    const p = new ParamBuilder()
      .u32(7)
      .ptr(0x1000n)
      .i32(-1)
      .f32(1.5)
      .u64(2n ** 63n);
    // u32 @0, ptr @8 (8-aligned), i32 @16, f32 @20, u64 @24 -> 32 bytes
    const b = p.bytes();
    expect(b.byteLength).toBe(32);
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    expect(v.getUint32(0, true)).toBe(7);
    expect(v.getUint32(4, true)).toBe(0); // padding is zero
    expect(v.getBigUint64(8, true)).toBe(0x1000n);
    expect(v.getInt32(16, true)).toBe(-1);
    expect(v.getFloat32(20, true)).toBe(1.5);
    expect(v.getBigUint64(24, true)).toBe(2n ** 63n);
  });

  it('aligns tensor maps to 64 bytes', () => {
    const map = new Uint8Array(128).map((_, i) => i + 1);
    const b = new ParamBuilder().u32(1).tensorMap(map).u32(2).tensorMap(map).bytes();
    // u32 @0, map @64..192, u32 @192, map @256..384
    expect(b.byteLength).toBe(384);
    expect(Array.from(b.subarray(64, 192))).toEqual(Array.from(map));
    expect(Array.from(b.subarray(4, 64)).every((x) => x === 0)).toBe(true);
    expect(new DataView(b.buffer).getUint32(192, true)).toBe(2);
    expect(Array.from(b.subarray(256, 384))).toEqual(Array.from(map));
  });

  it('grows past its initial capacity and keeps earlier values', () => {
    const p = new ParamBuilder();
    for (let i = 0; i < 100; i++) p.u64(BigInt(i));
    const b = p.bytes();
    expect(b.byteLength).toBe(800);
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    for (let i = 0; i < 100; i++) expect(v.getBigUint64(i * 8, true)).toBe(BigInt(i));
    expect(p.byteLength).toBe(800);
  });

  it('u32 after a u32 packs with no gap; ptr after u32 skips 4 bytes', () => {
    expect(new ParamBuilder().u32(1).u32(2).bytes().byteLength).toBe(8);
    expect(new ParamBuilder().u32(1).ptr(1n).bytes().byteLength).toBe(16);
    expect(new ParamBuilder().bytes().byteLength).toBe(0);
  });

  it('rejects out-of-range and mistyped values, naming the kind, expected and actual value', () => {
    const p = new ParamBuilder();
    expect(() => p.u32(-1)).toThrow(/u32 value must be an integer in \[0, 4294967295\], got -1/);
    expect(() => p.u32(2 ** 32)).toThrow(RangeError);
    expect(() => p.u32(1.5)).toThrow(RangeError);
    expect(() => p.i32(2 ** 31)).toThrow(/i32 value/);
    expect(() => p.u64(-1n)).toThrow(/u64 value must be a bigint/);
    expect(() => p.u64(1 as unknown as bigint)).toThrow(/got 1$/);
    expect(() => p.ptr(2n ** 64n)).toThrow(/ptr value/);
    expect(() => p.f32('1' as unknown as number)).toThrow(TypeError);
    expect(() => p.tensorMap(new Uint8Array(64))).toThrow(/128-byte Uint8Array, got Uint8Array\(64 bytes\)/);
    expect(p.byteLength).toBe(0);
  });
});
