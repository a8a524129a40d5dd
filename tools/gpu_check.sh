#!/usr/bin/env bash
# The GPU check, in one call on a GPU machine (see ../shared/GPU.md): build (or take a build made
# on the development machine), run every GPU test (every op's parity with the CPU, a few steps of
# every training mode on both backends, the GPU error paths, a short scaat run, a 1-rank NCCL
# job (mpirun -np 1, with and without --sync-bn) against the plain run's losses), benchmark
# standard, sgt and scaat training and the saliency / metric throughput (scaat bench --metrics:
# gradient maps + Gini, deletion AUC with 100 steps) against the PyTorch peer, and ResNet-50
# training from a generated JPEG folder against synthetic data (does the decode pipeline keep
# the GPU fed?), and print a short table last. Meant to finish in well under 5 minutes (--sanitize takes longer: compute-sanitizer
# slows kernels down many times).
#
#   tools/gpu_check.sh                 # builds ./build-gpu here (CMake/ninja from PATH or /opt/torch/.venv/bin)
#   tools/gpu_check.sh build-gpu       # uses a build carried from the development machine, made with
#                                      #   cmake -S . -B build-gpu -DCMAKE_CUDA_ARCHITECTURES=90 -DSCAAT_STATIC_CHECK=ON -DSCAAT_CAIRO=OFF -DSCAAT_DNNL=OFF
#                                      #   cmake --build build-gpu -j
#                                      # (about 25 MB; with the device tool: carry ["build-gpu"]). Use
#                                      # this when the GPU machine lacks OpenBLAS/libpng headers.
#                                      # -DSCAAT_DNNL=OFF: Debian has no static oneDNN and its
#                                      # libdnnl.so.2 (40 MB) would not fit the carry; the CPU
#                                      # reference side then runs im2col + OpenBLAS.
#   SCAAT_PEER=path/peer_scaat.py tools/gpu_check.sh   # the PyTorch peer (default: ../shared/peer, .gpu/)
#   SCAAT_GPU_QUICK=1 tools/gpu_check.sh               # tests only, no benchmark
#   tools/gpu_check.sh --sanitize [build-gpu]          # tests, then compute-sanitizer: memcheck over
#                                                      #   gpu_backend_ops, gpu_backend_errors and a short
#                                                      #   gpu_train_parity; racecheck over the ops whose
#                                                      #   kernels use shared memory; no benchmark
# The GPU tests run with --deterministic's configuration (their default), and the training run too.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
export PATH="$PATH:/usr/local/cuda/bin:/usr/local/cuda/compute-sanitizer:/opt/torch/.venv/bin"
export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}/usr/local/cuda/lib64:/usr/local/cuda/targets/x86_64-linux/lib"
sanitize=0
build=build-gpu
for arg in "$@"; do
  case $arg in
    --sanitize) sanitize=1 ;;
    *) build=$arg ;;
  esac
done
log_dir=${OUT:-/tmp}/
summary=$(mktemp)
work=$(mktemp -d) # generated data and run directories of the checks below
trap 'rm -f "$summary"; rm -rf "$work"' EXIT
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
for op in conv2d_fwd conv2d_bwd_data conv2d_bwd_filter; do # the algorithms a default run times
  run_test "${op}_timed" "$build/tests/gpu_backend_ops" --timed-algorithms --op "$op"
done
run_test gpu_train_parity "$build/tests/gpu_train_parity"
run_test gpu_backend_errors "$build/tests/gpu_backend_errors"
run_test gpu_cuda_internals "$build/tests/gpu_cuda_internals"
fmnist=${SCAAT_FMNIST:-/usr/share/datasets/fashion-mnist}
if [ -d "$fmnist" ]; then
  run_test training_cli timeout 300 "$build/scaat" train --dataset fashion-mnist --data "$fmnist" \
    --model resnet8 --epochs 1 --mode scaat --device cuda --deterministic --out "$log_dir/gpu_run"
else
  note "$(printf '%-28s %-8s (no Fashion-MNIST at %s; set SCAAT_FMNIST)' training_cli SKIPPED "$fmnist")"
fi

# An image folder of photo-sized images (JPEG when this build reads JPEG, else PNG), written
# here by tools/make_photo_folder.py: the data of the NCCL check and of the feed benchmark.
info=$("$build/scaat" info)
format=png
grep -q '^build: image formats:.*jpeg' <<<"$info" && format=jpg
folder=$work/folder
python3 tools/make_photo_folder.py "$folder" --train 4096 --val 64 --format "$format" ||
  folder=""

