#!/usr/bin/env bash
# The main job: set up and build, then reproduce the paper's experiments (the `quick` preset:
# every figure and extension on 2 cores in minutes) into runs/reproduce/. It ends with the
# report's conclusion table and where the figures are. Interrupted, it resumes where it stopped:
# run it again. Extra arguments go to `nimde reproduce` (e.g. `--only figure2`); the paper's own
# settings: `build/bin/nimde reproduce --preset paper --out runs/paper`.
set -euo pipefail
cd "$(dirname "$0")/.."
NIMDE_TARGET=nimde bash scripts/setup.sh
"${NIMDE_BUILD_DIR:-build}/bin/nimde" reproduce --out runs/reproduce "$@"
