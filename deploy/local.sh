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
# processes, docker-compose to validate deploy/docker-compose*.yml, and
# openssl to make the certificates of the security tests.
readonly TEST_PACKAGES=(prometheus docker-compose openssl)

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
  *)
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
