// Argument checks shared by every public function. Each message names the function, the argument, what was
// expected and what was given, so a user can fix the call without reading the source.

export function describeValue(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return String(v);
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(length ${(v as unknown as ArrayLike<unknown>).length})`;
  if (Array.isArray(v)) return `Array(length ${v.length})`;
  return typeof v;
}

export function checkDim(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new RangeError(`${fn}: '${name}' must be a non-negative integer; got ${describeValue(v)}`);
  }
  return v;
}

export function checkGranularity(fn: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v % 16 !== 0) {
    throw new RangeError(`${fn}: 'granularity' must be a positive multiple of 16; got ${describeValue(v)}`);
  }
  return v;
}

export function checkFloat32Array(
  fn: string,
  name: string,
  v: unknown,
  expectedLength: number,
  how: string,
): Float32Array {
  if (!(v instanceof Float32Array)) {
    throw new TypeError(`${fn}: '${name}' must be a Float32Array; got ${describeValue(v)}`);
  }
  if (v.length !== expectedLength) {
    throw new RangeError(`${fn}: '${name}' must have length ${how} = ${expectedLength}; got length ${v.length}`);
  }
  return v;
}

export function checkArrayLike(fn: string, name: string, v: unknown): ArrayLike<number> {
  if (v === null || typeof v !== 'object' || typeof (v as { length?: unknown }).length !== 'number') {
    throw new TypeError(`${fn}: '${name}' must be an array or typed array of numbers; got ${describeValue(v)}`);
  }
  return v as ArrayLike<number>;
}

export function checkBoolean(fn: string, name: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new TypeError(`${fn}: '${name}' must be a boolean; got ${describeValue(v)}`);
  return v;
}
