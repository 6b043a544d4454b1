#!/usr/bin/env bash
# Runs the story over TCP: WORKERS `lpu worker` processes on loopback and a
# coordinator `lpu run --workers ...`. With VICTIM a worker number, sends that
# worker SIGNAL (KILL: it dies; STOP: it hangs, alive but silent) once the
# story has begun, in a long generation; with VICTIM "int", sends the
# coordinator SIGINT (Ctrl-C). FLAGS go to the coordinator and the workers.
# With STAY_UP=1 in the environment the workers are expected to outlive the
# coordinator (they refused its job and listen on): the script reports
# whether each still runs, then ends it.
# Prints, in order:
#   coordinator exit=<code>
#   worker <i> exit=<code>          (each worker not signalled; "running" for STAY_UP)
#   seconds=<from the signal, or the start, until the last of them ended>
#   --- stdout / --- stderr of the coordinator, then each worker's stderr
# Every wait is on a condition (a port file, the first text, a process's
# end), never on a fixed time; one not met within 60 s ends the script, exit 1.
# GRID in the environment replaces the coordinator's "--tp 4 --pp 2".
# Usage: tcp_run.sh LPU MODEL WORKER_MODEL WORKERS [VICTIM [SIGNAL [FLAGS...]]]
set -u
lpu=$1 model=$2 worker_model=$3 workers=$4 victim=${5:-} signal=${6:-KILL}
shift $(( $# < 6 ? $# : 6 ))
dir=$(mktemp -d)
cleanup() {
  for i in $(seq "$workers"); do kill -KILL "$(cat "$dir/pid$i" 2>/dev/null)" 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT

source "$(dirname "$0")/../../support/wait_for.sh"

for i in $(seq "$workers"); do
  "$lpu" worker --model "$worker_model" --port-file "$dir/port$i" "$@" 2>"$dir/worker$i.err" &
  echo $! >"$dir/pid$i"
done
for i in $(seq "$workers"); do wait_for "[ -f '$dir/port$i' ]"; done
list=$(for i in $(seq "$workers"); do printf '127.0.0.1:%s,' "$(cat "$dir/port$i")"; done)
if [ -n "$victim" ]; then extra="--steps 2048 --ignore-eos"; else extra="--steps 256"; fi
start=$(date +%s.%N)
timeout 120 "$lpu" run --model "$model" --temperature 0 ${GRID:---tp 4 --pp 2} $extra --workers "${list%,}" "$@" \
  >"$dir/out" 2>"$dir/err" &
coordinator=$!
if [ -n "$victim" ]; then
  wait_for "[ -s '$dir/out' ] || ! running $coordinator"  # the story has begun (or the run already failed)
  start=$(date +%s.%N)
  if [ "$victim" = int ]; then kill -INT "$coordinator"; else kill "-$signal" "$(cat "$dir/pid$victim")"; fi
fi
wait "$coordinator"; echo "coordinator exit=$?"
for i in $(seq "$workers"); do
  [ "$i" = "$victim" ] && continue
  pid=$(cat "$dir/pid$i")
  if [ "${STAY_UP:-}" = 1 ]; then
    if running "$pid"; then echo "worker $i exit=running"; kill -TERM "$pid"; fi
    wait "$pid"
  else
    wait_for "! running $pid"
    wait "$pid"; echo "worker $i exit=$?"
  fi
done
end=$(date +%s.%N)
echo "seconds=$(echo "$end - $start" | bc)"
echo "--- stdout"; cat "$dir/out"
echo "--- stderr"; cat "$dir/err"
for i in $(seq "$workers"); do echo "--- worker $i"; cat "$dir/worker$i.err"; done
