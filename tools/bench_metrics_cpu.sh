#!/usr/bin/env bash
# Saliency and metric throughput on the CPU, in one run on the same machine: the engine
# (`scaat bench --metrics`: vanilla-gradient maps + Gini, deletion curve of 100 steps + AUC,
# batched through the evaluation's code path) against the PyTorch peer
# (../shared/peer/peer_scaat.py --metrics: the same, batched in eager PyTorch) and against
# Quantus' own PixelFlipping (tools/quantus_pixelflip_cpu.py: one sample per call, 98 steps of
# 8 pixels, its users' way). ResNet-8, 1x28x28 input, random init, N(0, 1) inputs, batch 256
# (Quantus: 8 images), all cores. Prints the JSON lines, then a table with the ratios.
# Needs python3 with torch (peer) and quantus + captum (Quantus row; skipped without them).
#   tools/bench_metrics_cpu.sh
#   SCAAT_BIN=/tmp/build/scaat SCAAT_PEER=path/peer_scaat.py tools/bench_metrics_cpu.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
bin=${SCAAT_BIN:-build/scaat}
[ -x "$bin" ] || [ -n "${SCAAT_BIN:-}" ] || tools/build.sh
[ -x "$bin" ] || { echo "error: no engine binary at $bin (set SCAAT_BIN)" >&2; exit 1; }
threads=$(nproc)
batch=${BATCH:-256}
images=${QUANTUS_IMAGES:-8}
peer=${SCAAT_PEER:-../shared/peer/peer_scaat.py}
shape=(--model resnet8 --channels 1 --size 28)
field() { # what, key: the key of the JSON line whose "what" is `what`, nan if none
  python3 -c "
import json, sys
for line in sys.stdin:
    try: r = json.loads(line)
    except ValueError: continue
    if r.get('what') == sys.argv[1] and sys.argv[2] in r: print(r[sys.argv[2]]); break
else: print('nan')" "$1" "$2"
}

echo "== engine: $bin bench --metrics"
engine=$("$bin" bench --metrics --device cpu "${shape[@]}" --stem cifar --batch "$batch")
echo "$engine"
peer_out=""
if [ -f "$peer" ]; then
  echo "== peer: $peer --metrics"
  peer_out=$(python3 "$peer" --metrics --device cpu --threads "$threads" "${shape[@]}" --batch "$batch")
  echo "$peer_out"
fi
quantus_out=""
if python3 -c "import quantus, captum" 2>/dev/null && [ -f "$peer" ]; then
  echo "== Quantus: tools/quantus_pixelflip_cpu.py"
  quantus_out=$(python3 tools/quantus_pixelflip_cpu.py --peer "$peer" --threads "$threads" \
                  "${shape[@]}" --images "$images" --per-call "$images")
  echo "$quantus_out"
fi

e_maps=$(field saliency+gini maps_per_s <<<"$engine")
e_gini=$(field saliency+gini gini_mean <<<"$engine")
e_del=$(field deletion_auc samples_per_s <<<"$engine")
e_auc=$(field deletion_auc auc_mean <<<"$engine")
p_maps=$(field saliency+gini maps_per_s <<<"$peer_out")
p_gini=$(field saliency+gini gini_mean <<<"$peer_out")
p_del=$(field deletion_auc samples_per_s <<<"$peer_out")
p_auc=$(field deletion_auc auc_mean <<<"$peer_out")
q_del=$(field pixel_flipping_auc samples_per_s <<<"$quantus_out")
q_auc=$(field pixel_flipping_auc auc_mean <<<"$quantus_out")
q_batched=$(field pixel_flipping_auc "samples_per_s_${images}_per_call" <<<"$quantus_out")

echo
echo "== summary ($threads threads, $(lscpu | sed -n 's/^Model name: *//p' | head -1))"
python3 - "$e_maps" "$p_maps" "$e_del" "$p_del" "$q_del" "$q_batched" "$e_gini" "$p_gini" \
          "$e_auc" "$p_auc" "$q_auc" "$batch" "$images" <<'PY'
import math, sys
e_maps, p_maps, e_del, p_del, q_del, q_b, e_g, p_g, e_a, p_a, q_a = map(float, sys.argv[1:12])
batch, images = sys.argv[12], sys.argv[13]
f = lambda v, spec: "-" if math.isnan(v) else format(v, spec)
r = lambda a, b: "-" if math.isnan(a) or math.isnan(b) or b == 0 else f"{a / b:.2f}"
print(f"{'per second':<26} {'engine':>9} {'peer':>9} {'quantus':>9} {'eng/peer':>9} {'eng/quantus':>12}")
print(f"{'saliency+gini maps':<26} {f(e_maps, '9.1f')} {f(p_maps, '9.1f')} {'-':>9} "
      f"{r(e_maps, p_maps):>9} {'-':>12}")
print(f"{'deletion AUC samples':<26} {f(e_del, '9.1f')} {f(p_del, '9.1f')} {f(q_del, '9.2f')} "
      f"{r(e_del, p_del):>9} {r(e_del, q_del):>12}")
print(f"means: gini engine {f(e_g, '.4f')} peer {f(p_g, '.4f')}; deletion AUC engine "
      f"{f(e_a, '.4f')} peer {f(p_a, '.4f')} quantus/steps {f(q_a, '.4f')} (different random models)")
print(f"engine and peer: batch {batch}; quantus: {images} images, one per call "
      f"({f(q_b, '.2f')} samples/s with {images} per call)")
PY
