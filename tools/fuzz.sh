#!/usr/bin/env bash
# Fuzz the engine's readers with libFuzzer under AddressSanitizer + UndefinedBehaviorSanitizer
# (leak checks included): builds the harnesses of tests/fuzz/ with clang in their own build
# directory, writes the seed corpora, then runs each harness for a fixed time. Every input that
# crashes, leaks, hangs or runs out of memory is copied to tests/fuzz/regressions/<harness>/
# (replayed by the fuzz_regressions test from then on) and the run fails. A fault whose stack
# starts inside libhdf5 (its bugs on corrupt files, not the engine's) is counted as upstream,
# its input kept under <build>/fuzz-upstream/, and fuzzing goes on (tools/docs/reliability.md).
#
#   tools/fuzz.sh [--time SECONDS] [--build DIR] [HARNESS ...]
#     --time     seconds per harness (default 60, or $SCAAT_FUZZ_SECONDS)
#     --build    build directory (default build-fuzz); its fuzz-corpus/ grows from run to run
#     HARNESS    only these (default: all, as `fuzz_tool list` prints them)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${SCAAT_FUZZ_SECONDS:-60}
build="build-fuzz"
only=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time) seconds=${2:?--time needs a number of seconds}; shift 2 ;;
    --build) build=${2:?--build needs a directory}; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) only+=("$1"); shift ;;
  esac
done
case "$seconds" in ''|*[!0-9]*) echo "fuzz.sh: --time must be a whole number of seconds, got '$seconds'" >&2; exit 2 ;; esac
command -v clang >/dev/null || { echo "fuzz.sh: clang not found (tools/install-deps.sh installs it)" >&2; exit 2; }

# -Wno-unknown-warning-option: the project's gcc warning flags include some clang 14 does not know
sanitize="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
sanitize+=" -Wno-unknown-warning-option"
mkdir -p "$build"
CC=clang cmake -S . -B "$build" -DSCAAT_CUDA=OFF -DSCAAT_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS="$sanitize" >"$build/configure.log" 2>&1 \
  || { cat "$build/configure.log" >&2; exit 1; }
mapfile -t harnesses < <(cmake --build "$build" --target fuzz_tool -j"$(nproc)" >/dev/null &&
                         "$build/tests/fuzz/fuzz_tool" list)
[ ${#harnesses[@]} -gt 0 ] || { echo "fuzz.sh: building fuzz_tool failed" >&2; exit 1; }
if [ ${#only[@]} -gt 0 ]; then
  selected=()
  for h in "${only[@]}"; do
    line=$(printf '%s\n' "${harnesses[@]}" | grep "^$h " || true)
    [ -n "$line" ] || { echo "fuzz.sh: no harness '$h' (have: $(printf '%s ' "${harnesses[@]%% *}"))" >&2; exit 2; }
    selected+=("$line")
  done
  harnesses=("${selected[@]}")
fi
targets=()
for line in "${harnesses[@]}"; do targets+=("fuzz_${line%% *}"); done
cmake --build "$build" --target "${targets[@]}" -j"$(nproc)"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
seeds="$build/fuzz-seeds"
rm -rf "$seeds"
"$build/tests/fuzz/fuzz_tool" seeds "$seeds"

# The library a sanitizer report blames: the module of the first frame of the first report's
# stack that is not the sanitizer's or libFuzzer's own (interceptors, allocator, alarm handler;
# the allocation functions it intercepts, as in libFuzzer's -malloc_limit_mb report, whose
# frames name the fuzz binary).
blamed_module() {
  awk '/ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer|UndefinedBehaviorSanitizer)/ { on = 1; next }
       on && /^ *#[0-9]+ 0x[0-9a-f]+ / {
         fn = ($3 == "in") ? $4 : ""
         if (match($0, /\([^ ()]+\+0x[0-9a-f]+\)/)) mod = substr($0, RSTART + 1, RLENGTH - 2)
         else mod = $NF   # a frame of the engine itself: source file and line
         if (fn ~ /^(__|fuzzer::)/ || mod ~ /\/libc\.so/) next
         if (fn ~ /^(malloc|calloc|realloc|reallocarray|free|posix_memalign|aligned_alloc|memalign|valloc|pvalloc|operator)$/) next
         print mod; exit }' "$1"
}
# Faults inside these libraries on mutated input are their bugs, not the engine's: libhdf5 1.10
# (Debian's) reads freed or out-of-bounds heap memory on some corrupt chunked files. They are
# counted and their inputs kept under $build/fuzz-upstream/ (not replayed: they would crash
# again), and fuzzing goes on for the rest of the harness's time. A fault in any frame of ours
# fails the run as before.
upstream_libs='libhdf5'

failed=()
summary=()
for line in "${harnesses[@]}"; do
  name=${line%% *}
  max_len=${line##* }
  corpus="$build/fuzz-corpus/$name"
  artifacts="$build/fuzz-artifacts/$name"
  upstream="$build/fuzz-upstream/$name"
  kept="tests/fuzz/regressions/$name"
  mkdir -p "$corpus" "$artifacts"
  dirs=("$corpus" "$seeds/$name")
  [ -d "$kept" ] && dirs+=("$kept")
  log="$build/fuzz-$name.log"
  echo "fuzz.sh: $name for ${seconds} s (max_len $max_len)"
  asan=$ASAN_OPTIONS
  # libhdf5 (not instrumented, not ours) asks malloc for terabytes when a corrupt header says so
  # and handles the NULL it gets; ASan would abort instead. Mallocs above -malloc_limit_mb that
  # succeed are still reported.
  [ "$name" = pcam ] && asan="$asan:allocator_may_return_null=1"
  rc=0 execs=0 upstream_faults=0 left=$seconds
  while [ "$left" -gt 0 ]; do
    rm -f "$artifacts"/*
    rc=0
    started=$SECONDS
    ASAN_OPTIONS=$asan "$build/tests/fuzz/fuzz_$name" -max_total_time="$left" \
      -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "${dirs[@]}" >"$log" 2>&1 || rc=$?
    ran=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    execs=$((execs + ${ran:-0}))
    left=$((left - (SECONDS - started) - 1))
    [ "$rc" -ne 0 ] || break
    module=$(blamed_module "$log")
    case "$module" in
      *"$upstream_libs"*)
        upstream_faults=$((upstream_faults + 1))
        mkdir -p "$upstream"
        cp "$artifacts"/* "$upstream/" 2>/dev/null || true
        echo "fuzz.sh: $name: a fault inside ${module##*/} (upstream, not ours): $(grep -m1 'ERROR:' "$log" | sed 's/^==[0-9]*==//'); input kept in $upstream/" >&2
        rc=0 ;;
      *) break ;;
    esac
  done
  units=$(find "$corpus" -type f | wc -l)
  note=""
  [ "$upstream_faults" -gt 0 ] && note=", $upstream_faults fault(s) inside $upstream_libs (upstream)"
  if [ "$rc" -ne 0 ]; then
    tail -40 "$log" >&2
    mkdir -p "$kept"
    for f in "$artifacts"/*; do
      [ -f "$f" ] && cp "$f" "$kept/" && echo "fuzz.sh: kept $kept/$(basename "$f")" >&2
    done
    failed+=("$name")
    summary+=("$name: FAILED (exit $rc) after $execs executions$note; log $log")
  else
    summary+=("$name: $execs executions in ${seconds} s, corpus $units inputs, nothing found in the engine$note")
  fi
done

printf 'fuzz.sh: %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: failed: ${failed[*]}; the inputs are kept under tests/fuzz/regressions/" >&2
  exit 1
fi
