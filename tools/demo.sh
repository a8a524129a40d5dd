#!/usr/bin/env bash
# Quick start 1: install what is missing, build, and run the default job: ResNet-8 on
# Fashion-MNIST (Debian's dataset-fashion-mnist) trained with standard training and with
# SCAAT, same seed and epochs, then a side-by-side table of test accuracy and test-set
# saliency Gini (higher = sparser maps). About 11 minutes on a 2-core CPU, build included;
# seconds of training on a GPU (--device auto uses it). Extra arguments go to both trainings.
#   tools/demo.sh                  # 2 epochs each
#   EPOCHS=5 tools/demo.sh         # the setting of the README's results table
set -euo pipefail
cd "$(dirname "$0")/.."
# OpenMP threads sleep instead of spinning between ops: same speed on an idle machine, several
# times faster when another process holds a core.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
epochs=${EPOCHS:-2}
tools/install-deps.sh
# Without a GPU there is nothing to run CUDA kernels on: skip compiling them (minutes on 2 cores).
cuda=-DSCAAT_CUDA=AUTO
nvidia-smi -L >/dev/null 2>&1 || cuda=-DSCAAT_CUDA=OFF
SCAAT_TARGET=scaat tools/build.sh "$cuda"
build/scaat train --dataset fashion-mnist --model resnet8 --epochs "$epochs" --seed 0 \
  --mode standard --out runs/default-standard "$@"
# scaat's budget warms up over the run's epochs (--eps-warmup), so the last epoch uses the full eps
build/scaat train --dataset fashion-mnist --model resnet8 --epochs "$epochs" --seed 0 \
  --mode scaat --eps-warmup "$epochs" --out runs/default-scaat "$@"
echo
tools/compare-runs.sh runs/default-standard runs/default-scaat
echo
echo "run directories: runs/default-standard and runs/default-scaat (config.json, log.jsonl,"
echo "metrics.json, checkpoint-last/best.safetensors); compare their saliency maps with"
echo "  build/scaat explain --checkpoint runs/default-standard/checkpoint-last.safetensors \\"
echo "    --checkpoint runs/default-scaat/checkpoint-last.safetensors --method gradient --out runs/default-explain"
