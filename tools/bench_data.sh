#!/usr/bin/env bash
# Decode + augment throughput of the engine's data pipeline against torchvision's ImageFolder +
# DataLoader, same machine, same images, same transform, same number of workers, in one run:
# JPEGs of ImageNet's typical size (500 x 375, quality 90, written by Pillow from random
# smooth colour fields), one epoch of RandomResizedCrop(224) + flip + normalise into float
# batches of 64. Prints images/s of both, per worker, and the ratio.
#   tools/bench_data.sh                 # 600 images, 2 workers
#   SCAAT_BENCH_IMAGES=2000 SCAAT_BENCH_WORKERS=4 tools/bench_data.sh
# Needs python3 with numpy, Pillow, torch and torchvision.
set -euo pipefail
cd "$(dirname "$0")/.."
scaat=${SCAAT_BIN:-build/scaat} # another build: SCAAT_BIN=/path/to/scaat
[ -x "$scaat" ] || tools/build.sh
images=${SCAAT_BENCH_IMAGES:-600}
workers=${SCAAT_BENCH_WORKERS:-2}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
python3 - "$out" "$images" <<'PY'
import os, sys
import numpy as np
from PIL import Image
root, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(0)
for i in range(n):
    cls = f"{root}/train/class_{i % 4}"
    os.makedirs(cls, exist_ok=True)
    os.makedirs(f"{root}/val/class_{i % 4}", exist_ok=True)  # the split's classes must match
    # a smooth random field (upsampled noise) with some fine noise: JPEG sizes like photos'
    small = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
    img = Image.fromarray(small).resize((500, 375), Image.BICUBIC)
    pixels = np.asarray(img).astype(np.int16) + rng.integers(-12, 13, (375, 500, 3))
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(f"{cls}/{i:05d}.jpg",
                                                                   quality=90)
PY
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$images JPEGs of 500 x 375 (quality 90, $(du -sh "$out/train" | cut -f1)), $workers workers, RandomResizedCrop(224) + flip + normalise"
engine=$("$scaat" data-check --data "$out" --pipeline --workers "$workers" | tee /dev/stderr)
torch=$(python3 tools/bench_data_torch.py "$out/train" --workers "$workers" | tee /dev/stderr)
python3 - "$engine" "$torch" <<'PY'
import re, sys
rate = lambda s: float(re.search(r"([0-9.]+) images/s", s).group(1))
e, t = rate(sys.argv[1]), rate(sys.argv[2])
print(f"ratio engine / torchvision: {e / t:.2f}x (same workers, so the same ratio per core)")
PY
