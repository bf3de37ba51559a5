// The shape of the native addon (src/native/*.cc). Handles are opaque, type-tagged objects: the brands below only keep
// TypeScript from mixing them up; the addon checks the real tag on every call.
declare const brand: unique symbol;
type NativeHandle<K extends string> = object & { readonly [brand]: K };

export type StreamHandle = NativeHandle<'stream'>;
export type EventHandle = NativeHandle<'event'>;
export type ModuleHandle = NativeHandle<'module'>;
export type FunctionHandle = NativeHandle<'function'>;
export type GraphHandle = NativeHandle<'graph'>;
export type GraphExecHandle = NativeHandle<'graphExec'>;

export interface NativeDeviceProperties {
  name: string;
  totalMemoryBytes: bigint;
  major: number;
  minor: number;
  smCount: number;
  maxSharedMemoryPerBlockOptin: number;
  l2CacheBytes: number;
  clockRateKHz: number;
  memoryClockRateKHz: number;
  memoryBusWidthBits: number;
  maxThreadsPerBlock: number;
  warpSize: number;
}

export interface NativeCompileRequest {
  source: string;
  fileName: string;
  options: string[];
  headerNames: string[];
  headerSources: string[];
  nameExpressions: string[];
  wantPtx: boolean;
}

export interface NativeCompileResult {
  cubin: Uint8Array;
  ptx: string | undefined;
  log: string;
  loweredNames: Record<string, string>;
}

export interface NativeBinding {
  availability(): { available: boolean; reason: string; driverVersion: number; deviceCount: number };
  nvrtcAvailability(): { available: boolean; reason: string; path: string };
  setErrorFactory(factory: (kind: string, result: number, call: string, detail: string) => Error): void;

  deviceProperties(device: number): NativeDeviceProperties;
  synchronizeDevice(device: number): void;

  memAlloc(device: number, bytes: number): bigint;
  memFree(device: number, ptr: bigint): void;
  memGetInfo(device: number): [bigint, bigint];
  copyHtoD(device: number, dst: bigint, src: ArrayBufferView, stream: StreamHandle | null): void;
  copyDtoH(device: number, dst: ArrayBufferView, src: bigint, stream: StreamHandle | null): void;
  copyDtoD(device: number, dst: bigint, src: bigint, bytes: number, stream: StreamHandle | null): void;
  memset(
    device: number,
    width: 1 | 2 | 4,
    dst: bigint,
    value: number,
    count: number,
    stream: StreamHandle | null,
  ): void;

  streamCreate(device: number, nonBlocking: boolean, priority: number): StreamHandle;
  streamDefault(device: number): StreamHandle;
  streamDestroy(stream: StreamHandle): void;
  streamSynchronize(stream: StreamHandle): void;
  streamQuery(stream: StreamHandle): boolean;
  eventCreate(device: number, timing: boolean): EventHandle;
  eventDestroy(event: EventHandle): void;
  eventRecord(event: EventHandle, stream: StreamHandle): void;
  eventSynchronize(event: EventHandle): void;
  eventQuery(event: EventHandle): boolean;
  eventElapsed(start: EventHandle, end: EventHandle): number;

  moduleLoad(device: number, image: Uint8Array): ModuleHandle;
  moduleUnload(module: ModuleHandle): void;
  moduleGetFunction(module: ModuleHandle, name: string): FunctionHandle;
  funcSetMaxDynamicSharedMemory(fn: FunctionHandle, bytes: number): void;
  funcAttributes(fn: FunctionHandle): {
    numRegs: number;
    localSizeBytes: number;
    sharedSizeBytes: number;
    maxThreadsPerBlock: number;
    constSizeBytes: number;
  };
  /** cfg: [gx, gy, gz, bx, by, bz, cx, cy, cz, sharedMemBytes, pdl] */
  launch(fn: FunctionHandle, stream: StreamHandle, cfg: Uint32Array, params: Uint8Array): void;

  encodeTiled(
    dataType: number,
    rank: number,
    address: bigint,
    dims: BigUint64Array,
    strides: BigUint64Array,
    box: Uint32Array,
    elementStrides: Uint32Array,
    interleave: number,
    swizzle: number,
    l2Promotion: number,
    oobFill: number,
  ): Uint8Array;

  beginCapture(stream: StreamHandle, mode: number): void;
  endCapture(stream: StreamHandle): GraphHandle;
  graphInstantiate(graph: GraphHandle): GraphExecHandle;
  graphLaunch(exec: GraphExecHandle, stream: StreamHandle): void;
  graphDestroy(graph: GraphHandle): void;
  graphExecDestroy(exec: GraphExecHandle): void;

  nvrtcVersion(): [number, number];
  nvrtcCompile(req: NativeCompileRequest): NativeCompileResult;
  nvrtcCompileAsync(req: NativeCompileRequest): Promise<NativeCompileResult>;
}
