// Typed errors of the runtime. Native failures are built here (through the factory the loader installs in the addon),
// so a failing driver call throws a CudaError directly, with no translation on the success path.
import { cudaResultName, isStickyResult, nvrtcResultName } from './cudaResults.js';

/** Base class of every error this package throws for a CUDA/NVRTC condition. */
export class DgRuntimeError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** No usable CUDA driver or device (or the native addon itself did not load); `reason` says which. */
export class CudaUnavailableError extends DgRuntimeError {
  declare readonly code: 'CUDA_UNAVAILABLE';
  readonly reason: string;
  constructor(reason: string) {
    super('CUDA_UNAVAILABLE', `CUDA is not available: ${reason}`);
    this.reason = reason;
  }
}

/** NVRTC could not be loaded; the driver may still be usable. */
export class NvrtcUnavailableError extends DgRuntimeError {
  declare readonly code: 'NVRTC_UNAVAILABLE';
  readonly reason: string;
  constructor(reason: string) {
    super('NVRTC_UNAVAILABLE', `NVRTC is not available: ${reason}`);
    this.reason = reason;
  }
}

/** A driver API call failed. `sticky` errors leave the context unusable. */
export class CudaError extends DgRuntimeError {
  readonly result: number;
  readonly call: string;
  readonly sticky: boolean;
  constructor(result: number, call: string) {
    const code = cudaResultName(result);
    const sticky = isStickyResult(result);
    const tail = sticky
      ? '. This error is sticky: the CUDA context of this device is now unusable and every later call on it will ' +
        'fail; restart the process (or reset the primary context)'
      : '';
    super(code, `${call} failed with ${code} (${result})${tail}`);
    this.result = result;
    this.call = call;
    this.sticky = sticky;
  }
}

/** An NVRTC call failed; `log` is the whole program log (compiler diagnostics) when there is one. */
export class NvrtcError extends DgRuntimeError {
  readonly result: number;
  readonly call: string;
  readonly log: string;
  constructor(result: number, call: string, log: string) {
    const code = nvrtcResultName(result);
    super(code, `${call} failed with ${code} (${result})${log ? `:\n${log}` : ''}`);
    this.result = result;
    this.call = call;
    this.log = log;
  }
}

/** The factory the addon calls to build its errors (see src/native/addon.cc `makeError`). */
export function nativeErrorFactory(kind: string, result: number, call: string, detail: string): Error {
  switch (kind) {
    case 'cuda':
      return new CudaError(result, call);
    case 'nvrtc':
      return new NvrtcError(result, call, detail);
    case 'nvrtc-unavailable':
      return new NvrtcUnavailableError(detail);
    default:
      return new CudaUnavailableError(detail);
  }
}
