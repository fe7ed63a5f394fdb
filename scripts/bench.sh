#!/usr/bin/env bash
# The benchmark suite in one command. It installs what is missing (scripts/setup.sh's packages,
# which include python3-torch, and libopenblas-dev for the side-by-side GEMM benchmarks), configures
# with -DNIMDE_BUILD_BENCH=ON and builds nimde and nimde-bench (scripts/setup.sh), runs
# build/bin/nimde-bench into build/bench/nimde-bench.json, then bench/compare_torch.py four
# times: a Neural ODE's training iteration against PyTorch's, a Hamiltonian network's
# (--model hnn), the peak memory of whole training processes (--memory), and how an iteration's
# time and memory scale with points, width and steps (--scaling, with the plot bench/scaling.png
# beside --out). Each of the four rewrites its own section of bench/RESULTS.md in place, between
# its markers.
#
# usage: bash scripts/bench.sh [--quick] [--filter REGEX] [--out FILE] [--json FILE]
#                              [--memory-cases N:S,...] [--no-setup]
#   --quick         a smoke run: nimde-bench without repetitions at --benchmark_min_time=0.05,
#                   the PyTorch comparisons on 1 thread with 1 repetition of 2 iterations, the
#                   memory cases 10000:2,10000:8 (unless --memory-cases is given), the scaling
#                   table's --quick form
#   --filter REGEX  only the nimde-bench benchmarks matching REGEX (its --benchmark_filter);
#                   also taken from $NIMDE_BENCH_FILTER
#   --out FILE      the Markdown file receiving the tables (default: bench/RESULTS.md)
#   --json FILE     nimde-bench's JSON output (default: <build>/bench/nimde-bench.json)
#   --memory-cases  <points>:<steps> list for compare_torch.py --memory (default there:
#                   100000:2,100000:8,100000:64)
#   --no-setup      install and build nothing; use the existing build
# The build directory is build/ or $NIMDE_BUILD_DIR; NIMDE_JOBS caps the build's parallel jobs.
# nimde-bench runs with OMP_NUM_THREADS=1 unless it is set (benchmarks named omp<t> fix their own).
# A failing step stops the script with one line on stderr naming the step.
set -euo pipefail
cd "$(dirname "$0")/.."

die() {
  echo "bench.sh: $*" >&2
  exit 1
}

# Runs a step; on failure, one line naming it.
step() {
  local what="$1"
  shift
  echo "== $what" >&2
  "$@" || die "$what failed (exit $?)"
}

quick=0 setup=1 filter="${NIMDE_BENCH_FILTER:-}" out=bench/RESULTS.md json="" memory_cases=""
while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    --no-setup) setup=0 ;;
    --filter | --out | --json | --memory-cases)
      (($# >= 2)) || die "$1 needs a value"
      case "$1" in
        --filter) filter="$2" ;;
        --out) out="$2" ;;
        --json) json="$2" ;;
        --memory-cases) memory_cases="$2" ;;
      esac
      shift
      ;;
    *) die "unknown option '$1' (see the header of scripts/bench.sh)" ;;
  esac
  shift
done

build="${NIMDE_BUILD_DIR:-build}"
json="${json:-$build/bench/nimde-bench.json}"

if ((setup)); then
  step "installing python3-torch and libopenblas-dev" bash scripts/install_packages.sh python3-torch libopenblas-dev
  step "setting up and building nimde and nimde-bench" \
    env NIMDE_TARGET="nimde nimde-bench" bash scripts/setup.sh -DNIMDE_BUILD_BENCH=ON
fi
for program in nimde nimde-bench; do
  [ -x "$build/bin/$program" ] || die "no $build/bin/$program: build it first (drop --no-setup, or bash scripts/setup.sh -DNIMDE_BUILD_BENCH=ON)"
done
mkdir -p "$(dirname "$json")" || die "cannot create the folder of $json"

bench_args=(--benchmark_out="$json" --benchmark_out_format=json)
if ((quick)); then
  bench_args+=(--benchmark_min_time=0.05)
else
  bench_args+=(--benchmark_repetitions=3 --benchmark_display_aggregates_only=true)
fi
if [ -n "$filter" ]; then  # nimde-bench itself exits 0 when nothing matches
  "$build/bin/nimde-bench" --benchmark_list_tests --benchmark_filter="$filter" | grep -q . ||
    die "no benchmark of $build/bin/nimde-bench matches --filter '$filter'"
  bench_args+=(--benchmark_filter="$filter")
fi
step "nimde-bench into $json" env OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" "$build/bin/nimde-bench" "${bench_args[@]}"

compare=(python3 bench/compare_torch.py --out "$out" --bench "$build/bin/nimde-bench")
if ((quick)); then
  timed=(--threads 1 --reps 1 --iters 2 --min-time 0.1)
  memory_cases="${memory_cases:-10000:2,10000:8}"
else
  timed=(--threads "1,2" --reps 5)
fi
step "Neural ODE against PyTorch" "${compare[@]}" "${timed[@]}"
step "Hamiltonian network against PyTorch" "${compare[@]}" "${timed[@]}" --model hnn
step "peak memory against PyTorch" "${compare[@]}" --memory --nimde "$build/bin/nimde" \
  ${memory_cases:+--memory-cases "$memory_cases"}
scaling=(--scaling --plot "$(dirname "$out")/scaling.png")
if ((quick)); then scaling+=(--quick); fi
step "scaling with points, width and steps against PyTorch" "${compare[@]}" "${scaling[@]}"
echo "bench.sh: nimde-bench's results in $json; the tables in $out" >&2
