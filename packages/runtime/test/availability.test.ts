// The addon's behaviour on a machine without a usable GPU (CI): importing works, availability is false with a reason,
// and every real use throws CudaUnavailableError carrying that reason.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';

type Runtime = typeof import('../src/index.js');

async function freshImport(env: Record<string, string | undefined> = {}): Promise<Runtime> {
  vi.resetModules();
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return import('../src/index.js');
}

afterEach(() => {
  delete process.env.DG_RUNTIME_ADDON;
});

const rt = await freshImport();
const addonLoaded = !rt.unavailableReason().includes('native addon');
const noGpu = !rt.isAvailable();

describe('import and availability', () => {
  it('import never throws and isAvailable() never throws', () => {
    expect(typeof rt.isAvailable()).toBe('boolean');
    expect(typeof rt.unavailableReason()).toBe('string');
    expect(typeof rt.isNvrtcAvailable()).toBe('boolean');
    expect(typeof rt.nvrtcUnavailableReason()).toBe('string');
  });

  it.skipIf(!noGpu || !addonLoaded)(
    `reports the missing driver library${noGpu && addonLoaded ? '' : ' (skipped: a driver is present or the addon is not built)'}`,
    () => {
      expect(rt.isAvailable()).toBe(false);
      expect(rt.unavailableReason()).toMatch(/libcuda\.so\.1/);
      // The dlopen error text is part of the reason.
      expect(rt.unavailableReason()).toMatch(/cannot open shared object file|not found|No such file/i);
    },
  );

  it.skipIf(!noGpu)(
    `deviceCount() and deviceAlloc() throw CudaUnavailableError with the reason${noGpu ? '' : ' (skipped: a GPU is present)'}`,
    () => {
      const reason = rt.unavailableReason();
      expect(reason).not.toBe('');
      for (const f of [
        () => rt.deviceCount(),
        () => rt.deviceAlloc(1024),
        () => rt.Stream.create(),
        () => rt.driverVersion(),
      ]) {
        let caught: unknown;
        try {
          f();
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(rt.CudaUnavailableError);
        const err = caught as InstanceType<Runtime['CudaUnavailableError']>;
        expect(err.code).toBe('CUDA_UNAVAILABLE');
        expect(err.reason).toBe(reason);
        expect(err.message).toContain(reason);
        expect(err).toBeInstanceOf(rt.DgRuntimeError);
      }
    },
  );

  it.skipIf(rt.isNvrtcAvailable())(
    `nvrtcCompile throws NvrtcUnavailableError when NVRTC is missing${rt.isNvrtcAvailable() ? ' (skipped: NVRTC is present)' : ''}`,
    () => {
      expect(rt.nvrtcUnavailableReason()).not.toBe('');
      expect(() => rt.nvrtcCompile({ source: '' })).toThrow(rt.NvrtcUnavailableError);
      expect(() => rt.nvrtcVersion()).toThrow(/NVRTC is not available/);
      if (addonLoaded) expect(rt.nvrtcUnavailableReason()).toMatch(/libnvrtc\.so\.13/);
    },
  );

  it('a missing addon file is reported, not thrown', async () => {
    const m = await freshImport({ DG_RUNTIME_ADDON: join(tmpdir(), 'dg-no-such-addon', 'dg_runtime.node') });
    expect(m.isAvailable()).toBe(false);
    expect(m.unavailableReason()).toMatch(/native addon .*dg_runtime\.node does not exist/);
    expect(() => m.deviceCount()).toThrow(m.CudaUnavailableError);
    expect(m.isNvrtcAvailable()).toBe(false);
  });

  it('an addon that fails to load is reported, not thrown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-bad-addon-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'dg_runtime.node');
    writeFileSync(path, 'not an ELF file');
    const m = await freshImport({ DG_RUNTIME_ADDON: path });
    expect(m.isAvailable()).toBe(false);
    expect(m.unavailableReason()).toMatch(/failed to load/);
    expect(() => m.deviceAlloc(16)).toThrow(/CUDA is not available: the native addon/);
  });
});
