#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang-14, ASan and UBSan into build-fuzz/, then
# runs each for SECONDS (default 30) on its seed corpus, tests/fuzz/corpus/TARGET (read, never
# written: new inputs go to build-fuzz/fuzz-corpus/TARGET). Fails if any target finds a crash,
# a leak, a hang (> 25 s on one input) or an out-of-memory; the input is left in
# build-fuzz/fuzz-crashes/TARGET/ and can be replayed with `build-fuzz/bin/fuzz_TARGET FILE`.
#   scripts/fuzz.sh [SECONDS] [TARGET...]      targets: expression tableau model_file run_files points_file
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift || true
targets=("$@")
((${#targets[@]})) || targets=(expression tableau model_file run_files points_file)

bash scripts/install_packages.sh clang-14 libfuzzer-14-dev libclang-rt-14-dev libomp-14-dev cmake make pkg-config \
  libxtensor-dev libxsimd-dev xtl-dev libgmp-dev libcli11-dev nlohmann-json3-dev

build=build-fuzz
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DNIMDE_FUZZ=ON \
  -DNIMDE_BUILD_TESTS=OFF -DNIMDE_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

failed=()
for t in "${targets[@]}"; do
  corpus="$build/fuzz-corpus/$t" crashes="$build/fuzz-crashes/$t"
  mkdir -p "$corpus" "$crashes"
  log="$build/fuzz-$t.log"
  status=0
  "$build/bin/fuzz_$t" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$crashes/" "$corpus" "tests/fuzz/corpus/$t" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  coverage=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
  printf '%-12s %s executions, %s, %s\n' "$t" "${runs:-?}" "${coverage:-no coverage line}" \
    "$([ "$status" -eq 0 ] && echo "no crash" || echo "FAILED (exit $status), see $log and $crashes/")"
  if [ "$status" -ne 0 ]; then
    failed+=("$t")
    grep -m 5 -E 'ERROR|SUMMARY|Test unit written' "$log" || true
  fi
done
if ((${#failed[@]})); then
  echo "fuzzing failed: ${failed[*]}" >&2
  exit 1
fi
