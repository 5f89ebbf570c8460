#!/usr/bin/env bash
# Runs job files with several seeds in the embedded cluster and prints one
# row per run: the job's end, its final evaluation, env steps, updates and
# wall time, as the README's tables report them.
#
#   tests/bench/algorithm_targets.sh "1 2 3" examples/pendulum-sac.yaml ...
#
# Needs a built tree (build/cli/entropic). Runs write under $RUNS_DIR
# (default: a temporary directory).
set -euo pipefail
cd "$(dirname "$0")/../.."
readonly SEEDS="$1"
shift
readonly RUNS_DIR="${RUNS_DIR:-$(mktemp -d)}"
readonly ENTROPIC="${ENTROPIC:-build/cli/entropic}"

printf '| job | seed | end | final eval | env steps | updates | wall time |\n'
printf '|---|---|---|---|---|---|---|\n'
for job in "$@"; do
  for seed in $SEEDS; do
    # The same job with `seed: N`, beside the original so its relative
    # demonstrations path still resolves.
    seeded="$(dirname "$job")/.seed-$seed-$(basename "$job")"
    { cat "$job"; printf '\nseed: %s\n' "$seed"; } >"$seeded"
    out="$("$ENTROPIC" run "$seeded" --output_dir="$RUNS_DIR" 2>&1 || true)"
    rm -f "$seeded"
    end="$(grep -m1 -oE '(SUCCEEDED|FAILED|CANCELLED): .*' <<<"$out" | head -1)"
    eval_line="$(grep -m1 'eval return' <<<"$out" | sed 's/^ *eval return *//')"
    steps="$(grep -m1 '^  env steps' <<<"$out" | sed 's/^ *env steps *//')"
    updates="$(grep -m1 '^  updates' <<<"$out" | sed 's/^ *updates *//')"
    wall="$(grep -m1 'wall time' <<<"$out" | sed 's/^ *wall time *//')"
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$(basename "$job" .yaml)" \
      "$seed" "$end" "$eval_line" "$steps" "$updates" "$wall"
  done
done
