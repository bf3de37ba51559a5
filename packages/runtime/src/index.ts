// @dg/runtime: the CUDA driver API and NVRTC for Node.js (see docs/internal/runtime-api.md for the contract).

export { cudaResultName, isStickyResult, nvrtcResultName } from './cudaResults.js';
export {
  type DeviceProperties,
  deviceCount,
  driverVersion,
  getDevice,
  getDeviceProperties,
  isAvailable,
  setDevice,
  synchronizeDevice,
  unavailableReason,
} from './device.js';
export { CudaError, CudaUnavailableError, DgRuntimeError, NvrtcError, NvrtcUnavailableError } from './errors.js';
export { Event } from './event.js';
export { beginCapture, endCapture, Graph, GraphExec, isCapturing } from './graph.js';
export { type Dim3, type LaunchConfig, launch } from './launch.js';
export {
  copyDeviceToDevice,
  copyDeviceToHost,
  copyHostToDevice,
  DeviceBuffer,
  deviceAlloc,
  memGetInfo,
  memsetD8,
  memsetD16,
  memsetD32,
} from './memory.js';
export { type KernelAttributes, KernelFunction, loadModule, Module } from './module.js';
export {
  isNvrtcAvailable,
  type NvrtcRequest,
  type NvrtcResult,
  nvrtcCompile,
  nvrtcCompileAsync,
  nvrtcUnavailableReason,
  nvrtcVersion,
} from './nvrtc.js';
export { ParamBuilder } from './params.js';
export { Stream } from './stream.js';
export * from './tensor/index.js';
export { encodeTensorMapTiled, type TensorMapDataType, type TensorMapDescriptor } from './tensorMap.js';
