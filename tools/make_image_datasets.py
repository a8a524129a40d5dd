#!/usr/bin/env python3
"""Build small image datasets in the layouts scaat reads, from Fashion-MNIST, so an image-folder
or PatchCamelyon run works end to end on any machine.

    python3 tools/make_image_datasets.py --out data            # both sets, default sizes
    python3 tools/make_image_datasets.py --out data --no-pcam --train-per-class 200

Writes, deterministically for a given --seed:
  OUT/imagefolder/{train,val}/<class>/NNNNN.{jpg,png,tif}
      an ImageNet-layout folder (torchvision ImageFolder: class index = position of the class
      folder name in sorted order). Each Fashion-MNIST image is placed on a slightly larger
      canvas at a random offset, upscaled (bicubic) to a random size of --min-size..--max-size
      pixels per side (so aspect ratios vary), and coloured with a random foreground and
      background colour plus a little noise. Files rotate through JPEG (quality 90), PNG and
      TIFF (LZW); every seventh file is stored as greyscale, to exercise the conversions.
  OUT/pcam/camelyonpatch_level_2_split_{train,valid,test}_{x,y}.h5
      the official PatchCamelyon layout: dataset "x" N x 96 x 96 x 3 uint8 (chunked one image
      per chunk, uncompressed) and "y" N x 1 x 1 x 1 uint8, labels 0/1 (1 = Fashion-MNIST
      classes 5..9: sandal, shirt, sneaker, bag, ankle boot).

Needs numpy and Pillow, and h5py for the PCam files: Debian's python3-numpy, python3-pil and
python3-h5py, or the PyPI packages. Fashion-MNIST comes from --fashion-mnist (default
/usr/share/datasets/fashion-mnist, Debian's dataset-fashion-mnist package; the four IDX .gz
files).
"""
import argparse
import gzip
import os
import struct
import sys

import numpy as np
from PIL import Image

CLASS_NAMES = ["t-shirt", "trouser", "pullover", "dress", "coat",
               "sandal", "shirt", "sneaker", "bag", "ankle-boot"]
FORMATS = [("jpg", "JPEG", {"quality": 90}), ("png", "PNG", {}), ("tif", "TIFF", {"compression": "tiff_lzw"})]


