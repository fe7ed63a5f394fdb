#!/usr/bin/env bash
# The main job: set up and build, then run the engine demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
"${NIMDE_BUILD_DIR:-build}/bin/nimde" demo
