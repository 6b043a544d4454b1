#!/usr/bin/env bash
# Starts `mpirun -n RANKS lpu run ...` (a long greedy story) and, once every
# rank runs and the story has begun, sends one lpu rank SIGNAL (KILL: it
# dies; STOP: it hangs, alive but silent). The victim is found by its rank,
# from the OMPI_COMM_WORLD_RANK that Open MPI puts in its environment. With
# VICTIM "int", mpirun gets SIGINT instead, as Ctrl-C would send it.
# Then reports how the job ended:
#   exit=<mpirun's exit code> seconds=<from the signal to mpirun's end>
# and mpirun's stderr after a line "--- stderr".
# Every wait is on a condition (the processes exist, the story has begun,
# the job ended), never on a fixed time; a condition not met within 60 s
# ends the script with exit 1.
# Usage: kill_one_rank.sh LPU_BINARY MODEL RANKS VICTIM [SIGNAL [LPU RUN FLAGS...]]
set -u
lpu=$1 model=$2 ranks=$3 victim=$4 signal=${5:-KILL}
shift $(( $# < 5 ? $# : 5 ))
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export ASAN_OPTIONS=detect_leaks=0  # Open MPI's plugins leave allocations at exit
marker="$$$RANDOM"  # a seed no other test uses, to find this job's processes
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
timeout 120 mpirun --oversubscribe -n "$ranks" "$lpu" run --model "$model" --steps 2048 --temperature 0 \
  --ignore-eos --tp 4 --pp 2 --seed "$marker" "$@" >"$dir/out" 2>"$dir/err" &
job=$!

source "$(dirname "$0")/../../support/wait_for.sh"
on_give_up() { cat "$dir/err"; }  # what mpirun said
ranks_running() { [ "$(pgrep -f "^$lpu run .*--seed $marker" | wc -l)" -ge "$ranks" ]; }
# The pid of the lpu process whose Open MPI rank is $1 (empty until it exists).
pid_of_rank() {
  local pid
  for pid in $(pgrep -f "^$lpu run .*--seed $marker"); do
    if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$1"; then echo "$pid"; fi
  done
}

wait_for ranks_running
wait_for '[ -s "$dir/out" ]'  # rank 0 streams the story: every rank is past loading and compiling
start=$(date +%s.%N)
if [ "$victim" = int ]; then
  kill -INT "$(pgrep -f "^mpirun .*--seed $marker")"
else
  target=$(pid_of_rank "$victim")
  [ -n "$target" ] || { echo "no process has OMPI_COMM_WORLD_RANK=$victim"; exit 1; }
  kill "-$signal" "$target"
fi
wait "$job"
code=$?
end=$(date +%s.%N)
echo "exit=$code seconds=$(echo "$end - $start" | bc)"
echo "--- stderr"
cat "$dir/err"
