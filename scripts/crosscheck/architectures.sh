#!/usr/bin/env bash
# Cross-check part "architectures": the llama variants lpu runs (Llama 2-style, Llama
# 3.1's rope_freqs, linear RoPE scaling, GQA as in Mistral, qwen2's q/k/v biases and
# RoPE on halves) against llama.cpp on synthetic models (`lpu model synth`, F32): the
# same greedy tokens after a prompt (architectures.mjs). With --update the variants and
# llama.cpp's tokens go to tests/data/architectures.json, which the Catch2 suite replays
# without npm (teacher-forced, see tests/runtime/engine/architectures_crosscheck_test.cpp).
# Run through scripts/crosscheck-llama-cpp, which sets LPU_NPM_TOOLS and LPU.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${LPU_NPM_TOOLS:?run this through scripts/crosscheck-llama-cpp}"
: "${LPU:?run this through scripts/crosscheck-llama-cpp}"
store=()
[ "${1:-}" = "--update" ] && store=(--store tests/data/architectures.json)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

prompt="once upon a time"
steps=24
# name|synth flags (on the "tiny" preset: dim 64, 2 layers, 4 heads, 2 KV heads, vocab 512)
variants=(
  "llama|"
  "llama-rope-freqs|--rope-freqs --tokenizer bpe"
  "llama-linear-scaling-tied|--rope-scale 4 --tied"
  "mistral-style-gqa|--kv-heads 1 --seed 5"
  "qwen2|--arch qwen2"
  "qwen2-linear-scaling-tied|--arch qwen2 --rope-scale 2 --tied --seed 3"
)
list="$work/variants.jsonl"
for variant in "${variants[@]}"; do
  name=${variant%%|*} flags=${variant#*|}
  gguf="$work/$name.gguf"
  # shellcheck disable=SC2086 # flags are words
  "$LPU" model synth $flags -o "$gguf" 2>/dev/null
  ids=$("$LPU" model tokenize --model "$gguf" --text "$prompt" --json)
  count=$(node -e 'console.log(JSON.parse(process.argv[1])[0].length)' "$ids")
  "$LPU" run --model "$gguf" --prompt "$prompt" --temperature 0 --ignore-eos --steps $((count + steps)) --json \
    2>/dev/null > "$work/$name.run.json"
  node -e 'const [name, flags, gguf, ids, run] = process.argv.slice(1);
    console.log(JSON.stringify({name, flags, gguf, prompt: JSON.parse(ids)[0],
                                lpu: require(run).tokens.slice(JSON.parse(ids)[0].length - 1)}))' \
    "$name" "$flags" "$gguf" "$ids" "$work/$name.run.json" >> "$list"
done
node scripts/crosscheck/architectures.mjs --variants "$list" --steps "$steps" "${store[@]}" \
  2> >(grep -v '^\[node-llama-cpp\]' >&2)
