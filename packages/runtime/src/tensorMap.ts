// TMA descriptors (cuTensorMapEncodeTiled). The descriptor is validated here against the driver's documented rules,
// so a mistake is reported with the argument's name before the driver sees it (and testably without a GPU).
import { describe, expectOneOf } from './args.js';
import { driver } from './device.js';

export type TensorMapDataType =
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'int32'
  | 'uint64'
  | 'int64'
  | 'float16'
  | 'float32'
  | 'float64'
  | 'bfloat16'
  | 'float32_ftz'
  | 'tfloat32'
  | 'tfloat32_ftz';

export interface TensorMapDescriptor {
  dataType: TensorMapDataType;
  globalAddress: bigint;
  /** Sizes, innermost dimension first. */
  globalDims: readonly (number | bigint)[];
  /** Byte strides of dims 1..rank-1 (the innermost is the element size): rank-1 entries, multiples of 16. */
  globalStridesBytes: readonly (number | bigint)[];
  /** The box copied per TMA operation, innermost first, each 1..256. */
  boxDims: readonly number[];
  /** Traversal strides, each 1..8 (default all 1). */
  elementStrides?: readonly number[];
  interleave?: 'none' | '16b' | '32b';
  swizzle?: 'none' | '32b' | '64b' | '128b';
  l2Promotion?: 'none' | '64b' | '128b' | '256b';
  /** 'nan' fills out-of-bounds elements with NaN (float types only); 'zero' with zeros. */
  oobFill?: 'zero' | 'nan';
}

// CUtensorMapDataType in enum order, with each element size in bytes.
const DATA_TYPES: readonly (readonly [TensorMapDataType, number])[] = [
  ['uint8', 1],
  ['uint16', 2],
  ['uint32', 4],
  ['int32', 4],
  ['uint64', 8],
  ['int64', 8],
  ['float16', 2],
  ['float32', 4],
  ['float64', 8],
  ['bfloat16', 2],
  ['float32_ftz', 4],
  ['tfloat32', 4],
  ['tfloat32_ftz', 4],
];
const INTERLEAVES = ['none', '16b', '32b'] as const;
const SWIZZLES = ['none', '32b', '64b', '128b'] as const;
const L2_PROMOTIONS = ['none', '64b', '128b', '256b'] as const;
const OOB_FILLS = ['zero', 'nan'] as const;
const SWIZZLE_SPAN = [0, 32, 64, 128] as const;
const FLOAT_TYPES = new Set<TensorMapDataType>([
  'float16',
  'float32',
  'float64',
  'bfloat16',
  'float32_ftz',
  'tfloat32',
  'tfloat32_ftz',
]);

function toBig(name: string, v: unknown, min: bigint, max: bigint): bigint {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isInteger(v)) b = BigInt(v);
  else throw new TypeError(`${name} must be an integer (number or bigint), got ${describe(v)}`);
  if (b < min || b > max) throw new RangeError(`${name} must be in [${min}, ${max}], got ${b}`);
  return b;
}

function smallInt(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new TypeError(`${name} must be an integer, got ${describe(v)}`);
  if (v < min || v > max) throw new RangeError(`${name} must be in [${min}, ${max}], got ${v}`);
  return v;
}

/** The checked arguments of cuTensorMapEncodeTiled (exported for tests; encodeTensorMapTiled is the public call). */
export interface EncodedTensorMapArgs {
  dataType: number;
  rank: number;
  address: bigint;
  dims: BigUint64Array;
  strides: BigUint64Array;
  box: Uint32Array;
  elementStrides: Uint32Array;
  interleave: number;
  swizzle: number;
  l2Promotion: number;
  oobFill: number;
}

