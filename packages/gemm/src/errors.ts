// Typed errors of the GEMM entry points. Every one is thrown before any launch and names the argument, what was
// expected and what was given, so a caller can fix the call without reading the source.

export type DgGemmErrorCode = 'DG_SHAPE' | 'DG_DTYPE' | 'DG_DEVICE' | 'DG_LAYOUT' | 'DG_ARGUMENT' | 'DG_UNSUPPORTED';

export class DgGemmError extends Error {
  readonly code: DgGemmErrorCode;
  /** The offending argument as the caller wrote it, e.g. `a.scale` or `opts.stream`. */
  readonly argument: string;
  readonly expected: string;
  readonly actual: string;

  constructor(code: DgGemmErrorCode, fn: string, argument: string, expected: string, actual: string) {
    super(`${fn}: '${argument}' must be ${expected}; got ${actual}`);
    this.name = new.target.name;
    this.code = code;
    this.argument = argument;
    this.expected = expected;
    this.actual = actual;
  }
}

/** Wrong rank or sizes (including sizes that disagree between arguments and TMA's 16-byte rules). */
export class DgShapeError extends DgGemmError {
  constructor(fn: string, argument: string, expected: string, actual: string) {
    super('DG_SHAPE', fn, argument, expected, actual);
  }
}

/** Wrong element type. */
export class DgDtypeError extends DgGemmError {
  constructor(fn: string, argument: string, expected: string, actual: string) {
    super('DG_DTYPE', fn, argument, expected, actual);
  }
}

/** Tensors on different devices, or a stream on another device than the tensors. */
export class DgDeviceError extends DgGemmError {
  constructor(fn: string, argument: string, expected: string, actual: string) {
    super('DG_DEVICE', fn, argument, expected, actual);
  }
}

/** Strides or alignment the kernels cannot read (not K-major, misaligned base, overlapping output). */
export class DgLayoutError extends DgGemmError {
  constructor(fn: string, argument: string, expected: string, actual: string) {
    super('DG_LAYOUT', fn, argument, expected, actual);
  }
}

/** A malformed non-tensor argument (options, knobs). */
export class DgArgumentError extends DgGemmError {
  constructor(fn: string, argument: string, expected: string, actual: string) {
    super('DG_ARGUMENT', fn, argument, expected, actual);
  }
}

/** A valid request this build cannot run (e.g. a kernel variant not available on this device). */
export class DgUnsupportedError extends DgGemmError {
  constructor(fn: string, argument: string, expected: string, actual: string) {
    super('DG_UNSUPPORTED', fn, argument, expected, actual);
  }
}
