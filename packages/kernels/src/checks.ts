// Argument checks shared by the renderers: each throws before any work, naming the field, the expectation and what
// it got (CONTRIBUTING.md).

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

export function checkRecord(field: string, value: unknown): asserts value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${field}: expected an object, got ${show(value)}`);
  }
}

export function checkOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  const list = allowed.map((a) => JSON.stringify(a)).join(' | ');
  if (typeof value !== 'string') throw new TypeError(`${field}: expected ${list}, got ${show(value)}`);
  if (!(allowed as readonly string[]).includes(value))
    throw new RangeError(`${field}: expected ${list}, got ${show(value)}`);
  return value as T;
}

export function checkBoolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${field}: expected a boolean, got ${show(value)}`);
  return value;
}

/** An integer in [min, max]. */
export function checkInt(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number') throw new TypeError(`${field}: expected an integer, got ${show(value)}`);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${field}: expected an integer in [${min}, ${max}], got ${show(value)}`);
  }
  return value;
}

export const U32_MAX = 0xffff_ffff;
/** CUDA's limit on gridDim.y and gridDim.z. */
export const GRID_YZ_MAX = 65_535;
/** CUDA's limit on gridDim.x. */
export const GRID_X_MAX = 0x7fff_ffff;

export function ceilDiv(a: number, b: number): number {
  return Math.ceil(a / b);
}

export function alignUp(a: number, b: number): number {
  return ceilDiv(a, b) * b;
}