def read_idx(path):
    """An IDX file (.gz) as a numpy array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        sys.exit(f"{path}: not an unsigned-byte IDX file")
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_fashion_mnist(directory):
    def part(name):
        path = os.path.join(directory, name)
        if not os.path.exists(path):
            sys.exit(f"missing {path}: install Debian's dataset-fashion-mnist or give --fashion-mnist DIR")
        return read_idx(path)
    return {"train": (part("train-images-idx3-ubyte.gz"), part("train-labels-idx1-ubyte.gz")),
            "test": (part("t10k-images-idx3-ubyte.gz"), part("t10k-labels-idx1-ubyte.gz"))}


def colourise(grey, rng):
    """(h, w) uint8 -> (h, w, 3) uint8: background and foreground colours mixed by intensity."""
    g = grey.astype(np.float32)[..., None] / 255.0
    background = rng.uniform(0, 110, 3).astype(np.float32)
    foreground = rng.uniform(140, 255, 3).astype(np.float32)
    rgb = background * (1.0 - g) + foreground * g + rng.normal(0, 6, grey.shape + (3,)).astype(np.float32)
    return np.clip(rgb, 0, 255).astype(np.uint8)


def enlarge(grey, rng, min_size, max_size):
    """Random placement on a 28..36 pixel canvas, then a bicubic upscale to a random size."""
    side = int(rng.integers(28, 37))
    canvas = np.zeros((side, side), np.uint8)
    y, x = int(rng.integers(0, side - 27)), int(rng.integers(0, side - 27))
    canvas[y:y + 28, x:x + 28] = grey
    width, height = int(rng.integers(min_size, max_size + 1)), int(rng.integers(min_size, max_size + 1))
    return np.asarray(Image.fromarray(canvas, "L").resize((width, height), Image.BICUBIC))


def pick(labels, per_class, classes, rng):
    """per_class random indices of each of the first `classes` labels."""
    chosen = []
    for c in range(classes):
        candidates = np.flatnonzero(labels == c)
        if per_class > len(candidates):
            sys.exit(f"only {len(candidates)} images of class {c} available, asked for {per_class}")
        chosen.append(rng.choice(candidates, per_class, replace=False))
    return chosen


def write_folder(out, data, args, rng):
    count = 0
    for split, source, per_class in (("train", "train", args.train_per_class), ("val", "test", args.val_per_class)):
        images, labels = data[source]
        for c, indices in enumerate(pick(labels, per_class, args.classes, rng)):
            directory = os.path.join(out, split, CLASS_NAMES[c])
            os.makedirs(directory, exist_ok=True)
            for k, index in enumerate(indices):
                big = enlarge(images[index], rng, args.min_size, args.max_size)
                image = Image.fromarray(colourise(big, rng), "RGB")
                if count % 7 == 6:
                    image = image.convert("L")
                ext, fmt, options = FORMATS[count % len(FORMATS)]
                image.save(os.path.join(directory, f"{k:05d}.{ext}"), fmt, **options)
                count += 1
    print(f"{out}: {count} images, {args.classes} classes "
          f"({args.train_per_class} train + {args.val_per_class} val per class)")


def pcam_images(images, labels, count, rng):
    """count 96 x 96 x 3 patches and their 0/1 labels (balanced as far as possible)."""
    binary = (labels >= 5).astype(np.uint8)
    order = np.concatenate([rng.permutation(np.flatnonzero(binary == b))[: (count + 1 - b) // 2] for b in (0, 1)])
    order = rng.permutation(order)[:count]
    x = np.empty((len(order), 96, 96, 3), np.uint8)
    for i, index in enumerate(order):
        grey = np.asarray(Image.fromarray(images[index], "L").resize((96, 96), Image.BICUBIC))
        x[i] = colourise(grey, rng)
    return x, binary[order].reshape(-1, 1, 1, 1)


def write_pcam(out, data, args, rng):
    try:
        import h5py
    except ImportError:
        sys.exit("h5py is needed for the PCam files (Debian: python3-h5py; PyPI: h5py), or give --no-pcam")
    os.makedirs(out, exist_ok=True)
    for split, source, count in (("train", "train", args.pcam_train), ("valid", "train", args.pcam_valid),
                                 ("test", "test", args.pcam_test)):
        x, y = pcam_images(*data[source], count, rng)
        stem = os.path.join(out, f"camelyonpatch_level_2_split_{split}")
        with h5py.File(stem + "_x.h5", "w") as f:
            f.create_dataset("x", data=x, chunks=(1, 96, 96, 3))
        with h5py.File(stem + "_y.h5", "w") as f:
            f.create_dataset("y", data=y, chunks=(len(y), 1, 1, 1))
        print(f"{stem}_{{x,y}}.h5: {len(y)} patches, {int(y.sum())} positive")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="data", help="output directory (default ./data)")
    parser.add_argument("--fashion-mnist", default="/usr/share/datasets/fashion-mnist",
                        help="directory of the Fashion-MNIST IDX .gz files")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--classes", type=int, default=10, help="image folder: first K classes (default 10)")
    parser.add_argument("--train-per-class", type=int, default=100)
    parser.add_argument("--val-per-class", type=int, default=20)
    parser.add_argument("--min-size", type=int, default=64, help="smallest image side (default 64)")
    parser.add_argument("--max-size", type=int, default=160, help="largest image side (default 160)")
    parser.add_argument("--pcam-train", type=int, default=2000)
    parser.add_argument("--pcam-valid", type=int, default=400)
    parser.add_argument("--pcam-test", type=int, default=400)
    parser.add_argument("--no-folder", action="store_true", help="skip the image folder")
    parser.add_argument("--no-pcam", action="store_true", help="skip the PCam files")
    args = parser.parse_args()
    if not 1 <= args.classes <= 10:
        parser.error("--classes must be 1..10")
    if not 8 <= args.min_size <= args.max_size <= 4096:
        parser.error("expected 8 <= --min-size <= --max-size <= 4096")
    if min(args.train_per_class, args.val_per_class, args.pcam_train, args.pcam_valid, args.pcam_test) < 1:
        parser.error("counts must be at least 1")
    data = load_fashion_mnist(args.fashion_mnist)
    if not args.no_folder:
        write_folder(os.path.join(args.out, "imagefolder"), data, args, np.random.default_rng([args.seed, 1]))
    if not args.no_pcam:
        write_pcam(os.path.join(args.out, "pcam"), data, args, np.random.default_rng([args.seed, 2]))


if __name__ == "__main__":
    main()
