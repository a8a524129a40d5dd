#!/usr/bin/env bash
# Installs what scaat needs from Debian/Ubuntu packages, only when something is missing:
# compiler and CMake, OpenBLAS, libpng, zlib, Check (unit tests), cairo and a sans font (text and
# plots in heatmap PNGs) and Debian's Fashion-MNIST.
# The CUDA backend is built when the CUDA toolkit (nvcc) and cuDNN are already on the machine.
set -euo pipefail

packages=(build-essential cmake pkg-config libopenblas-dev libpng-dev zlib1g-dev check
          libsubunit-dev libcairo2-dev fonts-dejavu-core dataset-fashion-mnist)
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
