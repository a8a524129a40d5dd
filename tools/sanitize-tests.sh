#!/usr/bin/env bash
# The whole CPU test suite under AddressSanitizer + UndefinedBehaviorSanitizer, with
# LeakSanitizer's leak check at the exit of every test process (the `scaat` runs of the CLI
# tests included), in its own build directory. Any out-of-bounds access, use after free,
# undefined behaviour (overflow, misaligned or null access, bad shift, ...) or leak fails the
# test it happens in. tests/lsan.supp lists the leaks of system libraries that are by design.
#
#   tools/sanitize-tests.sh [--build DIR] [CTEST ARGS ...]
#     --build    build directory (default build-sanitize)
#     CTEST ARGS passed to ctest instead of the default selection, e.g. -R test_json
# GPU tests are skipped as in the normal suite (a CPU-only build). Two kinds of test run without
# the leak check (ASan and UBSan stay on): the MPI tests (label mpi), because OpenMPI leaks at
# MPI_Finalize from plugins it has unloaded, which no suppression can name, and
# test_crash_safety, which runs scaat under strace, where LeakSanitizer cannot work.
set -euo pipefail
cd "$(dirname "$0")/.."

build="build-sanitize"
if [ "${1:-}" = "--build" ]; then
  build=${2:?--build needs a directory}
  shift 2
fi
case "${1:-}" in -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac

# -fno-sanitize-recover: undefined behaviour ends the process (a failed test) instead of a line
# in its output that nobody reads.
flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
cmake -S . -B "$build" -DSCAAT_CUDA=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined"
cmake --build "$build" -j"$(nproc)"

# allocator_may_return_null: libhdf5 (not ours) asks malloc for terabytes on a corrupt header
# (tests/fuzz/regressions/pcam) and handles the NULL; ASan would abort instead.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:check_initialization_order=1:allocator_may_return_null=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
if [ $# -gt 0 ]; then
  exec ctest --test-dir "$build" --output-on-failure "$@"
fi
no_leak_check='^test_crash_safety$'
failed=0
ctest --test-dir "$build" --output-on-failure -LE mpi -E "$no_leak_check" || failed=1
export ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0"
ctest --test-dir "$build" --output-on-failure -L mpi || failed=1
ctest --test-dir "$build" --output-on-failure -R "$no_leak_check" || failed=1
exit $failed
