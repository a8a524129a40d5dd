#!/usr/bin/env bash
# Configures and builds scaat (Release) into ./build; extra arguments go to cmake, e.g.
# tools/build.sh -DSCAAT_CUDA=OFF. The CUDA backend is built when nvcc and cuDNN are found;
# the configure step's "scaat:" lines say which backends and renderers this build has.
# SCAAT_TARGET=scaat builds only the command line (no tests), as the demo does.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >"$log" 2>&1; then
  cat "$log"
  exit 1
fi
grep -E '^-- scaat:|Warning' "$log" || true
target=()
[ -n "${SCAAT_TARGET:-}" ] && target=(--target "$SCAAT_TARGET")
cmake --build build -j"$(nproc)" "${target[@]}"
