#!/usr/bin/env bash
# Runs the story over TCP: WORKERS `lpu worker` processes on loopback and a
# coordinator `lpu run --workers ...`. With KILL set to a worker number, kills
# that worker (SIGKILL) a moment into a long generation, with KILL=int sends
# the coordinator SIGINT (Ctrl-C), and reports how every process ended.
# Prints, in order:
#   coordinator exit=<code>
#   worker <i> exit=<code>          (for each worker not killed)
#   seconds=<from the kill, or the start, until the last process ended>
#   --- stdout / --- stderr of the coordinator, then each worker's stderr
# Usage: tcp_run.sh LPU MODEL WORKER_MODEL WORKERS [KILL]   (KILL: a worker number or int)
set -u
lpu=$1 model=$2 worker_model=$3 workers=$4 kill=${5:-}
dir=$(mktemp -d)
for i in $(seq "$workers"); do
  "$lpu" worker --model "$worker_model" --port-file "$dir/port$i" 2>"$dir/worker$i.err" &
  echo $! >"$dir/pid$i"
done
for i in $(seq "$workers"); do
  for _ in $(seq 100); do [ -f "$dir/port$i" ] && break; sleep 0.05; done
done
list=$(for i in $(seq "$workers"); do printf '127.0.0.1:%s,' "$(cat "$dir/port$i" 2>/dev/null)"; done)
if [ -n "$kill" ]; then extra="--steps 2048 --ignore-eos"; else extra="--steps 256"; fi
start=$(date +%s.%N)
timeout 60 "$lpu" run --model "$model" --temperature 0 --tp 4 --pp 2 $extra --workers "${list%,}" \
  >"$dir/out" 2>"$dir/err" &
coordinator=$!
if [ -n "$kill" ]; then
  sleep 1.5
  start=$(date +%s.%N)
  if [ "$kill" = int ]; then kill -INT "$coordinator"; else kill -9 "$(cat "$dir/pid$kill")"; fi
fi
wait "$coordinator"; echo "coordinator exit=$?"
for i in $(seq "$workers"); do
  [ "$i" = "$kill" ] && continue
  wait "$(cat "$dir/pid$i")"; echo "worker $i exit=$?"
done
end=$(date +%s.%N)
echo "seconds=$(echo "$end - $start" | bc)"
echo "--- stdout"; cat "$dir/out"
echo "--- stderr"; cat "$dir/err"
for i in $(seq "$workers"); do echo "--- worker $i"; cat "$dir/worker$i.err"; done
rm -rf "$dir"
