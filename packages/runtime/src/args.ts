// Argument checks shared by the public functions: they throw TypeError/RangeError naming the argument, the expected
// and the actual value, before any driver call.

/** A short, bounded rendering of a value for error messages. */
export function describe(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (v === null || typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return `[${v.slice(0, 8).map(describe).join(', ')}${v.length > 8 ? ', ...' : ''}]`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${v.byteLength} bytes)`;
  return v.constructor?.name ?? 'object';
}

export function expectInt(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new TypeError(`${name} must be an integer, got ${describe(v)}`);
  }
  if (v < min || v > max) throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${v}`);
  return v;
}

export function expectBigint(name: string, v: unknown, min: bigint, max: bigint): bigint {
  if (typeof v !== 'bigint') throw new TypeError(`${name} must be a bigint, got ${describe(v)}`);
  if (v < min || v > max) throw new RangeError(`${name} must be a bigint in [${min}, ${max}], got ${v}n`);
  return v;
}

export function expectBool(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${describe(v)}`);
  return v;
}

export function expectString(name: string, v: unknown): string {
  if (typeof v !== 'string') throw new TypeError(`${name} must be a string, got ${describe(v)}`);
  return v;
}

export function expectView(name: string, v: unknown): ArrayBufferView {
  if (!ArrayBuffer.isView(v)) throw new TypeError(`${name} must be a TypedArray or DataView, got ${describe(v)}`);
  return v;
}

export function expectOneOf<T extends string>(name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new TypeError(`${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(v)}`);
  }
  return v as T;
}

export const U64_MAX = (1n << 64n) - 1n;
/** Byte counts go through doubles in the addon, so they stay exact integers. */
export const MAX_BYTES = Number.MAX_SAFE_INTEGER;

/** A device pointer: a non-zero bigint in the 64-bit range. */
export function expectPtr(name: string, v: unknown): bigint {
  const p = expectBigint(name, v, 0n, U64_MAX);
  if (p === 0n) throw new RangeError(`${name} must be a non-null device pointer, got 0n`);
  return p;
}
