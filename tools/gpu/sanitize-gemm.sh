#!/usr/bin/env bash
# On the GPU host, after tools/gpu/pack.sh here: compute-sanitizer over the GEMM GPU tests on small shapes: memcheck
# on the "forced configs" groups of all three GEMM families (every block M, uniform and straddling block N, both
# multicasts, tails in M, N and K; plus FP8 row-major scales and the exact-K-unroll loop, the 1D1D K-block edges and
# the BF16 layouts), then synccheck and racecheck on a few FP8 1D2D (each with the joint and, where it has two math
# warpgroups, the per-warpgroup epilogue; and the exact-K-unroll loop of 256 x 128), 1D1D and BF16 configs. One log
# per tool and family in $OUT.
# API errors are not reported: on drivers without cuFuncGetParamCount (13.0) @dg/runtime finds a kernel's parameter
# count by querying cuFuncGetParamInfo until the index past the last one fails, and each such expected failure would
# count as an error.
set -uo pipefail
out=${OUT:-gpu-out}; mkdir -p "$out"
export DG_JIT_CACHE_DIR=${DG_JIT_CACHE_DIR:-/tmp/dg-jit-cache}
bash .gpu/run.sh true > /dev/null   # unpack once
export PATH="/tmp/gpu-node:$PWD/node_modules/.bin:$PATH"
t=packages/gemm/test
run_tool() {  # tool, label, test file, test-name pattern
  compute-sanitizer --tool "$1" --target-processes all --error-exitcode 86 --print-limit 20 --report-api-errors no \
    node node_modules/vitest/vitest.mjs run --project gpu "$3" -t "$4" --testTimeout 900000 \
    > "$out/sanitize-$1-$2.log" 2>&1
  local rc=$?
  echo "== $1 $2 (rc $rc): $(grep -aE 'ERROR SUMMARY|RACECHECK SUMMARY|Tests ' "$out/sanitize-$1-$2.log" | tr '\n' ' ')"
}
run_tool memcheck fp8 $t/fp8GemmNt.gpu.test.ts "forced configs|row-major A scales|exact-K-unroll"
run_tool memcheck 1d1d $t/fp8GemmNtAccumulate.gpu.test.ts "forced configs|K blocks per tile"
run_tool memcheck bf16 $t/bf16GemmNt.gpu.test.ts "forced configs|every layout"
for tool in synccheck racecheck; do
  run_tool $tool fp8 $t/fp8GemmNt.gpu.test.ts \
    "128 x 112, multicast .none.|256 x 128, multicast .b.|64 x 24, multicast .none.|128 x 160, multicast .a.|256 x 120, multicast .none.|exact-K-unroll.*256 x 128"
  run_tool $tool 1d1d $t/fp8GemmNtAccumulate.gpu.test.ts "K = 272|128 x 152, .* multicast .b."  # K = 272: 3 K blocks
  run_tool $tool bf16 $t/bf16GemmNt.gpu.test.ts "128 x 128 mc .a.|64 x 24 mc .none."
done
