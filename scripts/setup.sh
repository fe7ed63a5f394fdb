#!/usr/bin/env bash
# Installs the Debian packages the build and the figures need (only those missing), then
# configures and builds into build/ (or $NIMDE_BUILD_DIR). Extra arguments go to CMake's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."

# OpenMPI: `nimde reproduce` under mpirun, and the test that checks it against a serial run.
packages=(g++ cmake make pkg-config libxtensor-dev libxsimd-dev xtl-dev catch2 libbenchmark-dev
          libgmp-dev libcli11-dev nlohmann-json3-dev python3-matplotlib python3-torch openmpi-bin
          libopenmpi-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

build="${NIMDE_BUILD_DIR:-build}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release "$@"
# NIMDE_TARGET builds one target (the main job needs only `nimde`), otherwise everything.
cmake --build "$build" -j "$(nproc)" ${NIMDE_TARGET:+--target "$NIMDE_TARGET"}
