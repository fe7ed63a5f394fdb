#!/usr/bin/env bash
# Configures SOURCE with NIMDE_NATIVE=OFF into BUILD and compiles the engine library: proof that a
# build for a generic x86-64 (no -march=native) still compiles.
set -euo pipefail
source_dir=$1 build_dir=$2
cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DNIMDE_NATIVE=OFF -DNIMDE_BUILD_TESTS=OFF \
      -DNIMDE_BUILD_BENCH=OFF >/dev/null
cmake --build "$build_dir" --target nimde_autodiff -j 1
