#!/usr/bin/env bash
# Quick start 2: install what is missing, build, and run the whole test suite with CTest.
# GPU tests (label gpu) are reported as skipped on machines without a GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
# OpenMP threads sleep instead of spinning between ops: same speed on an idle machine, several
# times faster when another process holds a core.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
tools/install-deps.sh
tools/build.sh -DSCAAT_CUDA=AUTO  # the CUDA backend is compiled (and its tests skipped) where nvcc is
ctest --test-dir build --output-on-failure "$@"
