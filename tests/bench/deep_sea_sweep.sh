#!/usr/bin/env bash
# DeepSea-v0 over sizes and seeds: bootstrapped soft Q with priors
# (examples/deepsea-bootstrapped.yaml) and plain soft Q
# (examples/deepsea-softq.yaml), each run as `entropic run` with the size
# and a cap of 10,000 episodes (env_steps = 10,000 N) written into a copy of
# the job file. Prints one row per run from its episodes.csv (every episode
# the actors reported; the treasure is reached when the return is > 0.5):
# the episode of the first treasure, the share of the episodes after it that
# reach it, the episode at which the last 100 first reach it 90% of the
# time, whether that happened within 10,000 episodes, and bsuite's bound
# 2^N + 100 beside it. The job file's eval_return stop is dropped (and its
# evaluations made rare; the episodes are the measurement). A run ends at
# 10,000 episodes, at the wall time (120 N seconds), or, unless
# FULL_RUNS=1, once it has met the target and settled: at least 90% of the
# episodes since the first treasure reached it and so did at least 950 of
# the last 1,000 (the script watches episodes.csv and cancels the job, which
# ends CANCELLED). FULL_RUNS=1 runs every job to 10,000 episodes, which
# checks that the share holds after such a stop.
#
#   tests/bench/deep_sea_sweep.sh ["10 20 30 40 50"] ["1 2 3"] [JOB.yaml ...]
#
# Needs a built tree (build/cli/entropic) and python3. Runs write under
# $RUNS_DIR (default: a temporary directory).
set -euo pipefail
cd "$(dirname "$0")/../.."
readonly SIZES="${1:-10 20 30 40 50}"
readonly SEEDS="${2:-1}"
shift $(( $# < 2 ? $# : 2 ))
JOBS=("$@")
if [ ${#JOBS[@]} -eq 0 ]; then
  JOBS=(examples/deepsea-bootstrapped.yaml examples/deepsea-softq.yaml)
fi
readonly RUNS_DIR="${RUNS_DIR:-$(mktemp -d)}"
readonly ENTROPIC="${ENTROPIC:-build/cli/entropic}"

# Exit status 0 once episodes.csv $1 shows the target met and settled: at
# least 90% of the episodes after the first treasure reached it, and at
# least 950 of the last 1,000. Never with FULL_RUNS=1.
solved() {
  [ "${FULL_RUNS:-0}" = 1 ] && return 1
  python3 - "$1" <<'PY'
import csv, sys
try:
    with open(sys.argv[1]) as f:
        reached = [float(r["episode_return"]) > 0.5
                   for r in csv.DictReader(f) if r.get("episode_return")]
except OSError:
    sys.exit(1)
if True not in reached or len(reached) < 1000:
    sys.exit(1)
after = reached[reached.index(True) + 1:]
settled = sum(reached[-1000:]) >= 950
sys.exit(0 if settled and after and sum(after) >= 0.9 * len(after) else 1)
PY
}

# Reads one run's episodes.csv: N, then prints the table's measured columns.
summarise() {
  python3 - "$1" "$2" <<'PY'
import csv, sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path) as f:
    reached = [float(row["episode_return"]) > 0.5 for row in csv.DictReader(f)]
episodes = len(reached)
first = next((i + 1 for i, r in enumerate(reached) if r), None)
after = reached[first:] if first is not None else []
share = f"{sum(after) / len(after):.0%} of {len(after)}" if after else "-"
solved = None
window = 0
for i, r in enumerate(reached):
    window += r
    if i >= 100:
        window -= reached[i - 100]
    if i >= 99 and window >= 90:
        solved = i + 1
        break
within = "yes" if solved is not None and solved <= 10000 else "no"
print(" | ".join([str(first or "never"), share, str(solved or "-"), within,
                  f"{2 ** n + 100:,}", f"{episodes:,}"]))
PY
}

printf '| job | N | seed | first treasure (episode) | after it: reached | last 100 >= 90%% at episode | within 10,000 | bsuite 2^N + 100 | episodes run | env steps | wall time | end |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|---|\n'
for job in "${JOBS[@]}"; do
  for n in $SIZES; do
    for seed in $SEEDS; do
      sized="$(dirname "$job")/.deepsea-$n-$seed-$(basename "$job")"
      { sed -E -e "s/deep_sea: \{size: [0-9]+\}/deep_sea: {size: $n}/" \
               -e "s/env_steps: [0-9]+/env_steps: $((10000 * n))/" \
               -e "s/wall_time: [0-9]+s/wall_time: $((120 * n))s/" \
               -e "s/eval: \{every_updates: [0-9]+/eval: {every_updates: 100000/" \
               -e "s/, *eval_return: [0-9.]+//" "$job"
        printf '\nseed: %s\n' "$seed"; } >"$sized"
      log="$(mktemp)"
      "$ENTROPIC" run "$sized" --output_dir="$RUNS_DIR" >"$log" 2>&1 &
      pid=$!
      # The job's id, and so its directory, is in the log once it starts.
      while kill -0 "$pid" 2>/dev/null; do
        sleep 2
        id="$(grep -m1 -oE '^job [^ ]+ RUNNING' "$log" | cut -d' ' -f2 || true)"
        if [ -n "$id" ] && solved "$RUNS_DIR/$id/episodes.csv"; then
          kill -INT "$pid"
          break
        fi
      done
      wait "$pid" || true
      out="$(cat "$log")"
      rm -f "$sized" "$log"
      end="$(grep -m1 -oE '(SUCCEEDED|FAILED|CANCELLED): .*' <<<"$out" | head -1)"
      steps="$(grep -m1 '^  env steps' <<<"$out" | sed 's/^ *env steps *//; s/ (.*//')"
      wall="$(grep -m1 '^  wall time' <<<"$out" | sed 's/^ *wall time *//')"
      run_dir="$(grep -m1 '^  curves' <<<"$out" | sed -E 's/^ *curves *//; s|/training.csv.*||')"
      if [ -n "$run_dir" ] && [ -f "$run_dir/episodes.csv" ]; then
        measured="$(summarise "$run_dir/episodes.csv" "$n")"
      else
        measured="- | - | - | - | - | -"
      fi
      printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$(basename "$job" .yaml)" \
        "$n" "$seed" "$measured" "$steps" "$wall" "$end"
    done
  done
done
