#!/usr/bin/env python3
"""Fixtures for tests/test_init_weights.c (`scaat train --init`).

How to run (needs torch, torchvision and safetensors from PyPI; CPU only; a few seconds):

    python3 tests/make_init_fixtures.py

It writes, deterministically:
  tests/fixtures/init_resnet8_state_dict.safetensors  the state_dict of the engine's resnet8
        (CifarResNet8 from tests/make_fixtures.py: 1 channel, 10 classes) exactly as PyTorch
        users export one: safetensors.torch.save_file(model.state_dict(), path), no metadata,
        num_batches_tracked included. PyTorch's default initialisation (torch.manual_seed(0)),
        with the BN running statistics and affine parameters drawn away from their 0/1
        defaults so that loading them matters (about 310 KB);
  tests/fixtures/init_resnet8_reference.safetensors  "input" (2, 1, 12, 12) float32 and the
        eval-mode "logits" (2, 10) of those weights, computed in float64 and stored as float32.
"""
import os

import torch
from safetensors.torch import save_file

from make_fixtures import CifarResNet8

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")


def main():
    torch.manual_seed(0)
    model = CifarResNet8(1, 10)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.normal_(0.0, 0.2)
                module.running_var.uniform_(0.5, 2.0)
                module.weight.uniform_(0.5, 1.5)
                module.bias.normal_(0.0, 0.2)
                module.num_batches_tracked.fill_(7)
    model.eval()
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(state, os.path.join(OUT, "init_resnet8_state_dict.safetensors"))
    x = torch.rand(2, 1, 12, 12)
    with torch.no_grad():
        logits = model.double()(x.double())
    save_file({"input": x.contiguous(), "logits": logits.float().contiguous()},
              os.path.join(OUT, "init_resnet8_reference.safetensors"))
    size = os.path.getsize(os.path.join(OUT, "init_resnet8_state_dict.safetensors"))
    print(f"init fixtures written ({size} bytes of state_dict)")
    assert size < 2_000_000


if __name__ == "__main__":
    main()
