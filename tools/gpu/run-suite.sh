#!/usr/bin/env bash
# On the GPU host, from the repository root, after tools/gpu/pack.sh here: the GPU test suite, then the GPU benches.
# Logs, JSON and markdown go to $OUT (or ./gpu-out).
set -uo pipefail
out=${OUT:-gpu-out}; mkdir -p "$out"
export DG_COMMIT=$(tr -d '\n' < .gpu/commit 2>/dev/null || echo unknown)
export DG_JIT_CACHE_DIR=${DG_JIT_CACHE_DIR:-/tmp/dg-jit-cache}
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,temperature.gpu,power.draw --format=csv | tee "$out/gpu.txt"
bash .gpu/run.sh node node_modules/vitest/vitest.mjs run --project gpu 2>&1 | tee "$out/gpu-tests.log" |
  grep -E "×|FAIL|Error|Tests|metric|passed|failed" | tail -60
echo "=== bench gpu ==="
bash .gpu/run.sh node apps/bench/dist/main.js gpu --json "$out/bench-gpu.json" --md "$out/bench-gpu.md" 2>&1 |
  tee "$out/bench.log" | tail -45
