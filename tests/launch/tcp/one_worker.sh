#!/usr/bin/env bash
# One `lpu worker` with the given flags, and once it listens, a coordinator that
# runs the story (tp 2, greedy, 256 positions) with it. The worker's first line
# is read as it is printed (through a FIFO), so nothing waits longer than needed.
# Prints, in order:
#   listening=<the worker's first stderr line>
#   coordinator exit=<code>         (when the worker listened)
#   worker exit=<code>
#   --- stdout / --- stderr of the coordinator, then the worker's stderr
# Usage: one_worker.sh LPU MODEL CONNECT_HOST WORKER_FLAGS...
set -u
lpu=$1 model=$2 connect_host=$3
shift 3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkfifo "$dir/log"
"$lpu" worker --model "$model" "$@" 2>"$dir/log" &
worker=$!
exec 3<"$dir/log"
read -r listening <&3
cat <&3 >"$dir/worker.err" &
echo "listening=$listening"
port=${listening##*:}
if [[ "$listening" == "lpu worker: listening on "* ]]; then
  timeout 60 "$lpu" run --model "$model" --temperature 0 --tp 2 --pp 1 --steps 256 \
    --workers "$connect_host:$port" >"$dir/out" 2>"$dir/err"
  echo "coordinator exit=$?"
fi
wait "$worker"; echo "worker exit=$?"
wait
echo "--- stdout"; cat "$dir/out" 2>/dev/null
echo "--- stderr"; cat "$dir/err" 2>/dev/null
echo "--- worker"; cat "$dir/worker.err"