# A 1-rank NCCL job (mpirun -np 1: the data-parallel path with a communicator of size 1)
# against the plain run, --deterministic, 20 steps at a small learning rate (so float sums in
# another order, as sync-BN's, stay within 1e-5 rather than growing): the same losses.
nccl_check() { # name, then the extra options of the job
  local name=$1; shift
  if ! grep -q '^build: data-parallel runs: MPI yes.*NCCL yes' <<<"$info"; then
    note "$(printf '%-28s %-8s (this build has no MPI + NCCL: %s)' "$name" SKIPPED \
            "$(grep '^build: data-parallel' <<<"$info" | cut -d: -f3- | sed 's/^ //')")"
    return
  fi
  if ! command -v mpirun >/dev/null || [ -z "$folder" ]; then
    note "$(printf '%-28s %-8s (%s)' "$name" SKIPPED "no mpirun on PATH, or no image folder")"
    return
  fi
  local launcher=(mpirun -np 1)
  # Open MPI binds a rank of a small job to one core, which would starve its decode threads
  mpirun --version 2>&1 | grep -q 'Open MPI' && launcher+=(--allow-run-as-root --bind-to none)
  local run=("$build/scaat" train --dataset imagefolder --data "$folder" --model resnet18
             --stem imagenet --image-size 64 --limit-train 1280 --limit-test 64 --batch 64
             --epochs 1 --lr 0.0005 --warmup-epochs 0 --log-every 1 --device cuda --deterministic)
  [ -f "$work/plain/log.jsonl" ] ||
    timeout 300 "${run[@]}" --out "$work/plain" >"$log_dir/${name}_plain.log" 2>&1
  local t0=$SECONDS verdict=FAIL
  timeout 300 "${launcher[@]}" "${run[@]}" "$@" --out "$work/$name" >"$log_dir/$name.log" 2>&1
  local compared
  compared=$(python3 tools/compare_losses.py "$work/plain" "$work/$name" --rtol 1e-5 2>&1) &&
    verdict=PASS
  [ "$verdict" = PASS ] || status=1
  note "$(printf '%-28s %-8s %4ds (vs plain run: %s)' "$name" "$verdict" $((SECONDS - t0)) "$compared")"
}
nccl_check nccl_1rank
nccl_check nccl_1rank_sync_bn --sync-bn
# 43 buckets of 1 MiB, each started on the communication stream during the backward pass
nccl_check nccl_1rank_buckets --bucket-mb 1

if [ "$sanitize" = 1 ]; then
  if ! command -v compute-sanitizer >/dev/null; then
    note "$(printf '%-28s %-8s (compute-sanitizer not found on PATH or in /usr/local/cuda)' sanitize FAIL)"
    status=1
  else
    sanitizer=(compute-sanitizer --error-exitcode 1 --print-limit 20)
    run_test memcheck_backend_ops timeout 600 "${sanitizer[@]}" --tool memcheck "$build/tests/gpu_backend_ops"
    run_test memcheck_backend_errors timeout 300 "${sanitizer[@]}" --tool memcheck "$build/tests/gpu_backend_errors"
    run_test memcheck_train_parity timeout 600 "${sanitizer[@]}" --tool memcheck \
      "$build/tests/gpu_train_parity" --steps 1 --mode scaat
    # the ops whose kernels use shared memory (CUB block reductions and sorts, tiles)
    for op in image_stats mask_fill mask_select map_gini perturb_budget perturb_init perturb_step \
              axpby add_noise ranked_replace gaussian_blur gradcam resize_bilinear map_sparsity \
              rank_pixels rank_rows curve_auc masked_sum pearson_rows relative_distance target_score; do
      run_test "racecheck_$op" timeout 300 "${sanitizer[@]}" --tool racecheck \
        "$build/tests/gpu_backend_ops" --op "$op"
    done
  fi
  echo; cat "$summary"; exit $status
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
    [ "$model $mode $precision" = "resnet50 standard tf32" ] && synthetic_r50=$e
  done
done

# Does the decode pipeline keep the GPU fed? ResNet-50 224x224 training (batch 128, TF32, all
# cores decoding) from the photo-sized folder against the same step on synthetic data (the
# scaat bench row above): the steady-state images/s of the run's log.jsonl intervals (the
# median, the first interval left out: cuDNN's algorithm timing and the queue filling up).
feed_row="feed: no image folder (tools/make_photo_folder.py failed: Python with numpy and Pillow?)"
if [ -n "$folder" ]; then
  echo "== benchmark: ResNet-50 224x224 training from a $format folder vs synthetic data"
  timeout 300 "$build/scaat" train --dataset imagefolder --data "$folder" --model resnet50 \
    --stem imagenet --image-size 224 --batch 128 --epochs 1 --log-every 4 --device cuda --out "$work/feed" 2>&1 | tee "$log_dir/feed.log"
  f=$(python3 -c "
import json, statistics, sys
rates = [r['images_per_s'] for r in map(json.loads, open(sys.argv[1])) if r.get('type') == 'step']
print(f'{statistics.median(rates[1:]):.0f}' if len(rates) > 1 else 'nan')" "$work/feed/log.jsonl" 2>/dev/null || echo nan)
  feed_row=$(python3 -c "
import math, sys
f, s = float(sys.argv[1]), float(sys.argv[2])
share = 'n/a' if math.isnan(f) or math.isnan(s) else f'{f / s:.2f}'
verdict = 'n/a' if share == 'n/a' else 'fed' if f >= 0.9 * s else 'data-bound'
print(f'feed: resnet50 224 batch 128 tf32, {sys.argv[3]} folder, {sys.argv[4]} decode threads: '
      f'{f:.0f} img/s vs {s:.0f} synthetic = {share} ({verdict})')" "$f" "${synthetic_r50:-nan}" "$format" "$(nproc)")
fi

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
echo "$feed_row"
exit $status
