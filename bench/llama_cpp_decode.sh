#!/usr/bin/env bash
# Host decode tokens/s of lpu (one emulated chip, bench/decode_bench --model) against
# llama.cpp (node-llama-cpp, bench/llama_cpp_decode.mjs) on the same synthetic ~1B
# file (TinyLlama's shape: dim 2048, 22 layers, 32/4 heads, hidden 5632, vocab 32000)
# in Q4_K_M and Q8_0, with the same thread count, run one after the other in turn.
#   bench/llama_cpp_decode.sh [--tokens N] [--rounds R] [--types q4_k_m,q8_0]
# Threads: LPU_THREADS (default: every core), for both. The files (about 4 GB with the
# F16 one they are quantised from) are written once to LPU_BENCH_DIR (default: a folder in
# the temporary directory) and reused. Prints "skipped: ..." and exits 0 without npm.
set -euo pipefail
cd "$(dirname "$0")/.."

tokens=64
rounds=3
types=q4_k_m,q8_0
while [ $# -gt 0 ]; do
  case "$1" in
    --tokens) tokens=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --types) types=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

tools=$(scripts/npm-tools) || {
  [ $? -eq 3 ] && { echo "llama.cpp decode: skipped (npm-tools could not install llama.cpp)"; exit 0; }
  exit 1
}
export LPU_NPM_TOOLS="$tools"
export LPU_THREADS="${LPU_THREADS:-$(nproc)}"
lpu=build/release/lpu
bench=build/release/bench/decode_bench
[ -x "$lpu" ] && [ -x "$bench" ] || scripts/build release --target lpu decode_bench

dir=${LPU_BENCH_DIR:-${TMPDIR:-/tmp}/lpu-llama-cpp-decode}
mkdir -p "$dir"
base="$dir/tinyllama-shape-f16.gguf"
[ -f "$base" ] || "$lpu" model synth --dim 2048 --layers 22 --heads 32 --kv-heads 4 --hidden 5632 \
  --vocab 32000 --context 512 --dtype f16 --seed 7 -o "$base"

echo "threads $LPU_THREADS, $tokens decode steps, best of $rounds rounds (lpu and llama.cpp in turn)"
printf '%-8s %14s %14s %8s\n' type lpu_tok/s llama_tok/s ratio
for type in ${types//,/ }; do
  file="$dir/tinyllama-shape-$type.gguf"
  [ -f "$file" ] || "$lpu" model quantize "$base" "$file" --type "$type" >/dev/null
  best_lpu=0 best_llama=0
  for _ in $(seq "$rounds"); do
    lpu_rate=$("$bench" --model "$file" --tokens "$tokens" | awk 'END {print $(NF-2)}')
    llama_rate=$(node bench/llama_cpp_decode.mjs "$file" "$tokens" "$LPU_THREADS" |
      sed -n 's/.*"tokens_per_second":\([0-9.e+-]*\).*/\1/p')
    best_lpu=$(awk -v a="$best_lpu" -v b="$lpu_rate" 'BEGIN {print (b > a ? b : a)}')
    best_llama=$(awk -v a="$best_llama" -v b="$llama_rate" 'BEGIN {print (b > a ? b : a)}')
  done
  awk -v t="$type" -v l="$best_lpu" -v c="$best_llama" 'BEGIN {printf "%-8s %14.2f %14.2f %8.3f\n", t, l, c, l / c}'
done
