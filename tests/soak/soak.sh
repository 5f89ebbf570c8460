#!/usr/bin/env bash
# Soak: runs a full cluster (durable replay, learner, actors) at load for
# SOAK_MINUTES (default 30) and samples each process's resident memory, open
# file descriptors and threads every SOAK_INTERVAL seconds (default 30).
# Meanwhile a client lists jobs and scrapes every metrics endpoint, so the
# servers also serve the calls operators make.
#
#   tests/soak/soak.sh [OUT_DIR]        (default: soak-out/)
#
# Writes OUT_DIR/samples.csv (time, process, rss_kib, fds, threads) and
# OUT_DIR/summary.md, and exits 1 if any figure of any process grew by 5% or
# more from the warm-up (the first SOAK_WARMUP minutes, default 10) to the
# end: the mean of the samples of the first minute after warm-up against
# the mean of the last minute's. Needs a build (deploy/local.sh build).
set -euo pipefail

cd "$(dirname "$0")/../.."
readonly BUILD_DIR="${BUILD_DIR:-build}"
readonly OUT="${1:-soak-out}"
readonly MINUTES="${SOAK_MINUTES:-30}"
readonly INTERVAL="${SOAK_INTERVAL:-30}"
# gRPC's thread pools and replay's first snapshot settle in the first
# minutes: the learner's last thread came at minute 6.5 of a 30-minute soak.
readonly WARMUP="${SOAK_WARMUP:-10}"
readonly ACTORS="${SOAK_ACTORS:-2}"

mkdir -p "$OUT"
work="$(mktemp -d)"
pids=()
cleanup() {
  # Newest first: the client loop before the servers it calls.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Starts NAME (a binary and its flags) with its output in $work/NAME.log and
# waits for its "ready" line; sets started_pid, grpc_port and metrics_port.
start() {
  local name="$1"
  shift
  "$@" >"$work/$name.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
  for _ in $(seq 600); do
    if line="$(grep -m1 ' ready grpc_port=' "$work/$name.log")"; then
      grpc_port="$(sed 's/.*grpc_port=\([0-9]*\).*/\1/' <<<"$line")"
      metrics_port="$(sed 's/.*metrics_port=\([0-9]*\).*/\1/' <<<"$line")"
      return
    fi
    if ! kill -0 "$started_pid" 2>/dev/null; then
      echo "soak: $name did not start:" >&2
      cat "$work/$name.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "soak: $name was not ready within a minute" >&2
  exit 1
}

declare -A process_pid
metrics_ports=()
start replay "$BUILD_DIR/replay/entropic-replay" --port=0 --metrics_port=0 \
  --checkpoint_dir="$work/replay"
process_pid[replay]=$started_pid
replay_port=$grpc_port
metrics_ports+=("$metrics_port")
start learner "$BUILD_DIR/learner/entropic-learner" --port=0 --metrics_port=0 \
  --replay="127.0.0.1:$replay_port" --output_dir="$work/runs" \
  --torch_threads=1
process_pid[learner]=$started_pid
learner="127.0.0.1:$grpc_port"
metrics_ports+=("$metrics_port")
for i in $(seq "$ACTORS"); do
  start "actor$i" "$BUILD_DIR/actor/entropic-actor" --learner="$learner" \
    --metrics_port=0 --name="soak-actor-$i"
  process_pid[actor$i]=$started_pid
  metrics_ports+=("$metrics_port")
done

# The default CartPole job, made to run for the whole soak: no target
# return, a durable replay table, a stop at the soak's length.
cat >"$work/soak.yaml" <<YAML
name: soak
env: {id: CartPole-v1, num_envs: 16}
actors: $ACTORS
algorithm:
  soft_q: {gamma: 0.99, alpha: 0.05, lr: 0.001, batch_size: 256,
           hidden: [128, 128], target_update: {polyak: 0.005}}
replay:
  chunk_length: 32
  durable: true
  agent: {capacity: 100000, sampler: uniform, min_size: 1000,
          samples_per_insert: 8}
stop: {wall_time: $((MINUTES * 60 + 120))s}
eval: {every_updates: 2000, episodes: 5}
YAML
job="$("$BUILD_DIR/cli/entropic" submit "$work/soak.yaml" --learner="$learner")"
echo "soak: job $job on replay :$replay_port, learner $learner, $ACTORS actors," \
  "$MINUTES minutes, a sample every ${INTERVAL}s"

# Operators' calls, all along: list jobs and scrape every process.
(
  while true; do
    "$BUILD_DIR/cli/entropic" jobs --learner="$learner" >/dev/null || true
    for port in "${metrics_ports[@]}"; do
      curl -s -m 5 "http://127.0.0.1:$port/metrics" >/dev/null || true
    done
    sleep 2
  done
) &
pids+=($!)

echo "seconds,process,rss_kib,fds,threads" >"$OUT/samples.csv"
start_time=$(date +%s)
end_time=$((start_time + MINUTES * 60))
while (($(date +%s) < end_time)); do
  now=$(($(date +%s) - start_time))
  for name in "${!process_pid[@]}"; do
    pid=${process_pid[$name]}
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "soak: $name (pid $pid) died; its log:" >&2
      tail -20 "$work/$name.log" >&2
      exit 1
    fi
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
    threads=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status")
    fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l)
    echo "$now,$name,$rss,$fds,$threads" >>"$OUT/samples.csv"
  done
  sleep "$INTERVAL"
done
progress="$("$BUILD_DIR/cli/entropic" jobs --learner="$learner" | grep "$job" || true)"

# Growth from the minute after warm-up to the last minute, per process and
# figure.
# (Not exec: the cluster must still be stopped on the way out.)
verdict=0
tests/soak/summarize.py "$OUT" "$WARMUP" "$MINUTES" "$progress" || verdict=$?
exit "$verdict"