/** Validates a descriptor and converts it to the driver's arguments; throws TypeError/RangeError naming the field. */
export function checkTensorMapDescriptor(desc: TensorMapDescriptor): EncodedTensorMapArgs {
  if (typeof desc !== 'object' || desc === null) throw new TypeError(`desc must be an object, got ${describe(desc)}`);
  const typeIndex = DATA_TYPES.findIndex(([n]) => n === desc.dataType);
  const entry = DATA_TYPES[typeIndex];
  if (entry === undefined) {
    throw new TypeError(
      `desc.dataType must be one of ${DATA_TYPES.map(([n]) => `'${n}'`).join(', ')}, got ${describe(desc.dataType)}`,
    );
  }
  const [dataType, elemSize] = entry;
  const interleave = INTERLEAVES.indexOf(expectOneOf('desc.interleave', desc.interleave ?? 'none', INTERLEAVES));
  const swizzle = SWIZZLES.indexOf(expectOneOf('desc.swizzle', desc.swizzle ?? 'none', SWIZZLES));
  const l2Promotion = L2_PROMOTIONS.indexOf(expectOneOf('desc.l2Promotion', desc.l2Promotion ?? 'none', L2_PROMOTIONS));
  const oob = expectOneOf('desc.oobFill', desc.oobFill ?? 'zero', OOB_FILLS);
  if (oob === 'nan' && !FLOAT_TYPES.has(dataType)) {
    throw new RangeError(`desc.oobFill 'nan' needs a floating-point dataType, got '${dataType}'`);
  }

  const address = desc.globalAddress;
  if (typeof address !== 'bigint') throw new TypeError(`desc.globalAddress must be a bigint, got ${describe(address)}`);
  const addrAlign = interleave === 2 ? 32n : 16n;
  if (address <= 0n || address % addrAlign !== 0n) {
    throw new RangeError(`desc.globalAddress must be a non-null ${addrAlign}-byte aligned pointer, got ${address}n`);
  }

  const dimsIn = desc.globalDims;
  if (!Array.isArray(dimsIn) || dimsIn.length < 1 || dimsIn.length > 5) {
    throw new RangeError(`desc.globalDims must be an array of rank 1..5, got ${describe(dimsIn)}`);
  }
  const rank = dimsIn.length;
  if (interleave !== 0 && rank < 3) {
    throw new RangeError(`desc.globalDims must have rank >= 3 with interleave '${desc.interleave}', got rank ${rank}`);
  }
  const dims = new BigUint64Array(rank);
  for (let i = 0; i < rank; i++) dims[i] = toBig(`desc.globalDims[${i}]`, dimsIn[i], 1n, 1n << 32n);

  const stridesIn = desc.globalStridesBytes;
  if (!Array.isArray(stridesIn) || stridesIn.length !== rank - 1) {
    throw new RangeError(
      `desc.globalStridesBytes must have rank-1 = ${rank - 1} entries (strides of dims 1..${rank - 1}), got ${describe(stridesIn)}`,
    );
  }
  const strideAlign = interleave === 2 ? 32n : 16n;
  // One extra slot: the driver reads rank-1 entries, and a rank-1 map still needs a valid pointer.
  const strides = new BigUint64Array(Math.max(rank - 1, 1));
  for (let i = 0; i < rank - 1; i++) {
    const s = toBig(`desc.globalStridesBytes[${i}]`, stridesIn[i], 1n, (1n << 40n) - 1n);
    if (s % strideAlign !== 0n) {
      throw new RangeError(`desc.globalStridesBytes[${i}] must be a multiple of ${strideAlign} bytes, got ${s}`);
    }
    strides[i] = s;
  }

  const boxIn = desc.boxDims;
  if (!Array.isArray(boxIn) || boxIn.length !== rank) {
    throw new RangeError(`desc.boxDims must have ${rank} entries like globalDims, got ${describe(boxIn)}`);
  }
  const box = new Uint32Array(rank);
  for (let i = 0; i < rank; i++) box[i] = smallInt(`desc.boxDims[${i}]`, boxIn[i], 1, 256);
  const innerBytes = (box[0] ?? 0) * elemSize;
  if (interleave === 0 && innerBytes % 16 !== 0) {
    throw new RangeError(
      `desc.boxDims[0] * element size must be a multiple of 16 bytes without interleave, got ${box[0]} * ${elemSize} = ${innerBytes}`,
    );
  }
  const span = SWIZZLE_SPAN[swizzle] ?? 0;
  if (interleave === 0 && span > 0 && innerBytes > span) {
    throw new RangeError(
      `desc.boxDims[0] * element size must be <= ${span} bytes with swizzle '${desc.swizzle}', got ${innerBytes}`,
    );
  }
  if (interleave === 2 && swizzle !== 0 && swizzle !== 3) {
    throw new RangeError(`desc.swizzle must be 'none' or '128b' with interleave '32b', got '${desc.swizzle}'`);
  }

  const elementStrides = new Uint32Array(rank).fill(1);
  if (desc.elementStrides !== undefined) {
    const es = desc.elementStrides;
    if (!Array.isArray(es) || es.length !== rank) {
      throw new RangeError(`desc.elementStrides must have ${rank} entries like globalDims, got ${describe(es)}`);
    }
    for (let i = 0; i < rank; i++) elementStrides[i] = smallInt(`desc.elementStrides[${i}]`, es[i], 1, 8);
  }

  return {
    dataType: typeIndex,
    rank,
    address,
    dims,
    strides,
    box,
    elementStrides,
    interleave,
    swizzle,
    l2Promotion,
    oobFill: oob === 'nan' ? 1 : 0,
  };
}

/**
 * Encodes a tiled TMA descriptor: 128 bytes to pass as a `const __grid_constant__ CUtensorMap` kernel parameter
 * (ParamBuilder.tensorMap places it 64-byte aligned).
 */
export function encodeTensorMapTiled(desc: TensorMapDescriptor): Uint8Array {
  const a = checkTensorMapDescriptor(desc);
  return driver().encodeTiled(
    a.dataType,
    a.rank,
    a.address,
    a.dims,
    a.strides,
    a.box,
    a.elementStrides,
    a.interleave,
    a.swizzle,
    a.l2Promotion,
    a.oobFill,
  );
}
