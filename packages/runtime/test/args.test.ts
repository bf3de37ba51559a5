// Bad arguments throw TypeError/RangeError naming the argument, the expected and the actual value, before any driver
// call: on this GPU-less machine a driver call would throw CudaUnavailableError instead, which the tests would catch.
import { describe, expect, it } from 'vitest';
import * as rt from '../src/index.js';

describe('argument validation before any driver call', () => {
  it('deviceAlloc checks byteLength', () => {
    expect(() => rt.deviceAlloc(-1)).toThrow(/byteLength must be an integer in \[1, \d+\], got -1/);
    expect(() => rt.deviceAlloc(0)).toThrow(RangeError);
    expect(() => rt.deviceAlloc(1.5)).toThrow(/byteLength must be an integer, got 1\.5/);
    expect(() => rt.deviceAlloc('16' as unknown as number)).toThrow(TypeError);
  });

  it('copies check pointers and views', () => {
    const host = new Uint8Array(16);
    expect(() => rt.copyHostToDevice(16 as unknown as bigint, host)).toThrow(/dst must be a bigint, got 16/);
    expect(() => rt.copyHostToDevice(0n, host)).toThrow(/dst must be a non-null device pointer, got 0n/);
    expect(() => rt.copyHostToDevice(256n, [1, 2] as unknown as Uint8Array)).toThrow(
      /src must be a TypedArray or DataView, got \[1, 2\]/,
    );
    expect(() => rt.copyDeviceToHost({} as Uint8Array, 256n)).toThrow(TypeError);
    expect(() => rt.copyDeviceToDevice(256n, 512n, -4)).toThrow(/byteLength must be an integer in \[0, \d+\], got -4/);
    expect(() => rt.copyHostToDevice(256n, host, {} as rt.Stream)).toThrow(/stream must be a Stream, got Object/);
  });

  it('memsets check value ranges per width', () => {
    expect(() => rt.memsetD8(256n, 256, 1)).toThrow(/value must be an integer in \[0, 255\], got 256/);
    expect(() => rt.memsetD16(256n, 65536, 1)).toThrow(/\[0, 65535\]/);
    expect(() => rt.memsetD32(256n, -1, 1)).toThrow(/\[0, 4294967295\]/);
    expect(() => rt.memsetD32(256n, 0, -1)).toThrow(/count must be/);
  });

  it('launch checks the function, config and params', () => {
    const params = new Uint8Array(0);
    expect(() => rt.launch({} as rt.KernelFunction, { grid: 1, block: 1 }, params)).toThrow(
      /fn must be a KernelFunction, got Object/,
    );
  });

  it('module loading checks the image', () => {
    expect(() => rt.loadModule('ptx' as unknown as Uint8Array)).toThrow(/image must be a Uint8Array, got "ptx"/);
    expect(() => rt.loadModule(new Uint8Array(0))).toThrow(/image must not be empty/);
  });

  it('stream and event options are checked', () => {
    expect(() => rt.Stream.create({ nonBlocking: 'yes' as unknown as boolean })).toThrow();
    expect(() => rt.beginCapture({} as rt.Stream)).toThrow(/stream must be a Stream, got Object/);
  });

  it('handles cannot be constructed directly', () => {
    const Ctor = rt.DeviceBuffer as unknown as new (...a: unknown[]) => unknown;
    expect(() => new Ctor(Symbol('x'), 1n, 1, 0)).toThrow(/use deviceAlloc/);
  });

  it('NVRTC requests are checked before compiling', () => {
    expect(() => rt.nvrtcCompile({ source: 1 as unknown as string })).toThrow(/req\.source must be a string, got 1/);
    expect(() => rt.nvrtcCompile({ source: '', options: ['-O3', 3 as unknown as string] })).toThrow(
      /req\.options\[1\] must be a string, got 3/,
    );
    expect(() =>
      rt.nvrtcCompile({ source: '', headers: [{ name: 'a.h' } as { name: string; source: string }] }),
    ).toThrow(/req\.headers\[0\]\.source must be a string, got undefined/);
  });
});
