#!/usr/bin/env bash
# On the GPU host, after tools/gpu/pack.sh here: the fp8GemmNt GPU tests, a timed sweep of the heuristic's candidate
# configs on a few shapes (dg-bench gemm-configs), and an Nsight Compute profile of one call of the picked config.
# SHAPES (comma-separated MxNxK), TOP (candidates per shape) and NCU_SHAPE (MxNxK) select the work. Output in $OUT.
set -uo pipefail
out=${OUT:-gpu-out}; mkdir -p "$out"
export DG_COMMIT=$(tr -d '\n' < .gpu/commit 2>/dev/null || echo unknown)
export DG_JIT_CACHE_DIR=${DG_JIT_CACHE_DIR:-/tmp/dg-jit-cache}
if [ "${SKIP_TESTS:-0}" != 1 ]; then
  bash .gpu/run.sh node node_modules/vitest/vitest.mjs run --project gpu packages/gemm 2>&1 | tee "$out/gemm-tests.log" |
    grep -E "×|FAIL|Error|Tests " | tail -40
fi
bash .gpu/run.sh node apps/bench/dist/main.js gemm-configs --shape "${SHAPES:-4096x4096x7168,4096x7168x2048}" \
  --top "${TOP:-10}" --md "$out/configs.md" --json "$out/configs.json" 2> "$out/configs.err" | head -60
if [ -n "${NCU_SHAPE:-}" ] && command -v ncu > /dev/null; then
  IFS=x read -r m n k <<< "$NCU_SHAPE"
  ncu --target-processes all -k regex:dg_sm90 -c 1 --section SpeedOfLight --section ComputeWorkloadAnalysis \
    --section MemoryWorkloadAnalysis --section WarpStateStats --section SchedulerStats --section LaunchStats \
    bash .gpu/run.sh node apps/demo/dist/main.js --m "$m" --n "$n" --k "$k" --calls 1 > "$out/ncu.txt" 2>&1
  grep -E "Duration|Throughput|Pipe|Stall|Warp Cycles|Issued|Eligible|Registers|Shared Memory|SM Frequency|Tensor" "$out/ncu.txt" | head -60
fi
