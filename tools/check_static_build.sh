#!/usr/bin/env bash
# Checks -DSCAAT_STATIC_DEPS=ON (tools/cmake/static_deps.cmake): configures a second build (CPU
# backend only) in ./build-static (SCAAT_STATIC_BUILD changes it), builds only the scaat command
# line and checks that
#   - libjpeg, libtiff, HDF5, libpng, zlib, OpenBLAS and the libraries under them are not dynamic
#     dependencies of the binary (readelf -d), and libjpeg, libtiff, HDF5 and OpenBLAS are not
#     loaded at all (ldd; libpng and zlib still come in under the shared cairo and MPI);
#   - `scaat info` runs and lists JPEG, TIFF, PatchCamelyon and the static libraries;
#   - the binary decodes the JPEG, PNG and TIFF fixtures (data-check on a small image folder) and
#     reads a PCam HDF5 file (written with h5py when Python has it; a non-HDF5 file must always be
#     refused with one clear error);
#   - as root: the binary runs (data-check, bench) under chroot in a directory holding only it, the
#     shared libraries ldd lists and the test data, i.e. on a machine without those libraries.
# Exit 0 when every check holds, 1 naming the first that fails. Needs tools/install-deps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${SCAAT_STATIC_BUILD:-build-static}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
  echo "check_static_build: FAIL: $*" >&2
  exit 1
}

if ! cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSCAAT_CUDA=OFF -DSCAAT_TESTS=OFF \
       -DSCAAT_STATIC_DEPS=ON >"$work/configure.log" 2>&1; then
  cat "$work/configure.log"
  fail "configure with -DSCAAT_STATIC_DEPS=ON"
fi
grep '^-- scaat:' "$work/configure.log"
cmake --build "$build" -j"$(nproc)" --target scaat
bin=$build/scaat

needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
echo "dynamic dependencies: $(tr '\n' ' ' <<<"$needed")"
for lib in libjpeg libtiff libhdf5 libpng libpng16 libz libopenblas libgfortran libquadmath libsz \
           libaec libwebp libLerc libjbig libzstd liblzma libdeflate; do
  if grep -q "^${lib}[._]" <<<"$needed"; then fail "$bin needs $lib as a shared library"; fi
done
loaded=$(ldd "$bin")
for lib in libjpeg libtiff libhdf5 libopenblas libgfortran libdnnl; do
  if grep -q "${lib}[._]" <<<"$loaded"; then fail "$bin loads $lib at run time: $(grep "$lib" <<<"$loaded")"; fi
done

info=$("$bin" info) || fail "scaat info exited with $?"
grep -E '^build: (image formats|PatchCamelyon|linked statically)' <<<"$info"
grep -q '^build: image formats: .*jpeg' <<<"$info" || fail "scaat info lists no JPEG"
grep -q '^build: image formats: .*tiff' <<<"$info" || fail "scaat info lists no TIFF"
grep -q '^build: PatchCamelyon (--dataset pcam): yes' <<<"$info" || fail "scaat info lists no PatchCamelyon"
grep -q '^build: linked statically: libjpeg libtiff HDF5 ' <<<"$info" ||
  fail "scaat info does not say libjpeg, libtiff and HDF5 are linked statically"

# Decoding through the static libraries: JPEG (baseline, progressive, CMYK), TIFF (LZW, deflate,
# CMYK), PNG (16-bit, palette), in both splits of an image folder.
fixtures=tests/fixtures/images
for split in train val; do
  mkdir -p "$work/folder/$split/jpeg" "$work/folder/$split/tiff" "$work/folder/$split/png"
  cp "$fixtures"/{rgb,progressive,cmyk}.jpg "$work/folder/$split/jpeg/"
  cp "$fixtures"/{rgb_lzw,rgb_deflate,cmyk}.tif "$work/folder/$split/tiff/"
  cp "$fixtures"/{rgb16,palette}.png "$work/folder/$split/png/"
done
"$bin" data-check --dataset imagefolder --data "$work/folder" --workers 2 >"$work/folder.log" 2>&1 ||
  { cat "$work/folder.log"; fail "data-check could not decode the image fixtures"; }
