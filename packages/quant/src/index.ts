// @dg/quant: FP8/BF16 codecs, fine-grained FP8 casts, UE8M0 scales and the scale layouts DeepGEMM-style kernels read.
// Pure functions over typed arrays; no dependencies, no Node built-ins, safe in a browser bundle.

export { decodeBf16, encodeBf16 } from './bf16.js';
export { calcDiff } from './calcDiff.js';
export { type CastOptions, type Fp8Cast, perBlockCastToFp8, perChannelCastToFp8, perTokenCastToFp8 } from './cast.js';
export { decodeFp8, type EncodeFp8Options, encodeFp8, type Fp8Format } from './fp8.js';
export {
  fromMnMajorTmaAligned,
  fromMnMajorTmaAlignedPackedUe8m0,
  getTmaAlignedSize,
  type MnMajorScales,
  toMnMajorTmaAligned,
  toMnMajorTmaAlignedPackedUe8m0,
} from './layout.js';
export { ceilToUe8m0, packUe8m0 } from './ue8m0.js';
