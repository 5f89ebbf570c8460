#!/usr/bin/env bash
# Sets up this machine (Debian 12) for Entropic, builds it, and runs it.
#
#   deploy/local.sh run [JOB.yaml] [entropic run flags]
#       install what is missing, build, train JOB (default: the CartPole
#       soft Q-learning job) in an embedded cluster
#   deploy/local.sh test [ctest args]
#       install what is missing (test tools too), build, run every test
#   deploy/local.sh build
#       install what is missing and build
#   deploy/local.sh fuzz [SECONDS]
#       install clang, build the libFuzzer targets into build-fuzz/ and run
#       each over its corpus (tests/fuzz/corpus/) for SECONDS (default 20);
#       fails on any crash, leak, timeout or sanitizer error
#
# Every dependency is a Debian package. BUILD_DIR (default build/) holds the
# build; ccache keeps rebuilds short.
set -euo pipefail

cd "$(dirname "$0")/.."
readonly BUILD_DIR="${BUILD_DIR:-build}"

# Libraries and tools the build needs.
readonly BUILD_PACKAGES=(
  cmake ninja-build ccache g++ pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libtorch-dev prometheus-cpp-dev libgoogle-glog-dev
  libgflags-dev libyaml-cpp-dev nlohmann-json3-dev libgtest-dev libgmock-dev
  zlib1g-dev libmicrohttpd-dev
  # LibTorch runs on the system BLAS: OpenBLAS is ~20x the reference one.
  libopenblas0-openmp
)
# Only the tests need these: a real Prometheus server to scrape the
# processes, docker-compose to validate deploy/docker-compose*.yml, openssl
# to make the certificates of the security tests, iproute2 for the
# network namespaces of the partition test, and Python's torch to load the
# policies `entropic export` writes.
readonly TEST_PACKAGES=(prometheus docker-compose openssl iproute2 python3-torch)
# The fuzzers (tests/fuzz/, docs/reliability.md): clang 14 and its libFuzzer
# and sanitizer runtimes. No LibTorch in that build.
readonly FUZZ_PACKAGES=(
  cmake ninja-build ccache clang libclang-rt-14-dev pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev prometheus-cpp-dev libgoogle-glog-dev libgflags-dev
  libyaml-cpp-dev libgtest-dev libgmock-dev zlib1g-dev libmicrohttpd-dev
)
readonly FUZZ_BUILD_DIR="${FUZZ_BUILD_DIR:-build-fuzz}"

install_missing() {
  local missing=()
  for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
        grep -q "install ok installed"; then
      missing+=("$package")
    fi
  done
  if ((${#missing[@]} == 0)); then
    return
  fi
  echo "installing: ${missing[*]}"
  local sudo=()
  if ((EUID != 0)); then
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q \
    --no-install-recommends "${missing[@]}"
}

build() {
  export CCACHE_DIR="${CCACHE_DIR:-$HOME/.ccache}"
  # Paths hashed relative to the checkout: clones in other folders share hits.
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  # Two jobs: LibTorch files need about 1.5 GiB of memory each to compile.
  cmake --build "$BUILD_DIR" -j "${BUILD_JOBS:-$(nproc)}" "$@"
}

# Builds the fuzzers and runs each for $1 seconds over a scratch copy of its
# corpus (new inputs go to the scratch folder; the checkout is not changed).
fuzz() {
  local seconds="$1"
  export CCACHE_DIR="${CCACHE_DIR:-$HOME/.ccache}"
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
  cmake -S . -B "$FUZZ_BUILD_DIR" -G Ninja -DENTROPIC_FUZZ=ON \
    -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" >/dev/null
  cmake --build "$FUZZ_BUILD_DIR" -j "${BUILD_JOBS:-$(nproc)}" --target fuzzers
  local work="$FUZZ_BUILD_DIR/fuzz-runs"
  rm -rf "$work"
  local failed=()
  for corpus in tests/fuzz/corpus/*/; do
    local name
    name="$(basename "$corpus")"
    mkdir -p "$work/$name"
    echo "fuzzing $name for ${seconds}s"
    if ! "$FUZZ_BUILD_DIR/tests/fuzz/$name" "$work/$name" "$corpus" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -malloc_limit_mb=1024 -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$work/$name-" >"$work/$name.log" 2>&1; then
      tail -n 60 "$work/$name.log"
      failed+=("$name")
    fi
    grep -E '^#[0-9]+[[:space:]]+DONE' "$work/$name.log" || true
  done
  if ((${#failed[@]} > 0)); then
    echo "fuzzers failed: ${failed[*]} (inputs: $work/*-crash-*, *-leak-*, *-timeout-*, *-oom-*)"
    return 1
  fi
}

command="${1:-}"
shift || true
case "$command" in
  run)
    install_missing "${BUILD_PACKAGES[@]}"
    build --target entropic
    job="examples/cartpole-softq.yaml"
    if (($# > 0)) && [[ "$1" != -* ]]; then
      job="$1"
      shift
    fi
    exec "$BUILD_DIR/cli/entropic" run "$job" "$@"
    ;;
  test)
    install_missing "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    build
    exec ctest --test-dir "$BUILD_DIR" --output-on-failure -j 2 "$@"
    ;;
  build)
    install_missing "${BUILD_PACKAGES[@]}"
    build
    ;;
  fuzz)
    install_missing "${FUZZ_PACKAGES[@]}"
    fuzz "${1:-20}"
    ;;
  *)
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
