// The Tensor API of @dg/runtime (re-exported by src/index.ts).

export type { DeviceSpec } from './device-spec.js';
export { DTYPES, type DType, dtypeSize, type HostArrayOf, isDType, type TypedArray } from './dtype.js';
export type { DeviceStorage, HostStorage, TensorStorage } from './storage.js';
export { type FromDevicePointerOptions, Tensor } from './tensor.js';
