#!/usr/bin/env python3
"""Fixtures for tests/test_image_decode.c and tests/test_transforms.c.

How to run (needs numpy, Pillow, torch, torchvision and safetensors from PyPI; CPU only):

    python3 tests/make_image_fixtures.py

It regenerates, deterministically (about 110 KB in all):
  tests/fixtures/images/*.jpg|png|tif  small images of every kind the decoders handle, written by
        Pillow (and, for what Pillow cannot write -- 16-bit RGB and Adam7-interlaced PNG --
        by the raw PNG writer below);
  tests/fixtures/images_expected.safetensors  for each file F, "F.rgb" (H, W, 3) and "F.l"
        (H, W, 1) uint8: Pillow's Image.open(F).convert("RGB") / .convert("L") pixels, except
        16-bit files, whose expectation is the high byte of each sample (Pillow clips 16-bit
        grey at 255 instead);
  tests/fixtures/transforms.safetensors  torchvision's tensor-path transforms of a random
        uint8 image "src" (H, W, 3) and its grey version "src_grey" (H, W, 1), on float
        values (x / 255), bilinear with antialias=True, then Normalize(ImageNet mean/std):
          "trainK.box" int32 [top, left, height, width, size, flip]
          "trainK.out" float32 (3, size, size)  resized_crop (+ hflip)
          "evalK.params" int32 [resize, size]
          "evalK.out" float32 (3, size, size)   center_crop(resize(x, resize), size)
          "greyK.params" int32 [top, left, height, width, size], "greyK.out" (1, size, size)
          with mean/std the ImageNet channel averages (as sc_image_transform_defaults).
"""
import os
import struct
import zlib

