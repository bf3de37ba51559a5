#!/usr/bin/env bash
# On the GPU host, after tools/gpu/pack.sh here: an Nsight Compute profile (full set, line info, SASS source counters)
# of one fp8GemmNt call of the shape SHAPE (MxNxK), its SASS, and a clock/power trace of the same kernel under load.
# Output in $OUT: ncu-details.txt, ncu-source.csv, ncu.ncu-rep, kernel.sass, clocks.csv.
set -uo pipefail
out=${OUT:-gpu-out}; mkdir -p "$out"
export DG_JIT_CACHE_DIR=${DG_JIT_CACHE_DIR:-/tmp/dg-jit-cache}
IFS=x read -r m n k <<< "${SHAPE:-4096x4096x7168}"
bash .gpu/run.sh true > /dev/null   # unpack once
export PATH="/tmp/gpu-node:$PWD/node_modules/.bin:$PATH"
demo="node apps/demo/dist/main.js --m $m --n $n --k $k"
# SASS of the picked kernel: compile once with a dump into a private cache directory.
DG_JIT_CACHE_DIR=/tmp/dg-sass-cache DG_JIT_DUMP_SASS=1 DG_JIT_WITH_LINEINFO=1 $demo --calls 1 > "$out/demo.txt" 2>&1
find /tmp/dg-sass-cache -name '*.sass' -path '*sm90_fp8*' -exec cp {} "$out/kernel.sass" \; 2>/dev/null
# Clocks and power while the kernel runs back to back for a few seconds.
nvidia-smi --query-gpu=timestamp,clocks.sm,power.draw,temperature.gpu,clocks_throttle_reasons.active \
  --format=csv -lms 100 > "$out/clocks.csv" 2>&1 & smi=$!
$demo --calls 10000 > "$out/demo-load.txt" 2>&1
kill $smi 2>/dev/null
if command -v ncu > /dev/null; then
  DG_JIT_WITH_LINEINFO=1 ncu --target-processes all -k regex:dg_sm90_fp8 -c 1 --set full --import-source yes \
    --clock-control none -f -o "$out/ncu" $demo --calls 1 > "$out/ncu-run.txt" 2>&1
  ncu -i "$out/ncu.ncu-rep" --page details > "$out/ncu-details.txt" 2>&1
  ncu -i "$out/ncu.ncu-rep" --page source --csv --print-source sass > "$out/ncu-source.csv" 2>&1 || true
  grep -E "Duration|Throughput|Pipe|Stall|Warp Cycles|Issued|Eligible|Registers|SM Frequency|Tensor|Active" \
    "$out/ncu-details.txt" | head -70
fi
