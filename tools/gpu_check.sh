#!/usr/bin/env bash
# The GPU check, in one call on a GPU machine (see ../shared/GPU.md): build (or take a build made
# on the development machine), run every GPU test (every op's parity with the CPU, a few steps of
# every training mode on both backends, a short scaat run), benchmark standard, sgt and scaat
# training and the saliency / metric throughput (scaat bench --metrics: gradient maps + Gini,
# deletion AUC with 100 steps) against the PyTorch peer, and print a short table last. Meant to
# finish in well under 5 minutes.
#
#   tools/gpu_check.sh                 # builds ./build-gpu here (CMake/ninja from PATH or /opt/torch/.venv/bin)
#   tools/gpu_check.sh build-gpu       # uses a build carried from the development machine, made with
#                                      #   cmake -S . -B build-gpu -DCMAKE_CUDA_ARCHITECTURES=90 -DSCAAT_STATIC_CHECK=ON -DSCAAT_CAIRO=OFF
#                                      #   cmake --build build-gpu -j
#                                      # (about 25 MB; with the device tool: carry ["build-gpu"]). Use
#                                      # this when the GPU machine lacks OpenBLAS/libpng headers.
#   SCAAT_PEER=path/peer_scaat.py tools/gpu_check.sh   # the PyTorch peer (default: ../shared/peer, .gpu/)
#   SCAAT_GPU_QUICK=1 tools/gpu_check.sh               # tests only, no benchmark
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
export PATH="$PATH:/usr/local/cuda/bin:/opt/torch/.venv/bin"
export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}/usr/local/cuda/lib64:/usr/local/cuda/targets/x86_64-linux/lib"
build=${1:-build-gpu}
log_dir=${OUT:-/tmp}/
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
note() { printf '%s\n' "$*" | tee -a "$summary"; }

echo "== GPU"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader 2>/dev/null ||
  echo "nvidia-smi not available"

echo "== build ($build)"
if [ ! -x "$build/scaat" ]; then
  generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DSCAAT_CUDA=ON \
        -DCMAKE_CUDA_ARCHITECTURES=90 >"$log_dir/gpu_check_cmake.log" 2>&1 ||
    { tail -30 "$log_dir/gpu_check_cmake.log"; echo "FAILED: cmake"; exit 1; }
  cmake --build "$build" -j"$(nproc)" >"$log_dir/gpu_check_build.log" 2>&1 ||
    { tail -40 "$log_dir/gpu_check_build.log"; echo "FAILED: build"; exit 1; }
fi
"$build/scaat" info

