#!/usr/bin/env bash
# Cross-check part "greedy": lpu's greedy tokens from BOS against llama.cpp's on the shared
# F16 model (llama-2-tiny-random.gguf: random weights, so nothing learned hides an error;
# the F16 matrices, the full 32,000-token head and the sampling all count).
#   scripts/crosscheck-llama-cpp greedy            compare
#   scripts/crosscheck-llama-cpp greedy --update   and refresh tests/data/greedy/
# Run through scripts/crosscheck-llama-cpp, which sets LPU_NPM_TOOLS and LPU.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${LPU_NPM_TOOLS:?run this through scripts/crosscheck-llama-cpp}"
: "${LPU:?run this through scripts/crosscheck-llama-cpp}"

positions=64
status=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for name in llama-2-tiny-random; do
  model=../shared/models/$name.gguf
  if [ ! -f "$model" ]; then echo "  skipped: $model not found"; continue; fi
  store=()
  [ "${1:-}" = "--update" ] && store=(--store "tests/data/greedy/$name.json")
  if ! "$LPU" run --model "$model" --temperature 0 --steps "$positions" --json > "$work/$name.json" 2> "$work/err"; then
    echo "  $name: lpu run FAILED: $(cat "$work/err")"; status=1; continue
  fi
  node scripts/crosscheck/greedy_compare.mjs --model "$model" --lpu "$work/$name.json" "${store[@]}" \
    2> >(grep -v '^\[node-llama-cpp\]' >&2) || status=1
done
exit $status
