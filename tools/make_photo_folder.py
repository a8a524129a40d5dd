#!/usr/bin/env python3
"""An ImageNet-layout folder of photo-sized images for throughput runs (no dataset needed).

    python3 tools/make_photo_folder.py OUT --train 4096 --val 64 [--classes 4] [--format jpg]

Writes OUT/{train,val}/class_<k>/NNNNN.<format>: images of ImageNet's typical size (500 x 375
by default), smooth random colour fields (upsampled noise) with fine noise on top, so JPEG
files come out about as large as photos' (quality 90); image i goes to class i mod --classes.
The content is not learnable: the folder measures the decode pipeline (tools/gpu_check.sh:
whether it keeps a GPU fed), it does not train a model. Deterministic for a given --seed;
written by --jobs processes. Needs numpy and Pillow.
"""
import argparse
import multiprocessing
import os

import numpy as np
from PIL import Image


def write_image(task):
    path, seed, width, height, fmt = task
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
    field = np.asarray(Image.fromarray(small).resize((width, height), Image.BICUBIC))
    pixels = field.astype(np.int16) + rng.integers(-12, 13, (height, width, 3))
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    image.save(path, **({"quality": 90} if fmt == "jpg" else {}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--train", type=int, default=1024, help="training images (default 1024)")
    parser.add_argument("--val", type=int, default=64, help="validation images (default 64)")
    parser.add_argument("--classes", type=int, default=4)
    parser.add_argument("--width", type=int, default=500)
    parser.add_argument("--height", type=int, default=375)
    parser.add_argument("--format", choices=["jpg", "png"], default="jpg")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=os.cpu_count(), help="processes (default: all cores)")
    args = parser.parse_args()
    if min(args.train, args.val, args.classes, args.jobs) < 1 or not 8 <= min(args.width, args.height):
        parser.error("counts must be at least 1 and sides at least 8")
    tasks = []
    for split, count in (("train", args.train), ("val", args.val)):
        for k in range(args.classes):
            os.makedirs(os.path.join(args.out, split, f"class_{k}"), exist_ok=True)
        for i in range(count):
            path = os.path.join(args.out, split, f"class_{i % args.classes}", f"{i:05d}.{args.format}")
            tasks.append((path, [args.seed, len(tasks)], args.width, args.height, args.format))
    with multiprocessing.Pool(args.jobs) as pool:
        pool.map(write_image, tasks, chunksize=16)
    print(f"{args.out}: {args.train} + {args.val} {args.format.upper()} images of "
          f"{args.width} x {args.height} in {args.classes} classes")


if __name__ == "__main__":
    main()
