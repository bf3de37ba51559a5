// Kernel sources and helpers shared by the *.gpu.test.ts files. The kernels use no CUDA headers: the few PTX
// instructions they need are written as inline asm, and CUtensorMap is declared as the opaque 128-byte struct it is.
import { type KernelFunction, loadModule, type Module, nvrtcCompile } from '@dg/runtime';

export const ARCH_OPTIONS = ['--gpu-architecture=sm_90a', '-std=c++17'];

const PRELUDE = String.raw`
struct alignas(64) TensorMap { unsigned long long opaque[16]; };

__device__ __forceinline__ unsigned smem_u32(const void* p) {
  unsigned long long a;
  asm volatile("cvta.to.shared.u64 %0, %1;" : "=l"(a) : "l"(p));
  return static_cast<unsigned>(a);
}
__device__ __forceinline__ void block_sync() { asm volatile("bar.sync 0;" ::: "memory"); }
__device__ __forceinline__ void cluster_sync() {
  asm volatile("barrier.cluster.arrive.release.aligned;\n\tbarrier.cluster.wait.acquire.aligned;" ::: "memory");
}
__device__ __forceinline__ unsigned cluster_rank() {
  unsigned r;
  asm volatile("mov.u32 %0, %%cluster_ctarank;" : "=r"(r));
  return r;
}
__device__ __forceinline__ void mbar_init(unsigned bar, unsigned count) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;" :: "r"(bar), "r"(count) : "memory");
  // Make the initialised barrier visible to the async (TMA) proxy and to the other CTAs of the cluster.
  asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
}
__device__ __forceinline__ void mbar_expect_tx(unsigned bar, unsigned bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" :: "r"(bar), "r"(bytes) : "memory");
}
__device__ __forceinline__ void mbar_wait(unsigned bar, unsigned parity) {
  asm volatile(
      "{\n\t.reg .pred done;\n"
      "WAIT_%=:\n\t"
      "mbarrier.try_wait.parity.shared::cta.b64 done, [%0], %1;\n\t"
      "@!done bra WAIT_%=;\n}" :: "r"(bar), "r"(parity) : "memory");
}
__device__ __forceinline__ void tma_load_2d(unsigned dst, const TensorMap* map, unsigned bar, int x, int y) {
  asm volatile(
      "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3}], [%4];"
      :: "r"(dst), "l"(map), "r"(x), "r"(y), "r"(bar) : "memory");
}
__device__ __forceinline__ void tma_load_2d_multicast(unsigned dst, const TensorMap* map, unsigned bar, int x, int y,
                                                      unsigned short mask) {
  asm volatile(
      "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes.multicast::cluster"
      " [%0], [%1, {%2, %3}], [%4], %5;"
      :: "r"(dst), "l"(map), "r"(x), "r"(y), "r"(bar), "h"(mask) : "memory");
}
__device__ __forceinline__ void tma_store_2d(const TensorMap* map, unsigned src, int x, int y) {
  asm volatile("cp.async.bulk.tensor.2d.global.shared::cta.bulk_group [%0, {%1, %2}], [%3];"
               :: "l"(map), "r"(x), "r"(y), "r"(src) : "memory");
  asm volatile("cp.async.bulk.commit_group;" ::: "memory");
  asm volatile("cp.async.bulk.wait_group.read 0;" ::: "memory");
}
`;

/** Elementwise kernels on float arrays. */
export const SIMPLE_KERNELS = `
extern "C" __global__ void add_one(float* data, unsigned n) {
  unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) data[i] += 1.0f;
}

template <int SCALE>
__global__ void axpy(const float* x, float* y, float a, unsigned n) {
  unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] * SCALE + y[i];
}

// Reads dynamic shared memory so that a launch with sharedMemBytes is exercised.
extern "C" __global__ void fill_from_smem(unsigned* out, unsigned value) {
  extern __shared__ unsigned smem[];
  smem[threadIdx.x] = value + threadIdx.x;
  asm volatile("bar.sync 0;" ::: "memory");
  out[blockIdx.x * blockDim.x + threadIdx.x] = smem[blockDim.x - 1 - threadIdx.x];
}

extern "C" __global__ void noop(unsigned* p) {
  if (p == nullptr && threadIdx.x == 1024) *p = 0;  // never true: keeps the parameter alive
}
`;

