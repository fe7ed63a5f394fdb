#!/usr/bin/env bash
# The main job: set up and build, run the engine demo, then the project's point in one minute:
# a pendulum field trained through explicit Euler learns Euler's IMDE, not the true field, and
# Euler's modified equation applied to the network recovers the true field.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
nimde="${NIMDE_BUILD_DIR:-build}/bin/nimde"
"$nimde" demo
echo
run=runs/quick-pendulum-euler
if [ -f "$run/checkpoint.json" ]; then
  "$nimde" train --resume "$run"  # finishes an interrupted run; a finished one is kept
else
  "$nimde" train --system pendulum --method euler --steps 1 --T 0.04 --optimizer lbfgs --dtype f64 \
    --iters 2000 --points 2000 --test-points 500 --out "$run"
fi
"$nimde" eval --model "$run/model.json" --test-points 500
"$nimde" compare --model "$run/model.json" --correct 3
