#!/usr/bin/env bash
# The published Llama-2 70B setup: INT8 weights, a 4096-position context, about
# 576 chips on a Dragonfly (../../../../shared/reference/hardware.md gives
# ~300 tokens/s per user). Prints the prediction for exactly that system, then
# sweeps the chip count around it.
#   examples/studies/llama2-70b/run.sh [OUT]      (default OUT: study-llama2-70b)
# Set LPU to another binary than build/release/lpu (scripts/build makes it).
set -euo pipefail
cd "$(dirname "$0")/../../.."
lpu=${LPU:-build/release/lpu}
out=${1:-study-llama2-70b}
[[ -x $lpu ]] || { echo "error: $lpu not found: run scripts/build first (or set LPU)" >&2; exit 2; }
mkdir -p "$out"

# 576 chips = 8 racks of 72, the compiler choosing the fastest grid of 576.
"$lpu" sim --model-preset llama2-70b --dtype int8 --context 4096 --chips 576 --topology dragonfly:8 \
  | tee "$out/576-chips.txt"
"$lpu" sim --model-preset llama2-70b --dtype int8 --context 4096 --chips 576 --topology dragonfly:8 --json \
  > "$out/576-chips.json"

# Around it: the smallest systems that hold the model up to twice as many chips.
"$lpu" sweep --model-preset llama2-70b --dtype int8 --context 4096 \
  --chips 320,384,448,512,576,640,768,1024,1152 --out "$out/sweep"
