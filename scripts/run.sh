#!/usr/bin/env bash
# The main job: set up and build, then reproduce the paper's experiments (the `quick` preset:
# every figure and extension on 2 cores in minutes) into runs/reproduce/. It ends with the
# report's conclusion table and where the figures are. Interrupted, it resumes where it stopped:
# run it again. `bash scripts/run.sh --preset paper` runs the paper's own settings instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
"${NIMDE_BUILD_DIR:-build}/bin/nimde" reproduce --out runs/reproduce "$@"
