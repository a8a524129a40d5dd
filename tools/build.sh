#!/usr/bin/env bash
# Configures and builds scaat (Release) into ./build; extra arguments go to cmake, e.g.
# tools/build.sh -DSCAAT_CUDA=OFF. The CUDA backend is built when nvcc and cuDNN are found.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j"$(nproc)"
