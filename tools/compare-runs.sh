#!/usr/bin/env bash
# Side-by-side table of finished run directories (their metrics.json): mode, test accuracy,
# test-set saliency Gini (gradient of the predicted class, higher is sparser), training
# throughput and wall time.
#   tools/compare-runs.sh runs/default-standard runs/default-scaat
set -euo pipefail
if [ $# -eq 0 ]; then
  echo "usage: tools/compare-runs.sh RUN_DIR [RUN_DIR ...]" >&2
  exit 2
fi
field() { # field FILE KEY: the value of "KEY": in a metrics.json written by scaat train
  sed -n "s/^ *\"$2\": *\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$1" | head -n 1
}
printf '%-28s %-9s %10s %14s %10s %10s\n' run mode "test acc" "saliency Gini" "img/s" "wall s"
for dir in "$@"; do
  m="$dir/metrics.json"
  if [ ! -f "$m" ]; then
    echo "scaat: error: $m not found (is $dir a finished run directory?)" >&2
    exit 2
  fi
  awk -v run="$dir" -v mode="$(field "$m" mode)" -v acc="$(field "$m" test_accuracy)" \
      -v gini="$(field "$m" test_saliency_gini)" -v ips="$(field "$m" train_images_per_s)" \
      -v wall="$(field "$m" wall_seconds)" \
      'function num(v, fmt, scale) { return v == "null" || v == "" ? "-" : sprintf(fmt, v * scale) }
       BEGIN { printf "%-28s %-9s %10s %14s %10s %10s\n", run, mode, num(acc, "%.2f%%", 100),
               num(gini, "%.4f", 1), num(ips, "%.0f", 1), num(wall, "%.0f", 1) }'
done
