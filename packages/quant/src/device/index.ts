// @dg/quant/device: the casts and scale layouts of @dg/quant on CUDA tensors, bit-identical to the CPU functions.
// Needs @dg/runtime, @dg/jit and @dg/kernels (optional peer dependencies: the root entry of @dg/quant needs none).

export { type DeviceCastOptions, type DeviceFp8Cast, perBlockCastToFp8, perTokenCastToFp8 } from './cast.js';
export { type DeviceLayoutOptions, toMnMajorTmaAligned, toMnMajorTmaAlignedPackedUe8m0 } from './layout.js';
