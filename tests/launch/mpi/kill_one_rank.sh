#!/usr/bin/env bash
# Starts `mpirun -n RANKS lpu run ...` (a long greedy story), kills one lpu
# rank with SIGKILL once all are running (VICTIM_INDEX int: sends mpirun
# SIGINT instead, as Ctrl-C would), and reports how the job ended:
#   exit=<mpirun's exit code> seconds=<from the kill to mpirun's end>
# and mpirun's stderr after a line "--- stderr".
# Usage: kill_one_rank.sh LPU_BINARY MODEL RANKS VICTIM_INDEX
set -u
lpu=$1 model=$2 ranks=$3 victim_index=$4
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export ASAN_OPTIONS=detect_leaks=0  # Open MPI's plugins leave allocations at exit
marker="$$$RANDOM"  # a seed no other test uses, to find this job's processes
err=$(mktemp)
timeout 60 mpirun --oversubscribe -n "$ranks" "$lpu" run --model "$model" --steps 2048 --temperature 0 \
  --ignore-eos --tp 4 --pp 2 --seed "$marker" >/dev/null 2>"$err" &
job=$!
# Wait until every rank is up and has made progress.
for _ in $(seq 100); do
  [ "$(pgrep -f "^$lpu run .*--seed $marker" | wc -l)" -ge "$ranks" ] && break
  sleep 0.1
done
sleep 0.5
start=$(date +%s.%N)
if [ "$victim_index" = int ]; then
  kill -INT "$(pgrep -f "^mpirun .*--seed $marker")"
else
  kill -9 "$(pgrep -f "^$lpu run .*--seed $marker" | sort -n | sed -n "$((victim_index + 1))p")"
fi
wait "$job"
code=$?
end=$(date +%s.%N)
echo "exit=$code seconds=$(echo "$end - $start" | bc)"
echo "--- stderr"
cat "$err"
rm -f "$err"
