#!/usr/bin/env bash
# Installs what scaat needs from Debian/Ubuntu packages, only when something is missing:
# compiler and CMake, OpenBLAS, oneDNN (CPU convolutions), libpng, zlib, Check (unit tests),
# cairo and a sans font (text and plots in heatmap PNGs), Debian's Fashion-MNIST, OpenMPI
# (data-parallel runs and their tests), strace (the crash-safety test injects faults with it),
# libjpeg-turbo and libtiff (JPEG and TIFF images), HDF5 (PatchCamelyon), clang with libFuzzer
# and its OpenMP (tools/fuzz.sh), Python 3 with numpy and Pillow (the end-to-end folder test
# runs tools/make_image_datasets.py).
# The CUDA backend is built when the CUDA toolkit (nvcc) and cuDNN are already on the machine.
set -euo pipefail

packages=(build-essential cmake pkg-config libopenblas-dev libdnnl-dev libpng-dev zlib1g-dev check
          libsubunit-dev libcairo2-dev fonts-dejavu-core dataset-fashion-mnist
          libopenmpi-dev openmpi-bin strace libjpeg62-turbo-dev libtiff-dev
          libhdf5-dev clang libclang-rt-dev libomp-dev python3-numpy python3-pil)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "scaat: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "scaat: error: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
