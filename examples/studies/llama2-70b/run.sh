#!/usr/bin/env bash
# The published Llama-2 70B setup: INT8 weights, a 4096-position context, about
# 576 chips on a Dragonfly (../../../../shared/reference/hardware.md gives
# ~300 tokens/s per user). Prints the prediction for exactly that system, then
# sweeps the chip count around it and shows how far each published figure would
# have to move to explain the published rate (OUT/what-if.txt).
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

# How far each published figure would have to move to explain the published
# ~300 tokens/s: the 576-chip prediction with one spec field changed at a time
# (a spec file overrides fields of its base preset).
echo "what if (576 chips on dragonfly:8, tokens/s per user):" | tee "$out/what-if.txt"
n=0
while IFS='|' read -r label fields; do
  n=$((n + 1))
  spec="$out/what-if-$n.json"
  printf '{"base": "tsp-v1", "name": "what-if"%s}\n' "${fields:+, $fields}" > "$spec"
  rate=$("$lpu" sim --model-preset llama2-70b --dtype int8 --context 4096 --chips 576 --topology dragonfly:8 \
    --spec "$spec" --json | sed -n 's/.*"tokens_per_second_per_user": *\([0-9.]*\).*/\1/p' | tail -1)
  printf '  %-40s %6.1f\n' "$label" "$rate" | tee -a "$out/what-if.txt"
done <<'CASES'
published figures|
link latency x2 (432 cycles)|"link_latency_mean_cycles": 432
link bandwidth / 2 (15 Gb/s lanes)|"c2c_lane_bits_per_second": 15000000000
SRAM bandwidth / 16 (5 TB/s)|"sram_bytes_per_second": 5000000000000
unit pipeline latencies x10|"mxm_latency_cycles": 640, "vector_latency_cycles": 240, "sram_latency_cycles": 160
CASES