status=0
run_test() { # name, then the command
  local name=$1; shift
  echo "== $name"
  local t0=$SECONDS
  "$@" 2>&1 | tee "$log_dir/$name.log"
  local rc=${PIPESTATUS[0]}
  local verdict=PASS
  [ "$rc" -eq 77 ] && verdict=SKIPPED
  [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && { verdict=FAIL; status=1; }
  note "$(printf '%-28s %-8s %4ds' "$name" "$verdict" $((SECONDS - t0)))"
}
run_test gpu_backend_ops "$build/tests/gpu_backend_ops"
run_test gpu_train_parity "$build/tests/gpu_train_parity"
fmnist=${SCAAT_FMNIST:-/usr/share/datasets/fashion-mnist}
if [ -d "$fmnist" ]; then
  run_test training_cli timeout 300 "$build/scaat" train --dataset fashion-mnist --data "$fmnist" \
    --model resnet8 --epochs 1 --mode scaat --device cuda --out "$log_dir/gpu_run"
else
  note "$(printf '%-28s %-8s (no Fashion-MNIST at %s; set SCAAT_FMNIST)' training_cli SKIPPED "$fmnist")"
fi

if [ "${SCAAT_GPU_QUICK:-0}" = 1 ]; then
  echo; cat "$summary"; exit $status
fi

peer=${SCAAT_PEER:-}
for candidate in ../shared/peer/peer_scaat.py shared/peer/peer_scaat.py .gpu/peer_scaat.py; do
  [ -z "$peer" ] && [ -f "$candidate" ] && peer=$candidate
done

echo "== benchmark: training step, images/s (engine: scaat bench; peer: PyTorch eager)"
bench_rows=()
for spec in "resnet18 cifar 32 512 resnet18_cifar 20" "resnet50 imagenet 224 128 resnet50 10"; do
  set -- $spec
  model=$1 stem=$2 size=$3 batch=$4 peer_model=$5 steps=$6
  for run in "standard fp32" "standard tf32" "sgt tf32" "scaat tf32"; do
    set -- $run
    mode=$1 precision=$2
    engine=$("$build/scaat" bench --device cuda --model "$model" --stem "$stem" --size "$size" \
              --batch "$batch" --precision "$precision" --mode "$mode" --iters "$steps" --warmup 3 2>&1 | tail -1)
    echo "$engine"
    e=$(printf '%s' "$engine" | python3 -c "import json,sys; print(json.load(sys.stdin)['img_per_s'])" 2>/dev/null || echo nan)
    p=nan
    if [ -n "$peer" ]; then
      pj=$(python3 "$peer" --model "$peer_model" --size "$size" --batch "$batch" --precision "$precision" \
             --mode "$mode" --iters "$steps" 2>&1 | tail -1)
      echo "$pj"
      p=$(printf '%s' "$pj" | python3 -c "import json,sys; print(json.load(sys.stdin)['img_per_s'])" 2>/dev/null || echo nan)
    fi
    ratio=$(python3 -c "import math; e,p=float('$e'),float('$p'); print('n/a' if math.isnan(e) or math.isnan(p) else f'{e/p:.2f}')")
    bench_rows+=("$(printf '%-10s %-9s %4d %5d %-8s %-5s %10s %10s %6s' "$model" "$stem" "$size" "$batch" "$mode" "$precision" "$e" "$p" "$ratio")")
  done
done

echo "== benchmark: saliency + Gini maps/s, deletion AUC (100 steps) samples/s (engine: scaat bench --metrics; peer: --metrics)"
metric_json() { # model what key < JSON lines: the key of the line with that model and what, nan if none
  python3 -c "
import json, sys
for line in sys.stdin:
    try: r = json.loads(line)
    except ValueError: continue
    if r.get('model') == sys.argv[1] and r.get('what') == sys.argv[2] and sys.argv[3] in r:
        print(r[sys.argv[3]]); break
else: print('nan')" "$@"
}
peer_metrics=""
if [ -n "$peer" ]; then # one call: ResNet-18 CIFAR 32x32 batch 256, then ResNet-50 224x224 batch 64
  peer_metrics=$(timeout 300 python3 "$peer" --metrics 2>&1)
  echo "$peer_metrics"
fi
metric_rows=()
for spec in "resnet18 cifar 32 256 resnet18_cifar" "resnet50 imagenet 224 64 resnet50"; do
  set -- $spec
  model=$1 stem=$2 size=$3 batch=$4 peer_model=$5
  engine=$(timeout 300 "$build/scaat" bench --metrics --device cuda --model "$model" --stem "$stem" \
             --size "$size" --batch "$batch" --iters 3 --warmup 2 2>&1)
  echo "$engine"
  for part in "saliency+gini maps_per_s" "deletion_auc samples_per_s"; do
    set -- $part
    what=$1 key=$2
    e=$(metric_json "$model" "$what" "$key" <<<"$engine")
    p=$(metric_json "$peer_model" "$what" "$key" <<<"$peer_metrics")
    ratio=$(python3 -c "import math; e,p=float('$e'),float('$p'); print('n/a' if math.isnan(e) or math.isnan(p) else f'{e/p:.2f}')")
    metric_rows+=("$(printf '%-10s %-9s %4d %5d %-14s %10s %10s %6s' "$model" "$stem" "$size" "$batch" "$what" "$e" "$p" "$ratio")")
  done
done

echo
echo "== summary ($(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1))"
cat "$summary"
printf '%-10s %-9s %4s %5s %-8s %-5s %10s %10s %6s\n' model stem size batch mode prec "engine" "pytorch" ratio
printf '%s\n' "${bench_rows[@]}"
printf '%-10s %-9s %4s %5s %-14s %10s %10s %6s\n' model stem size batch "metric (per s)" "engine" "pytorch" ratio
printf '%s\n' "${metric_rows[@]}"
exit $status
