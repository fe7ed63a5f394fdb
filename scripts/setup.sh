#!/usr/bin/env bash
# Installs the Debian packages the build and the figures need (only those missing), then
# configures and builds into build/ (or $NIMDE_BUILD_DIR). Extra arguments go to CMake's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."

# OpenMPI: `nimde reproduce` under mpirun, and the test that checks it against a serial run;
# python3-torch: the PyTorch bridge's tests.
bash scripts/install_packages.sh g++ cmake make pkg-config libxtensor-dev libxsimd-dev xtl-dev catch2 \
  libbenchmark-dev libgmp-dev libcli11-dev nlohmann-json3-dev python3-matplotlib python3-torch openmpi-bin \
  libopenmpi-dev

build="${NIMDE_BUILD_DIR:-build}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release "$@"
# NIMDE_TARGET builds only the targets it names, space-separated (the main job needs only `nimde`),
# otherwise everything; NIMDE_JOBS sets the parallel jobs (default: one per core).
# shellcheck disable=SC2086  # NIMDE_TARGET is a list
cmake --build "$build" -j "${NIMDE_JOBS:-$(nproc)}" ${NIMDE_TARGET:+--target $NIMDE_TARGET}
