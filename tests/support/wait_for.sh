# Shell helpers of the test scripts that start processes (source it).
# Every wait is on a condition, never on a fixed time.

# wait_for CONDITION: until the shell expression holds (checked every 20 ms),
# for at most 60 s; then "gave up waiting for: CONDITION", the script's own
# on_give_up (when it defines one, e.g. to show a log) and exit 1.
wait_for() {
  local deadline=$((SECONDS + 60))
  until eval "$1"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "gave up waiting for: $1"
      if declare -F on_give_up >/dev/null; then on_give_up; fi
      exit 1
    fi
    sleep 0.02
  done
}

# running PID: whether the process is alive.
running() { kill -0 "$1" 2>/dev/null; }
