#!/usr/bin/env bash
# On the GPU host, after tools/gpu/pack.sh here: a second measurement of the cold GEMM compile times that
# `dg-bench jit` reports, from outside the process: the wall clock of a fresh `node` that compiles one kernel into an
# empty cache directory, minus the wall clock of the same `node` that only imports the modules, for NVRTC and NVCC;
# then the cubins' SASS (cuobjdump), to show each holds a real sm_90a kernel (not PTX left for the driver to JIT).
set -uo pipefail
out=${OUT:-gpu-out}; mkdir -p "$out"
bash .gpu/run.sh true > /dev/null
export PATH="/tmp/gpu-node:$PWD/node_modules/.bin:$PATH"
cd apps/bench   # resolves @dg/* from here
js='const [{ compileSync }, { renderSm90Fp8Gemm1d2d }] = await Promise.all([import("@dg/jit"), import("@dg/kernels")]);
const r = renderSm90Fp8Gemm1d2d({ blockM: 256, blockN: 128, numStages: 3, multicast: "a", numSms: 132 });
if (process.env.DO_COMPILE === "1") { const c = compileSync(r.source, { name: r.name, includeDirs: [...r.includeDirs] });
  console.error(`${c.compiler} seconds=${c.seconds.toFixed(3)} cubin=${c.cubin.byteLength}B cached=${c.cached}`); }'
wall() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null 2>> "$out/jit-crosscheck.log"; t1=$(date +%s.%N); python3 -c "print(round($t1 - $t0, 3))"; }
for compiler in nvrtc nvcc; do
  use=$([ $compiler = nvcc ] && echo 1 || echo 0)
  for i in 1 2 3; do
    dir=$(mktemp -d)
    base=$(DG_JIT_CACHE_DIR=$dir DO_COMPILE=0 DG_JIT_USE_NVCC=$use wall node --input-type=module -e "$js")
    full=$(DG_JIT_CACHE_DIR=$dir DO_COMPILE=1 DG_JIT_USE_NVCC=$use wall node --input-type=module -e "$js")
    echo "$compiler run $i: process with compile $full s, without $base s, difference $(python3 -c "print(round($full - $base, 3))") s"
    cubin=$(find "$dir" -name kernel.cubin | head -1)
    [ $i = 1 ] && cp "$cubin" "$out/gemm-$compiler.cubin" && cuobjdump -sass "$cubin" > "$out/gemm-$compiler.sass" 2>&1
  done
done | tee "$out/jit-crosscheck.txt"
for compiler in nvrtc nvcc; do
  echo "$compiler cubin: $(stat -c %s "$out/gemm-$compiler.cubin") bytes, $(grep -c QGMMA "$out/gemm-$compiler.sass") QGMMA, $(grep -cE '^\s+/\*[0-9a-f]{4}\*/' "$out/gemm-$compiler.sass") SASS instructions"
done | tee -a "$out/jit-crosscheck.txt"
cat "$out/jit-crosscheck.log"