[ "$(grep -c 'bad images: 0' "$work/folder.log")" -eq 2 ] || { cat "$work/folder.log"; fail "bad images in the fixture folder"; }
echo "decoded the JPEG, PNG and TIFF fixtures"

# PCam through the static HDF5: a non-HDF5 x file is refused cleanly (exit 2, one error line).
mkdir -p "$work/notpcam"
for split in train valid; do
  echo "not an HDF5 file" >"$work/notpcam/camelyonpatch_level_2_split_${split}_x.h5"
  echo "not an HDF5 file" >"$work/notpcam/camelyonpatch_level_2_split_${split}_y.h5"
done
set +e
"$bin" data-check --dataset pcam --data "$work/notpcam" >"$work/notpcam.log" 2>&1
rc=$?
set -e
{ [ "$rc" -eq 2 ] && grep -q 'cannot open as an HDF5 file' "$work/notpcam.log"; } ||
  { cat "$work/notpcam.log"; fail "a non-HDF5 PCam file gave exit $rc instead of 2 and one error"; }
if python3 -c 'import h5py, numpy' 2>/dev/null; then
  python3 - "$work/pcam" <<'EOF'
import os, sys
import h5py, numpy as np
out = sys.argv[1]
os.makedirs(out)
rng = np.random.default_rng(0)
for split, n in (("train", 4), ("valid", 2)):
    with h5py.File(f"{out}/camelyonpatch_level_2_split_{split}_x.h5", "w") as f:
        f.create_dataset("x", data=rng.integers(0, 256, (n, 96, 96, 3), dtype=np.uint8))
    with h5py.File(f"{out}/camelyonpatch_level_2_split_{split}_y.h5", "w") as f:
        f.create_dataset("y", data=(np.arange(n) % 2).astype(np.uint8).reshape(n, 1, 1, 1))
EOF
  "$bin" data-check --dataset pcam --data "$work/pcam" >"$work/pcam.log" 2>&1 ||
    { cat "$work/pcam.log"; fail "data-check could not read a PCam HDF5 file"; }
  grep -q 'training split: 4 images' "$work/pcam.log" || { cat "$work/pcam.log"; fail "PCam: wrong count"; }
  echo "read a PCam HDF5 file"
else
  echo "PCam HDF5 file not written (Python has no h5py): only the refusal of a non-HDF5 file was checked"
fi

# On a machine without these libraries: a root directory holding only the binary, the shared
# libraries ldd lists and the test data, entered with chroot (root only). Also catches a library
# that would be loaded with dlopen.
if [ "$(id -u)" -eq 0 ]; then
  root=$work/root
  mkdir -p "$root/data"
  cp "$bin" "$root/scaat"
  grep -o '/[^ ]*' <<<"$loaded" | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  cp -r "$work/folder" "$root/data/folder"
  chroot "$root" /scaat data-check --data /data/folder --workers 2 >"$work/chroot.log" 2>&1 ||
    { cat "$work/chroot.log"; fail "data-check in a root without the libraries"; }
  chroot "$root" /scaat bench --device cpu --model resnet8 --batch 8 --iters 1 --warmup 0 \
    >"$work/chroot.log" 2>&1 || { cat "$work/chroot.log"; fail "scaat bench in a root without the libraries"; }
  if [ -d "$work/pcam" ]; then
    cp -r "$work/pcam" "$root/data/pcam"
    chroot "$root" /scaat data-check --dataset pcam --data /data/pcam >"$work/chroot.log" 2>&1 ||
      { cat "$work/chroot.log"; fail "PCam data-check in a root without the libraries"; }
  fi
  echo "ran data-check and bench in a root holding only the binary and $(grep -c '/' <<<"$loaded") shared libraries"
else
  echo "not root: the run in a root without these libraries (chroot) was skipped"
fi
echo "check_static_build: OK: $bin links libjpeg, libtiff, HDF5, libpng, zlib and OpenBLAS statically"
