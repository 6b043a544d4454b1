#!/usr/bin/env bash
# Cross-check part (run by scripts/crosscheck-llama-cpp): lpu's quantised numerics against llama.cpp.
#   1. GGML's own quantisers and dequantisers (libggml-base of the npm package, via
#      python3 ctypes) on recorded inputs: tests/data/crosscheck/ggml_blocks.json, which
#      tests/runtime/kernels/ggml_blocks_test.cpp checks lpu against byte for byte.
#   2. Synthetic models in every quantised type, teacher-forced through lpu and llama.cpp:
#      top-1 agreement and relative RMS per type and seed (scripts/crosscheck/numerics.mjs);
#      llama.cpp's side is stored as tests/data/crosscheck/llama_numerics.json for
#      tests/runtime/engine/llama_numerics_test.cpp.
# Without --update the fresh results go to a temporary folder and are compared with the
# stored ones; with --update they replace them. Needs LPU and LPU_NPM_TOOLS (set by the driver).
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${LPU:?run through scripts/crosscheck-llama-cpp}" "${LPU_NPM_TOOLS:?run through scripts/crosscheck-llama-cpp}"
update=false
[ "${1:-}" = "--update" ] && update=true
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data=tests/data/crosscheck
status=0

lib="$LPU_NPM_TOOLS/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/libggml-base.so"
if ! command -v python3 >/dev/null || [ ! -f "$lib" ]; then
  echo "ggml blocks: skipped: needs python3 and $lib"
else
  python3 scripts/crosscheck/ggml_blocks.py "$lib" "$work/ggml_blocks.json"
  if $update; then
    cp "$work/ggml_blocks.json" "$data/ggml_blocks.json"
    echo "ggml blocks: updated $data/ggml_blocks.json"
  elif cmp -s "$work/ggml_blocks.json" "$data/ggml_blocks.json"; then
    echo "ggml blocks: GGML's quantisers give the recorded bytes (lpu's test checks its own against them)"
  else
    echo "ggml blocks: GGML's output differs from $data/ggml_blocks.json (a new llama.cpp? rerun with --update)"
    status=1
  fi
fi

out="$work/llama_numerics.json"
$update && out="$data/llama_numerics.json"
node scripts/crosscheck/numerics.mjs "$LPU" "$work" "$out" || status=1
exit $status
