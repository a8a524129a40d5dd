#!/usr/bin/env bash
# Training-step time of every mode on the CPU, the engine (`scaat bench`) against the PyTorch
# peer (../shared/peer/peer_scaat.py --device cpu) in one run on the same machine: ResNet-8,
# 1x28x28 input (Fashion-MNIST's shape), batch 128, fp32, all cores. Prints ms per step, each
# mode's step time relative to standard on the same engine, and engine / peer speed ratios.
# The peer has no asgt mode: that row has no peer figure. Needs python3 with torch.
#   tools/bench_modes_cpu.sh               # every mode, 10 timed steps each
#   STEPS=20 tools/bench_modes_cpu.sh
#   SCAAT_BIN=/path/to/scaat tools/bench_modes_cpu.sh   # another build (default build/scaat)
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
scaat=${SCAAT_BIN:-build/scaat}
[ -x "$scaat" ] || { tools/build.sh; scaat=build/scaat; }
steps=${STEPS:-10}
threads=$(nproc)
peer=${SCAAT_PEER:-../shared/peer/peer_scaat.py}
json() { python3 -c "import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])['$1'])"; }
printf '%-9s %12s %10s %12s %10s %14s\n' mode "engine ms" "vs std" "peer ms" "vs std" "engine/peer"
std_e="" std_p=""
for mode in standard adv sgt scaat asgt; do
  e=$("$scaat" bench --device cpu --threads "$threads" --model resnet8 --channels 1 --size 28 \
        --batch 128 --precision fp32 --mode "$mode" --iters "$steps" --warmup 2 | json ms_per_step)
  p=nan
  if [ "$mode" != asgt ] && [ -f "$peer" ]; then
    p=$(python3 "$peer" --device cpu --threads "$threads" --model resnet8 --channels 1 --size 28 \
          --batch 128 --precision fp32 --mode "$mode" --iters "$steps" | json ms_per_step)
  fi
  [ -z "$std_e" ] && std_e=$e && std_p=$p
  python3 - "$mode" "$e" "$p" "$std_e" "$std_p" <<'PY'
import math, sys
mode, e, p, se, sp = sys.argv[1], *map(float, sys.argv[2:])
fmt = lambda v, f: "-" if math.isnan(v) else format(v, f)
print(f"{mode:<9} {fmt(e, '12.1f')} {fmt(e / se, '10.2f')} {fmt(p, '12.1f')} {fmt(p / sp, '10.2f')} {fmt(p / e, '14.2f')}")
PY
done