/** TMA kernels: one box per CTA (2-D, float32, BOX_X x BOX_Y), loaded with an mbarrier. */
export function tmaKernels(boxX: number, boxY: number): string {
  return `${PRELUDE}
constexpr int BOX_X = ${boxX};
constexpr int BOX_Y = ${boxY};
constexpr unsigned TILE_BYTES = BOX_X * BOX_Y * sizeof(float);

// Loads this CTA's box into shared memory, adds 1 to every element and stores the box back with TMA.
extern "C" __global__ void tma_add_one(const __grid_constant__ TensorMap src, const __grid_constant__ TensorMap dst) {
  __shared__ alignas(1024) float tile[BOX_Y * BOX_X];  // [BOX_Y, BOX_X] f32, swizzled as the map says
  __shared__ alignas(8) unsigned long long bar;
  const int x = blockIdx.x * BOX_X;
  const int y = blockIdx.y * BOX_Y;
  if (threadIdx.x == 0) mbar_init(smem_u32(&bar), 1);
  block_sync();
  if (threadIdx.x == 0) {
    mbar_expect_tx(smem_u32(&bar), TILE_BYTES);
    tma_load_2d(smem_u32(tile), &src, smem_u32(&bar), x, y);
  }
  mbar_wait(smem_u32(&bar), 0);
  for (int i = threadIdx.x; i < BOX_X * BOX_Y; i += blockDim.x) tile[i] += 1.0f;
  // Generic-proxy writes to shared memory must be made visible to the async proxy before the TMA store reads them.
  asm volatile("fence.proxy.async.shared::cta;" ::: "memory");
  block_sync();
  if (threadIdx.x == 0) tma_store_2d(&dst, smem_u32(tile), x, y);
}

// Cluster of 2 along x: CTA rank 0 multicasts box (0, 0) to both CTAs; each CTA writes what it received to
// out[rank * BOX_X * BOX_Y ...] with plain stores.
extern "C" __global__ void tma_multicast(const __grid_constant__ TensorMap src, float* out) {
  __shared__ alignas(1024) float tile[BOX_Y * BOX_X];
  __shared__ alignas(8) unsigned long long bar;
  const unsigned rank = cluster_rank();
  if (threadIdx.x == 0) {
    mbar_init(smem_u32(&bar), 1);
    mbar_expect_tx(smem_u32(&bar), TILE_BYTES);
  }
  // Both barriers must be initialised (and armed) before rank 0 multicasts into them.
  cluster_sync();
  if (rank == 0 && threadIdx.x == 0) tma_load_2d_multicast(smem_u32(tile), &src, smem_u32(&bar), 0, 0, 0x3);
  mbar_wait(smem_u32(&bar), 0);
  for (int i = threadIdx.x; i < BOX_X * BOX_Y; i += blockDim.x) out[rank * BOX_X * BOX_Y + i] = tile[i];
  // No CTA may exit while the other could still be the target of cluster traffic.
  cluster_sync();
}
`;
}

export interface Loaded {
  module: Module;
  get(name: string): KernelFunction;
}

/** Compiles `source` with NVRTC for sm_90a and loads the cubin on the current device. */
export function compileAndLoad(
  source: string,
  nameExpressions: readonly string[] = [],
): Loaded & {
  lowered: Record<string, string>;
} {
  const r = nvrtcCompile({ source, options: ARCH_OPTIONS, nameExpressions, fileName: 'test_kernels.cu' });
  const module = loadModule(r.cubin);
  return {
    module,
    lowered: r.loweredNames,
    get: (name: string) => module.getFunction(r.loweredNames[name] ?? name),
  };
}

/** The median of a list of numbers (sorted copy). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))] ?? Number.NaN;
}
