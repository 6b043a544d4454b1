#!/usr/bin/env bash
# The published Llama-2 70B setup: INT8 weights, a 4096-position context, about
# 576 chips on a Dragonfly (../../../../shared/reference/hardware.md gives
# 185-300 tokens/s per user). Writes to OUT:
#   576-chips.txt/.json  the prediction for exactly that system (default preset)
#   sweep/               the chip count around it (CSV and plots)
#   presets.txt          every preset model at its smallest rack-aligned system,
#                        before and after the corrected figures and the calibration
#   what-if.txt          the 576-chip prediction with one spec field moved at a time
#   examples/studies/llama2-70b/run.sh [OUT]      (default OUT: study-llama2-70b)
# Set LPU to another binary than build/release/lpu (scripts/build makes it).
set -euo pipefail
cd "$(dirname "$0")/../../.."
lpu=${LPU:-build/release/lpu}
out=${1:-study-llama2-70b}
[[ -x $lpu ]] || { echo "error: $lpu not found: run scripts/build first (or set LPU)" >&2; exit 2; }
mkdir -p "$out"

# A field of `lpu sim --json` (the last one of that name: the last position).
json_field() { sed -n "s/.*\"$1\": *\"\{0,1\}\([^\",]*\).*/\1/p" | tail -1; }

# 576 chips = 8 racks of 72, the compiler choosing the fastest grid of 576.
"$lpu" sim --model-preset llama2-70b --dtype int8 --context 4096 --chips 576 --topology dragonfly:8 \
  | tee "$out/576-chips.txt"
"$lpu" sim --model-preset llama2-70b --dtype int8 --context 4096 --chips 576 --topology dragonfly:8 --json \
  > "$out/576-chips.json"

# Around it: the smallest systems that hold the model up to twice as many chips.
"$lpu" sweep --model-preset llama2-70b --dtype int8 --context 4096 \
  --chips 320,384,448,512,576,640,768,1024,1152 --out "$out/sweep"

# Every preset model, INT8, 4096 positions, in the fewest whole racks (72 chips
# each, dragonfly:R) that hold it: on all their chips when a grid of that many
# fits, else on the fewest chips that hold it. Under three chip specs: the
# figures before their correction, the corrected published figures, and the
# calibrated default.
specs=(examples/specs/tsp-v1-2023.json tsp-v1 tsp-v1-calibrated)
{
  printf '%-14s %-13s %6s %-10s %12s %12s %12s\n' model system chips grid "2023 figures" corrected calibrated
  for preset in llama2-7b llama2-13b llama2-70b llama3-8b llama3-70b llama3.1-405b mixtral-8x7b; do
    model=(--model-preset "$preset" --dtype int8 --context 4096)
    fewest=$("$lpu" sim "${model[@]}" --json 2>/dev/null | json_field chips)
    racks=$(( (fewest + 71) / 72 ))
    chips=$(( racks * 72 ))
    if [ "$("$lpu" sim "${model[@]}" --chips "$chips" --topology "dragonfly:$racks" --json | json_field fits)" = false ]; then
      chips=$fewest
    fi
    rates=()
    for spec in "${specs[@]}"; do
      report=$("$lpu" sim "${model[@]}" --chips "$chips" --topology "dragonfly:$racks" --spec "$spec" --json)
      rates+=("$(json_field tokens_per_second_per_user <<<"$report")")
      grid="$(json_field tp <<<"$report") x $(json_field pp <<<"$report")"  # the calibrated spec's, the last
    done
    printf '%-14s %-13s %6d %-10s %12.1f %12.1f %12.1f\n' "$preset" "dragonfly:$racks" "$chips" "$grid" "${rates[@]}"
  done
} | tee "$out/presets.txt"

# How far each figure would have to move to change the prediction: the 576-chip
# prediction on the calibrated default with one spec field changed at a time (a
# spec file overrides fields of its base preset).
echo "what if (576 chips on dragonfly:8, tsp-v1-calibrated, tokens/s per user):" | tee "$out/what-if.txt"
n=0
while IFS='|' read -r label fields; do
  n=$((n + 1))
  spec="$out/what-if-$n.json"
  printf '{"base": "tsp-v1-calibrated", "name": "what-if"%s}\n' "${fields:+, $fields}" > "$spec"
  rate=$("$lpu" sim --model-preset llama2-70b --dtype int8 --context 4096 --chips 576 --topology dragonfly:8 \
    --spec "$spec" --json | json_field tokens_per_second_per_user)
  printf '  %-52s %6.1f\n' "$label" "$rate" | tee -a "$out/what-if.txt"
done <<'CASES'
the calibrated default|
link latency x2 (1,300 cycles per hop)|"link_latency_mean_cycles": 1300
link latency / 2 (325 cycles per hop)|"link_latency_mean_cycles": 325
link bandwidth / 2 (12.5 Gb/s lanes)|"c2c_lane_bits_per_second": 12500000000
weight-install rate x2 (4,916 bytes per cycle)|"mxm_weight_install_bytes_per_cycle": 4916
weight-install rate / 2 (1,229 bytes per cycle)|"mxm_weight_install_bytes_per_cycle": 1229
weight-install rate unlimited (the published figures alone)|"mxm_weight_install_bytes_per_cycle": 0
unit pipeline latencies x10|"mxm_latency_cycles": 640, "vector_latency_cycles": 240, "sram_latency_cycles": 160
CASES
