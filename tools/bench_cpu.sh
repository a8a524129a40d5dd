#!/usr/bin/env bash
# CPU training throughput of the engine and of PyTorch (tools/peer_cpu_train.py) on the same
# machine in one run: standard training on Fashion-MNIST-shaped input, batch 128, 2 threads
# (SCAAT_BENCH_THREADS=N to change). The first lines say which CPU and which kernels each side
# ran: the engine's convolution library and the ISA it picked (`scaat info`), PyTorch's CPU
# capability.
# The engine figure comes from the per-step log of a short `scaat train` run (real data, loader
# included, first two steps dropped); PyTorch trains on a fixed random batch after 3 warm-up steps. Needs python3 with torch and torchvision.
#   tools/bench_cpu.sh            # resnet8 and resnet18 (CIFAR stem)
set -euo pipefail
cd "$(dirname "$0")/.."
# OpenMP threads sleep instead of spinning between ops: same speed on an idle machine, several
# times faster when another process holds a core.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
[ -x build/scaat ] || tools/build.sh
threads=${SCAAT_BENCH_THREADS:-2}
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "engine $(build/scaat info | grep '^cpu:')"
echo "pytorch $(python3 -c "import torch; print(torch.__version__, 'CPU capability', torch.backends.cpu.get_cpu_capability())")"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-22s %8s %14s %14s %8s\n' model batch "engine img/s" "pytorch img/s" ratio
for spec in "resnet8 40" "resnet18 6"; do
  set -- $spec
  model=$1; steps=$2
  build/scaat train --dataset fashion-mnist --model "$model" --stem cifar --device cpu --epochs 1 \
    --batch 128 --limit-train $((128 * (steps + 2))) --limit-test 128 --eval-batch 128 \
    --log-every 1 --threads "$threads" --out "$out/$model" >/dev/null 2>&1
  # steps after the first two (warm-up), from the per-step log: images / seconds
  engine=$(python3 -c "
import json, sys
steps = [json.loads(l) for l in open(sys.argv[1]) if '\"step\"' in l]
steps = [s for s in steps if s['type'] == 'step'][2:]
print(round(128 * len(steps) / sum(128 / s['images_per_s'] for s in steps), 1))" "$out/$model/log.jsonl")
  peer=$(python3 tools/peer_cpu_train.py --model "$model" --batch 128 --threads "$threads" --steps "$steps" |
         python3 -c "import json,sys; print(json.load(sys.stdin)['img_per_s'])")
  ratio=$(python3 -c "print(f'{$engine/$peer:.2f}')")
  printf '%-22s %8d %14s %14s %8s\n' "$model" 128 "$engine" "$peer" "$ratio"
done
