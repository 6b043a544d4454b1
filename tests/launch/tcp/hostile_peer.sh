#!/usr/bin/env bash
# Starts one `lpu worker --peer-timeout 1` and runs tests/programs/tcp_probe
# against it once per CASE (each does one thing wrong and prints what the
# worker answered). With RUN=1 in the environment, then runs the story
# through the worker as a real coordinator would (with STRAY=1, while a stray
# silent connection is open beside it). With ENDS=1, the cases are meant to
# end the worker, and the script waits for its exit. Reports:
#   === CASE                 followed by the probe's lines
#   peak_rss_kb=<the worker's peak resident size so far>   (when it still runs)
#   run exit=<code>          and the story after "--- run" (with RUN=1)
#   worker exit=<code>       ("running" when it was still listening: then stopped)
#   --- worker               and its stderr
# Every wait is on a condition (the port file, a process's end), never on a
# fixed time; one not met within 60 s ends the script with exit 1.
# Usage: hostile_peer.sh LPU PROBE MODEL CASE...
set -u
lpu=$1 probe=$2 model=$3
shift 3
dir=$(mktemp -d)
trap 'kill -KILL "$worker" 2>/dev/null; rm -rf "$dir"' EXIT
source "$(dirname "$0")/../../support/wait_for.sh"

"$lpu" worker --model "$model" --port-file "$dir/port" --peer-timeout 1 2>"$dir/worker.err" &
worker=$!
wait_for "[ -f '$dir/port' ]"
address=127.0.0.1:$(cat "$dir/port")
for case in "$@"; do
  echo "=== $case"
  timeout 60 "$probe" "$address" "$case" "$model" "$worker"
done
peak=$(awk '/^VmHWM:/ { print $2 }' "/proc/$worker/status" 2>/dev/null)
[ -n "$peak" ] && echo "peak_rss_kb=$peak"  # while the worker still runs
if [ "${RUN:-}" = 1 ]; then
  if [ "${STRAY:-}" = 1 ]; then timeout 60 "$probe" "$address" silent >/dev/null & fi
  timeout 60 "$lpu" run --model "$model" --temperature 0 --steps 256 --tp 4 --pp 2 --workers "$address" \
    >"$dir/out" 2>"$dir/err"
  echo "run exit=$?"
  echo "--- run"; cat "$dir/out"; cat "$dir/err"
fi
# ENDS=1: the cases end the worker; wait for it (it may still be tearing down,
# slowly under the sanitizers), else a worker still running here stays up.
if [ "${ENDS:-}" != 1 ] && running "$worker" && [ "${RUN:-}" != 1 ]; then
  echo "worker exit=running"
  kill -TERM "$worker"
  wait "$worker"
else
  wait_for "! running $worker"
  wait "$worker"; echo "worker exit=$?"
fi
echo "--- worker"; cat "$dir/worker.err"
