#!/usr/bin/env python3
"""The PyTorch side of tools/bench_data.sh: one epoch of torchvision's ImageFolder + DataLoader
with the training transform (RandomResizedCrop(size), RandomHorizontalFlip, ToTensor,
Normalize with ImageNet's mean/std), batch 64, shuffled, --workers worker processes. Prints
one line: images, seconds, images/s. The clock starts before the DataLoader is iterated, so
worker start-up counts, as the engine's loader start-up counts on its side.

    python3 tools/bench_data_torch.py DIR/train --workers 2 --size 224
"""
import argparse
import time

import torch
from torchvision import datasets, transforms


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("root", help="the training split: ROOT/<class>/<image>")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--batch", type=int, default=64)
    a = p.parse_args()
    torch.set_num_threads(1)  # each worker decodes on one core, as the engine's workers do
    transform = transforms.Compose([
        transforms.RandomResizedCrop(a.size),
        transforms.RandomHorizontalFlip(),
        transforms.ToTensor(),
        transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    ])
    data = datasets.ImageFolder(a.root, transform=transform)
    loader = torch.utils.data.DataLoader(data, batch_size=a.batch, shuffle=True,
                                         num_workers=a.workers)
    start = time.perf_counter()
    images = 0
    for x, _ in loader:
        images += x.shape[0]
    seconds = time.perf_counter() - start
    print(f"torchvision: {images} images in {seconds:.2f} s: {images / seconds:.1f} images/s "
          f"with {a.workers} workers ({images / seconds / a.workers:.1f} per worker)")


if __name__ == "__main__":
    main()