import numpy as np
import torch
import torchvision.transforms.functional as F
from PIL import Image
from safetensors.numpy import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")
IMAGES = os.path.join(OUT, "images")
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def smooth_rgb(rng, h, w):
    """A colourful image with edges (random blocks over gradients), uint8 (h, w, 3)."""
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([255 * x / max(w - 1, 1), 255 * y / max(h - 1, 1), 128 + 100 * np.sin(x / 3.0 + y / 5.0)], -1)
    for _ in range(6):
        y0, x0 = rng.integers(0, h), rng.integers(0, w)
        img[y0:y0 + h // 3, x0:x0 + w // 3] = rng.integers(0, 256, 3)
    return np.clip(img, 0, 255).astype(np.uint8)


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def raw_png(arr, bit_depth, colour_type, interlace):
    """PNG bytes of arr (h, w, samples) with filter 0 rows; Adam7 passes when interlace."""
    h, w = arr.shape[:2]
    dtype = ">u2" if bit_depth == 16 else "u1"
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    if not interlace:
        passes = [(0, 0, 1, 1)]
    raw = b""
    for x0, y0, dx, dy in passes:
        sub = arr[y0::dy, x0::dx]
        if sub.size == 0:
            continue
        for row in sub:
            raw += b"\x00" + row.astype(dtype).tobytes()
    ihdr = struct.pack(">IIBBBBB", w, h, bit_depth, colour_type, 0, 0, 1 if interlace else 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b"")


def write_bytes(path, data):
    with open(path, "wb") as f:
        f.write(data)


def write_images(rng):
    os.makedirs(IMAGES, exist_ok=True)
    rgb = smooth_rgb(rng, 13, 17)
    base = Image.fromarray(rgb, "RGB")
    rgba = np.concatenate([rgb, rng.integers(0, 256, (13, 17, 1), dtype=np.uint8)], -1)
    expected = {}

    def pillow(name, save):
        path = os.path.join(IMAGES, name)
        save(path)
        with Image.open(path) as im:
            expected[name + ".rgb"] = np.asarray(im.convert("RGB"))
            expected[name + ".l"] = np.asarray(im.convert("L"))[:, :, None]

    def raw16(name, save, arr16):
        save(os.path.join(IMAGES, name))
        hi = (arr16 >> 8).astype(np.uint8)
        if hi.shape[2] == 1:
            expected[name + ".l"] = hi
            expected[name + ".rgb"] = np.repeat(hi, 3, 2)
        else:
            expected[name + ".rgb"] = hi
            grey = (hi[..., 0].astype(np.uint32) * 19595 + hi[..., 1].astype(np.uint32) * 38470
                    + hi[..., 2].astype(np.uint32) * 7471 + 0x8000) >> 16
            expected[name + ".l"] = grey.astype(np.uint8)[:, :, None]

    pillow("rgb.jpg", lambda p: base.save(p, quality=90))
    pillow("progressive.jpg", lambda p: base.save(p, quality=85, progressive=True))
    pillow("grey.jpg", lambda p: base.convert("L").save(p, quality=90))
    pillow("cmyk.jpg", lambda p: base.convert("CMYK").save(p, quality=95))
    pillow("rgb.png", lambda p: base.save(p))
    pillow("rgba.png", lambda p: Image.fromarray(rgba, "RGBA").save(p))
    pillow("grey.png", lambda p: base.convert("L").save(p))
    pillow("grey_alpha.png", lambda p: Image.fromarray(rgba[..., [0, 3]], "LA").save(p))
    pillow("bilevel.png", lambda p: base.convert("1").save(p))
    pillow("palette.png", lambda p: base.quantize(40).save(p))
    pillow("palette4.png", lambda p: base.quantize(12).save(p, bits=4))
    pillow("palette_trns.png", lambda p: base.quantize(40).save(p, transparency=3))
    grey16 = (rng.integers(0, 65536, (13, 17, 1))).astype(np.uint16)
    rgb16 = (rng.integers(0, 65536, (13, 17, 3))).astype(np.uint16)
    raw16("grey16.png", lambda p: write_bytes(p, raw_png(grey16, 16, 0, False)), grey16)
    raw16("rgb16.png", lambda p: write_bytes(p, raw_png(rgb16, 16, 2, False)), rgb16)
    pillow("interlaced.png", lambda p: write_bytes(p, raw_png(rgb, 8, 2, True)))
    pillow("rgb.tif", lambda p: base.save(p))
    pillow("rgb_lzw.tif", lambda p: base.save(p, compression="tiff_lzw"))
    pillow("rgb_deflate.tif", lambda p: base.save(p, compression="tiff_adobe_deflate"))
    pillow("rgba.tif", lambda p: Image.fromarray(rgba, "RGBA").save(p))
    pillow("grey.tif", lambda p: base.convert("L").save(p))
    pillow("palette.tif", lambda p: base.quantize(40).save(p))
    pillow("cmyk.tif", lambda p: base.convert("CMYK").save(p))
    raw16("grey16.tif", lambda p: Image.fromarray(grey16[:, :, 0]).save(p), grey16)
    # A JPEG big enough for DCT-scaled decoding (64 x 48).
    pillow("large.jpg", lambda p: Image.fromarray(smooth_rgb(rng, 48, 64), "RGB").save(p, quality=92))
    with Image.open(os.path.join(IMAGES, "large.jpg")) as im:
        im.draft("RGB", (32, 24))
        expected["large.jpg.half"] = np.asarray(im.convert("RGB"))
    save_file({k: np.ascontiguousarray(v) for k, v in expected.items()}, os.path.join(OUT, "images_expected.safetensors"))


def normalise(x, channels):
    mean = MEAN if channels == 3 else [sum(MEAN) / 3]
    std = STD if channels == 3 else [sum(STD) / 3]
    return F.normalize(x, mean, std)


def write_transforms(rng):
    src = smooth_rgb(rng, 29, 37)
    src[::3, ::2] = rng.integers(0, 256, src[::3, ::2].shape)  # high frequencies for the filter
    grey = src[..., :1].copy()
    x = torch.from_numpy(src).permute(2, 0, 1).float() / 255.0
    xg = torch.from_numpy(grey).permute(2, 0, 1).float() / 255.0
    out = {"src": src, "src_grey": grey}
    train = [  # top, left, height, width, size, flip
        (0, 0, 29, 37, 20, 0), (3, 5, 20, 25, 16, 1), (10, 20, 12, 9, 20, 0),
        (1, 2, 27, 11, 12, 1), (7, 0, 15, 37, 19, 0), (0, 36, 29, 1, 8, 0),
    ]
    for k, (t, l, h, w, size, flip) in enumerate(train):
        y = F.resized_crop(x, t, l, h, w, [size, size], antialias=True)
        if flip:
            y = F.hflip(y)
        out[f"train{k}.box"] = np.array([t, l, h, w, size, flip], np.int32)
        out[f"train{k}.out"] = np.ascontiguousarray(normalise(y, 3).numpy(), dtype=np.float32)
    evals = [(24, 16), (15, 12), (29, 29), (40, 20), (13, 15), (20, 20), (17, 16)]
    for k, (resize, size) in enumerate(evals):
        y = F.center_crop(F.resize(x, resize, antialias=True), [size, size])
        out[f"eval{k}.params"] = np.array([resize, size], np.int32)
        out[f"eval{k}.out"] = np.ascontiguousarray(normalise(y, 3).numpy(), dtype=np.float32)
    for k, (t, l, h, w, size) in enumerate([(2, 3, 22, 30, 14), (5, 5, 8, 8, 12)]):
        y = F.resized_crop(xg, t, l, h, w, [size, size], antialias=True)
        out[f"grey{k}.params"] = np.array([t, l, h, w, size], np.int32)
        out[f"grey{k}.out"] = np.ascontiguousarray(normalise(y, 1).numpy(), dtype=np.float32)
    save_file({k: np.ascontiguousarray(v) for k, v in out.items()}, os.path.join(OUT, "transforms.safetensors"))


def main():
    rng = np.random.default_rng(20261201)
    write_images(rng)
    write_transforms(rng)
    total = sum(os.path.getsize(os.path.join(IMAGES, f)) for f in os.listdir(IMAGES))
    total += os.path.getsize(os.path.join(OUT, "images_expected.safetensors"))
    total += os.path.getsize(os.path.join(OUT, "transforms.safetensors"))
    print(f"image and transform fixtures: {total} bytes")
    assert total < 200_000


if __name__ == "__main__":
    main()
