#!/usr/bin/env bash
# On the GPU host, after tools/gpu/pack.sh here: compute-sanitizer over the fp8GemmNt GPU tests on small shapes (the
# "forced configs" group: every block M, uniform and straddling block N, both multicasts, tails in M, N and K; plus the
# row-major-scales test), with memcheck, racecheck and synccheck. Each tool's log goes to $OUT/sanitize-<tool>.log.
# TESTS (a vitest -t pattern) narrows the tests; RACE_TESTS the (slower) racecheck subset. API errors are not
# reported: on drivers without cuFuncGetParamCount (13.0) @dg/runtime finds a kernel's parameter count by querying
# cuFuncGetParamInfo until the index past the last one fails, and each such expected failure would count as an error.
set -uo pipefail
out=${OUT:-gpu-out}; mkdir -p "$out"
export DG_JIT_CACHE_DIR=${DG_JIT_CACHE_DIR:-/tmp/dg-jit-cache}
bash .gpu/run.sh true > /dev/null   # unpack once
export PATH="/tmp/gpu-node:$PWD/node_modules/.bin:$PATH"
file=packages/gemm/test/fp8GemmNt.gpu.test.ts
run_tool() {  # tool, test-name pattern
  compute-sanitizer --tool "$1" --target-processes all --error-exitcode 86 --print-limit 20 --report-api-errors no \
    node node_modules/vitest/vitest.mjs run --project gpu "$file" -t "$2" --testTimeout 900000 \
    > "$out/sanitize-$1.log" 2>&1
  local rc=$?
  echo "== $1 (rc $rc): $(grep -E 'ERROR SUMMARY|Tests ' "$out/sanitize-$1.log" | tr '\n' ' ')"
}
run_tool memcheck "${TESTS:-forced configs|row-major A scales}"
race=${RACE_TESTS:-"128 x 112, multicast .none.|256 x 128, multicast .b.|64 x 24, multicast .none.|128 x 160, multicast .a."}
run_tool synccheck "$race"
run_tool racecheck "$race"
