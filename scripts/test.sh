#!/usr/bin/env bash
# Set up and build, then run the whole test suite under CTest, then each fuzz target for 30 s.
# `scripts/test.sh --sanitize` does the same in build-sanitize/ with ASan + UBSan (no fuzzing).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--sanitize" ]; then
  export NIMDE_BUILD_DIR=build-sanitize
  bash scripts/setup.sh -DNIMDE_SANITIZE=ON -DNIMDE_BUILD_BENCH=OFF
else
  bash scripts/setup.sh
fi
ctest --test-dir "${NIMDE_BUILD_DIR:-build}" --output-on-failure -j 2
[ "${1:-}" = "--sanitize" ] || bash scripts/fuzz.sh 30
