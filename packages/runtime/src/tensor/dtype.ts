// Element types and their host representation. Host arrays hold raw encodings: bf16/f16 as Uint16Array bit patterns
// and FP8 as Uint8Array bytes, because JavaScript has no native 16- or 8-bit floats and kernels read those bits as is.

export type DType = 'f32' | 'bf16' | 'f16' | 'e4m3fn' | 'e5m2' | 'i32' | 'i64' | 'u8';

/** Every dtype, in a stable order (used in error messages). */
export const DTYPES: readonly DType[] = ['f32', 'bf16', 'f16', 'e4m3fn', 'e5m2', 'i32', 'i64', 'u8'];

/** The host array types a tensor can hold. */
export type TypedArray = Float32Array | Uint16Array | Uint8Array | Int32Array | BigInt64Array;

/** The host array type that stores dtype `D`. */
export type HostArrayOf<D extends DType> = D extends 'f32'
  ? Float32Array
  : D extends 'bf16' | 'f16'
    ? Uint16Array
    : D extends 'e4m3fn' | 'e5m2' | 'u8'
      ? Uint8Array
      : D extends 'i32'
        ? Int32Array
        : BigInt64Array;

const SIZES: Readonly<Record<DType, number>> = {
  f32: 4,
  bf16: 2,
  f16: 2,
  e4m3fn: 1,
  e5m2: 1,
  i32: 4,
  i64: 8,
  u8: 1,
};

const ARRAY_NAMES: Readonly<Record<DType, string>> = {
  f32: 'Float32Array',
  bf16: 'Uint16Array',
  f16: 'Uint16Array',
  e4m3fn: 'Uint8Array',
  e5m2: 'Uint8Array',
  i32: 'Int32Array',
  i64: 'BigInt64Array',
  u8: 'Uint8Array',
};

export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && Object.hasOwn(SIZES, value);
}

/** Throws a TypeError naming `arg` unless `value` is a known dtype. */
export function checkDType(value: unknown, arg: string): DType {
  if (!isDType(value)) {
    throw new TypeError(`${arg}: expected one of ${DTYPES.join(', ')}, got ${describe(value)}`);
  }
  return value;
}

/** Bytes per element. */
export function dtypeSize(d: DType): number {
  return SIZES[checkDType(d, 'dtypeSize(d)')];
}

/** Bytes per element of an already validated dtype (hot paths skip the check). */
export function elementSize(d: DType): number {
  return SIZES[d];
}

/** The name of the host array class that stores `d` (for messages). */
export function hostArrayName(d: DType): string {
  return ARRAY_NAMES[d];
}

/** A zero-filled host array of `length` elements of `d`. */
export function allocHost<D extends DType>(d: D, length: number): HostArrayOf<D>;
export function allocHost(d: DType, length: number): TypedArray {
  switch (d) {
    case 'f32':
      return new Float32Array(length);
    case 'bf16':
    case 'f16':
      return new Uint16Array(length);
    case 'e4m3fn':
    case 'e5m2':
    case 'u8':
      return new Uint8Array(length);
    case 'i32':
      return new Int32Array(length);
    case 'i64':
      return new BigInt64Array(length);
  }
}

/** Whether `data` is the host array class that stores `d`. */
export function arrayMatchesDType(data: TypedArray, d: DType): boolean {
  return arrayClassName(data) === ARRAY_NAMES[d];
}

/**
 * The dtype a host array implies, or undefined where the array type is shared by several dtypes (Uint16Array: bf16 or
 * f16) and the caller must say which. Uint8Array means u8: FP8 data must name its format explicitly.
 */
export function inferDType(data: TypedArray): DType | undefined {
  if (data instanceof Float32Array) return 'f32';
  if (data instanceof Int32Array) return 'i32';
  if (data instanceof BigInt64Array) return 'i64';
  if (data instanceof Uint8Array) return 'u8';
  return undefined;
}

/** Whether `value` is one of the host array classes a tensor can hold (Uint8ClampedArray and friends are not). */
export function isTensorArray(value: unknown): value is TypedArray {
  return (
    value instanceof Float32Array ||
    value instanceof Uint16Array ||
    value instanceof Uint8Array ||
    value instanceof Int32Array ||
    value instanceof BigInt64Array
  );
}

function arrayClassName(data: TypedArray): string {
  // Checked in this order because no class here subclasses another; constructor.name could be spoofed by subclasses.
  if (data instanceof Float32Array) return 'Float32Array';
  if (data instanceof Uint16Array) return 'Uint16Array';
  if (data instanceof Uint8Array) return 'Uint8Array';
  if (data instanceof Int32Array) return 'Int32Array';
  return 'BigInt64Array';
}

/** A short description of any value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (isTensorArray(value)) return `${arrayClassName(value)}(${value.length})`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${value.byteLength} bytes)`;
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return String(value);
}
