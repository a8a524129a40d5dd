#!/usr/bin/env python3
"""PyTorch reference fixtures for tests/test_pytorch_reference.c (llm.c style).

How to run (from anywhere; needs torch, torchvision and safetensors from PyPI, CPU only):

    python3 tests/make_fixtures.py

It regenerates tests/fixtures/resnet18_cifar.safetensors, resnet50_imagenet.safetensors and
resnet8.safetensors (deterministic; about a minute), checks that they take
less than 2 MB, and checks that float32 PyTorch (NCHW and channels-last, 1 and 2 threads) lands
within ACCEPT of the float64 reference on every quantity the C test compares with tolerance 1e-4:
a configuration where float32 rounding alone moves a result that far (a deep BN network on a few
pixels is chaotic) is refused instead of written.

The three models:
  resnet18_cifar     torchvision resnet18, CIFAR stem (3x3 stride-1 conv1, no max pool),
                     3 channels, 10 classes, 4 images 16x16;
  resnet50_imagenet  torchvision resnet50, ImageNet stem, 3 channels, 10 classes, 1 image 96x96
                     (at 64x64 layer4 normalises 2x2 pixels per channel and float32 PyTorch's
                     forward is already 1e-4 away from float64);
  resnet8            the engine's CIFAR resnet8 (models/resnet.c) written below in PyTorch,
                     1 channel, 10 classes, 4 images 12x12.

Every parameter and BN buffer is set by a closed-form formula of (p, i): p the parameter index in
state_dict order counting only weights, biases and running statistics (not num_batches_tracked),
i the element index in the flattened tensor. tests/common/closed_form_params.c is the C twin.
    h = splitmix64(p * 2^32 + i)        (64-bit wrapping integer arithmetic, see splitmix64 below)
    u = ((h >> 40) + 0.5) / 2^23 - 1    (exact in double, in (-1, 1))
and, computed in double and rounded once to float32:
    conv weight               sqrt(6 / fan_in) * u       fan_in = in_channels * kh * kw
    BN weight                 1 + 0.2 * u
    BN weight, residual end   0.2 + 0.04 * u   (bn2 of a BasicBlock, bn3 of a Bottleneck)
    BN bias                   0.1 * u
    BN running_mean           0.1 * u
    BN running_var            1 + 0.2 * |u|
    linear weight             u / sqrt(fan_in)           fan_in = in_features
    linear bias               0.05 * u
A hash rather than a smooth function of i: sin(a + b * i) would make every weight matrix rank 2.
The small gain at the end of each residual branch keeps the deep networks out of the chaotic
regime where float32 and float64 disagree in the third digit.
The input images use the same u with p = the first stream from INPUT_STREAM on whose image no
max-pool window has its two largest (positive) values within TIE_BAND of each other, so float32
rounding cannot change where the pool routes the gradient. Images and labels are in the file.

ReLU kinks: a ReLU input within rounding of 0 lands on either side in two correct float32
implementations, and the gradient through it jumps by the whole upstream gradient (in resnet50 a
single such element moves a layer1 weight gradient by 4e-2; resnet50 has 1.7 million ReLU inputs
and a few are always that close). So the file lists, per forward, every ReLU input within
KINK_BAND of its tensor's max of 0, and the C test (like the float32 check here) sets those ReLU
outputs to max(reference input, 0) after its forward: the backward then takes the reference's
side, and the forward moves by at most KINK_BAND of the tensor's scale.

The reference is computed in float64 from those float32 values (the fixture holds the exact
answer, not one float32 rounding of it) and stored as float32 (float64 for gradient sums and
norms). One training-mode forward (BN momentum 0.1, eps 1e-5), mean cross-entropy, backward with
the input gradient; then, from fresh parameters, 3 steps of torch.optim.SGD (momentum 0.9,
weight decay 5e-4, lr 0.05; 0.002 for resnet50, whose 2048 features on one image move the logits
by about lr * 1000 in one step: at 0.05 the loss is exactly 0 in float64 after one step) on the
same batch. Tensors in each file:
  input (N, C, H, W), labels (N) int32, logits (N, K), loss (1),
  running.<bn>.running_mean / running_var (C)  after the forward,
  input_grad (N, C, H, W),
  grad_stats.<param> (3) float64: sum, L2 norm and L1 norm of the weight gradient,
  grad_index.<param> (S) int64 and grad_value.<param> (S): sampled elements of the gradient
                     (all elements when the tensor has at most SAMPLES of them),
  grad.<param>       the full gradient (resnet8 only),
  param_sums (P) float64: sum of each parameter's float32 values (checks the C formula alone),
  sgd_losses (3): the loss before step 1, after step 1 and after step 2,
  relu_numel (R) int64: elements of each ReLU call's input, in forward order,
  kinks<s>.relu (K) int32, kinks<s>.index (K) int64, kinks<s>.value (K) float64: the ReLU kinks
                     of the forward of SGD step s (s = 0 is also the step-0 pass): which ReLU
                     call, which element of its (N, C, H, W) input, the reference input value.
Metadata: model, stem, in_channels, num_classes, height, width, batch, hyper-parameters,
state_dict_names / state_dict_shapes (JSON arrays, num_batches_tracked included) and the errors
of float32 PyTorch under the C test's metrics.
"""

import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from safetensors.torch import save_file
from torchvision.models.resnet import BasicBlock, Bottleneck

FIXTURE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
MAX_TOTAL_BYTES = 2 * 1000 * 1000
TEST_TOLERANCE = 1e-4   # what tests/test_pytorch_reference.c allows
ACCEPT = TEST_TOLERANCE / 2  # what every float32 PyTorch variant must achieve here
SAMPLES = 256           # sampled gradient elements per tensor
KINK_BAND = 1e-4        # ReLU inputs this close to 0 (relative to the tensor's max) are aligned
TIE_BAND = 1e-5         # max-pool windows whose two largest values are closer are refused
INPUT_STREAM = 1000000  # the p of the input images' formula (beyond every parameter index)
MOMENTUM, WEIGHT_DECAY = 0.9, 5e-4
BN_MOMENTUM, BN_EPS = 0.1, 1e-5
SGD_STEPS = 3
MASK64 = (1 << 64) - 1


def splitmix64(x):
    """splitmix64 finaliser on a uint64 array (numpy wraps uint64 arithmetic modulo 2^64)."""
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def unit(p, n):
    """u(p, i) for i = 0 .. n-1 as float64 in (-1, 1)."""
    counter = np.uint64((p << 32) & MASK64) + np.arange(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        h = splitmix64(counter)
    return ((h >> np.uint64(40)).astype(np.float64) + 0.5) / float(1 << 23) - 1.0


def closed_form(kind, p, n, fan_in):
    u = unit(p, n)
    if kind == "conv_weight":
        v = math.sqrt(6.0 / fan_in) * u
    elif kind == "bn_weight":
        v = 1.0 + 0.2 * u
    elif kind == "bn_residual_weight":
        v = 0.2 + 0.04 * u
    elif kind == "bn_bias":
        v = 0.1 * u
    elif kind == "bn_running_mean":
        v = 0.1 * u
    elif kind == "bn_running_var":
        v = 1.0 + 0.2 * np.abs(u)
    elif kind == "linear_weight":
        v = u / math.sqrt(fan_in)
    elif kind == "linear_bias":
        v = 0.05 * u
    else:
        raise ValueError(kind)
    return v.astype(np.float32)


def param_kinds(model):
    """(state_dict name, kind, fan_in) for every parameter and buffer except num_batches_tracked,
    in state_dict order."""
    residual_end = set()
    for module in model.modules():
        if isinstance(module, BasicBlock):
            residual_end.add(id(module.bn2))
        elif isinstance(module, Bottleneck):
            residual_end.add(id(module.bn3))
    kinds = {}
    for module_name, module in model.named_modules():
        prefix = module_name + "." if module_name else ""
        if isinstance(module, nn.Conv2d):
            assert module.bias is None
            w = module.weight
            kinds[prefix + "weight"] = ("conv_weight", w.shape[1] * w.shape[2] * w.shape[3])
        elif isinstance(module, nn.BatchNorm2d):
            assert module.momentum == BN_MOMENTUM and module.eps == BN_EPS
            for suffix in ("weight", "bias", "running_mean", "running_var"):
                kinds[prefix + suffix] = ("bn_" + suffix, 0)
            if id(module) in residual_end:
                kinds[prefix + "weight"] = ("bn_residual_weight", 0)
        elif isinstance(module, nn.Linear):
            kinds[prefix + "weight"] = ("linear_weight", module.in_features)
            kinds[prefix + "bias"] = ("linear_bias", module.in_features)
    return [(name, *kinds[name]) for name in model.state_dict()
            if not name.endswith("num_batches_tracked")]


def set_closed_form(model):
    """Overwrite every parameter and buffer; returns the float32 value sums in double."""
    state = model.state_dict()
    sums = []
    with torch.no_grad():
        for p, (name, kind, fan_in) in enumerate(param_kinds(model)):
            t = state[name]
            values = closed_form(kind, p, t.numel(), fan_in)
            t.copy_(torch.from_numpy(values).reshape(t.shape))
            sums.append(float(np.sum(values.astype(np.float64))))
            if name.endswith("running_var"):
                state[name[: -len("running_var")] + "num_batches_tracked"].zero_()
    return np.array(sums, dtype=np.float64)


class CifarResNet8(nn.Module):
    """models/resnet.c's resnet8: a 3x3 stem, three stages of one BasicBlock (16/32/64),
    1x1 conv + BN shortcuts where the shape changes, global average pool, fc."""

    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU(inplace=True)
        inplanes = 16
        for stage, planes in enumerate((16, 32, 64)):
            stride = 1 if stage == 0 else 2
            downsample = None
            if stride != 1 or inplanes != planes:
                downsample = nn.Sequential(
                    nn.Conv2d(inplanes, planes, 1, stride, 0, bias=False), nn.BatchNorm2d(planes))
            setattr(self, f"layer{stage + 1}",
                    nn.Sequential(BasicBlock(inplanes, planes, stride, downsample)))
            inplanes = planes
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def resnet18_cifar():
    model = torchvision.models.resnet18(num_classes=10)
    model.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
    model.maxpool = nn.Identity()
    return model


def resnet50_imagenet():
    return torchvision.models.resnet50(num_classes=10)


def resnet8():
    return CifarResNet8(1, 10)


CASES = [
    # file stem, model, stem, channels, classes, batch, height, width, builder, full gradients,
    # SGD learning rate
    ("resnet18_cifar", "resnet18", "cifar", 3, 10, 4, 16, 16, resnet18_cifar, False, 0.05),
    ("resnet50_imagenet", "resnet50", "imagenet", 3, 10, 1, 96, 96, resnet50_imagenet, False,
     0.002),
    ("resnet8", "resnet8", "cifar", 1, 10, 4, 12, 12, resnet8, True, 0.05),
]


def build(builder, dtype, channels_last=False):
    torch.manual_seed(0)
    model = builder()
    set_closed_form(model)
    model = model.to(dtype)
    return model.to(memory_format=torch.channels_last) if channels_last else model


def forward_backward(model, images, labels, hooks):
    """One training-mode forward and backward from fresh gradients, with the forward hooks that
    hooks(model) installs; returns (logits, loss, input gradient)."""
    model.train()
    model.zero_grad(set_to_none=True)
    handles = hooks(model)
    x = images.clone().requires_grad_(True)
    logits = model(x)
    for handle in handles:
        handle.remove()
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    return logits.detach(), loss.detach(), x.grad.detach()


def sgd_losses(model, images, labels, lr, hooks):
    """The loss before each of SGD_STEPS steps; hooks(model, step) as in run()."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=MOMENTUM,
                                weight_decay=WEIGHT_DECAY)
    losses = []
    for step in range(SGD_STEPS):
        loss = forward_backward(model, images, labels, lambda m, step=step: hooks(m, step))[1]
        losses.append(float(loss))
        optimizer.step()
    return losses


def no_hooks(model, step):
    return []


def record_inputs(model, module_type, inputs):
    """Hooks appending the input of every call of a module_type (in call order) to inputs."""
    def pre(module, args):
        inputs.append(args[0].detach().double().clone())
    return [m.register_forward_pre_hook(pre) for m in model.modules()
            if isinstance(m, module_type)]


def align_relu_outputs(model, kinks):
    """Hooks setting, in ReLU call k, the output at the flat (N, C, H, W) indices kinks[k][0] to
    max(reference input, 0) (kinks[k][1]), as the C test does: the backward pass then takes the
    reference's side of every ReLU whose input is within float32 noise of 0."""
    calls = [0]

    def hook(module, args, out):
        index, value = kinks[calls[0]]
        calls[0] += 1
        if index.numel():
            coords = torch.unravel_index(index, out.shape)
            out.data[coords] = value.clamp(min=0).to(out.dtype)
    return [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.ReLU)]


def relu_recorder(relu_inputs):
    """Hooks for run() recording the ReLU inputs of forward s into relu_inputs[s] (the step-0
    pass and SGD step 0 are one forward: recorded once)."""
    def hooks(model, step):
        if step < len(relu_inputs):
            return []
        relu_inputs.append([])
        return record_inputs(model, nn.ReLU, relu_inputs[step])
    return hooks


def pool_inputs_of(builder, images):
    """The input of every max pool in a float64 training-mode forward."""
    model = build(builder, torch.float64)
    inputs = []
    handles = record_inputs(model, nn.MaxPool2d, inputs)
    model.train()
    with torch.no_grad():
        model(images.double())
    for handle in handles:
        handle.remove()
    return inputs


def run(builder, images, labels, lr, dtype, channels_last=False, hooks=no_hooks):
    """Everything the fixture holds, computed in dtype: a dict of float64 tensors / lists.
    hooks(model, s) installs forward hooks for the forward of SGD step s (s = 0 for the step-0
    pass, which is the same forward) and returns their handles."""
    model = build(builder, dtype, channels_last)
    x = images.to(dtype)
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    logits, loss, input_grad = forward_backward(model, x, labels, lambda m: hooks(m, 0))
    out = {"logits": logits.double(), "loss": float(loss), "input_grad": input_grad.double(),
           "running": {n: b.double().clone() for n, b in model.named_buffers()
                       if n.endswith("running_mean") or n.endswith("running_var")},
           "grads": {n: p.grad.detach().double().reshape(-1).clone()
                     for n, p in model.named_parameters()}}
    out["sgd_losses"] = sgd_losses(build(builder, dtype, channels_last), x, labels, lr, hooks)
    return out


# ---- the C test's metrics --------------------------------------------------------------------

def tensor_error(a, b):
    """max |a - b| / max |b|."""
    return float((a - b).abs().max() / b.abs().max())


def scalar_error(a, b):
    return abs(a - b) / abs(b)


def grad_errors(a, b, index):
    """sum, norm and sampled-element errors of one gradient."""
    sum_b, norm_b = float(b.sum()), float(b.norm())
    return {"grad_sum": abs(float(a.sum()) - sum_b) / float(b.abs().sum()),
            "grad_norm": abs(float(a.norm()) - norm_b) / norm_b,
            "grad_samples": tensor_error(a[index], b[index]),
            "grad_full": tensor_error(a, b)}


def worst_errors(candidate, reference, indices):
    worst = {"logits": tensor_error(candidate["logits"], reference["logits"]),
             "loss": scalar_error(candidate["loss"], reference["loss"]),
             "input_grad": tensor_error(candidate["input_grad"], reference["input_grad"]),
             "running_stats": max(tensor_error(candidate["running"][n], reference["running"][n])
                                  for n in reference["running"]),
             "sgd_losses": max(scalar_error(a, b) for a, b in
                               zip(candidate["sgd_losses"], reference["sgd_losses"]))}
    for name, b in reference["grads"].items():
        for metric, err in grad_errors(candidate["grads"][name], b, indices[name]).items():
            worst[metric] = max(worst.get(metric, 0.0), err)
    return worst


def relu_kinks(relu_inputs):
    """Per ReLU call: the flat indices of the inputs within KINK_BAND of 0 and their values."""
    kinks = []
    for x in relu_inputs:
        flat = x.reshape(-1)
        index = torch.nonzero(flat.abs() < KINK_BAND * flat.abs().max()).reshape(-1)
        kinks.append((index, flat[index]))
    return kinks


def closest_pool_tie(pool_inputs):
    """The smallest gap between the two largest values of a 3x3 stride-2 max-pool window whose
    maximum is positive, relative to the tensor's max (inf without a max pool). Ties at 0 are
    harmless: the gradient is routed to an element the ReLU before the pool zeroes anyway."""
    closest = math.inf
    for x in pool_inputs:
        padded = F.pad(x, (1, 1, 1, 1), value=-math.inf)
        windows = F.unfold(padded.reshape(-1, 1, *padded.shape[2:]), 3, stride=2)
        top = windows.topk(2, dim=1).values
        positive = top[:, 0] > 0
        if positive.any():
            gaps = (top[:, 0] - top[:, 1])[positive] / x.abs().max()
            closest = min(closest, float(gaps.min()))
    return closest


def sort_header(path):
    """Rewrite a safetensors file's JSON header with sorted keys: safetensors writes its metadata
    map in a different order in every process, and a rerun should give the same bytes."""
    with open(path, "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[:8], "little")
    header = json.dumps(json.loads(raw[8:8 + n]), sort_keys=True, separators=(",", ":"))
    header = header.encode() + b" " * (-(8 + len(header.encode())) % 8)
    with open(path, "wb") as f:
        f.write(len(header).to_bytes(8, "little") + header + raw[8 + n:])


def make_case(case, rng):
    (file_stem, model_name, stem, channels, classes, batch, height, width, builder,
     full_grads, lr) = case
    n_pixels = batch * channels * height * width
    labels = torch.tensor([(3 * n + 1) % classes for n in range(batch)], dtype=torch.int64)
    # The first input stream whose step-0 max-pool decisions are clear of float32 noise.
    for stream in range(INPUT_STREAM, INPUT_STREAM + 100):
        images = torch.from_numpy(unit(stream, n_pixels).astype(np.float32)).reshape(
            batch, channels, height, width)
        if closest_pool_tie(pool_inputs_of(builder, images)) >= TIE_BAND:
            break
    else:
        raise SystemExit(f"error: {file_stem}: every input has a max-pool near-tie")
    relu_inputs = []
    reference = run(builder, images, labels, lr, torch.float64, hooks=relu_recorder(relu_inputs))
    kinks = [relu_kinks(inputs) for inputs in relu_inputs]  # per SGD step, per ReLU call
    indices = {}
    for name, g in reference["grads"].items():
        if g.numel() <= SAMPLES:
            indices[name] = torch.arange(g.numel(), dtype=torch.int64)
        else:
            indices[name] = torch.from_numpy(
                np.sort(rng.choice(g.numel(), SAMPLES, replace=False)).astype(np.int64))

    float32_errors = {}
    for threads, layout, channels_last in ((1, "nchw", False), (1, "channels_last", True),
                                           (2, "nchw", False), (2, "channels_last", True)):
        layout = f"{layout}, {threads} thread{'s' if threads > 1 else ''}"
        torch.set_num_threads(threads)
        candidate = run(builder, images, labels, lr, torch.float32, channels_last,
                        hooks=lambda m, step: align_relu_outputs(m, kinks[step]))
        worst = worst_errors(candidate, reference, indices)
        float32_errors[layout] = worst
        bad = {k: v for k, v in worst.items() if v > ACCEPT}
        if bad:
            raise SystemExit(f"error: {file_stem}: float32 PyTorch ({layout}) is further than "
                             f"{ACCEPT} from the float64 reference: {bad}; this configuration "
                             f"is too ill-conditioned for a {TEST_TOLERANCE} test")

    model = build(builder, torch.float64)
    tensors = {
        "input": images.contiguous(),
        "labels": labels.to(torch.int32),
        "logits": reference["logits"].float(),
        "loss": torch.tensor([reference["loss"]], dtype=torch.float32),
        "input_grad": reference["input_grad"].float().contiguous(),
        "param_sums": torch.from_numpy(set_closed_form(builder())),
        "sgd_losses": torch.tensor(reference["sgd_losses"], dtype=torch.float32),
        "relu_numel": torch.tensor([x.numel() for x in relu_inputs[0]], dtype=torch.int64),
    }
    for step, step_kinks in enumerate(kinks):
        tensors[f"kinks{step}.relu"] = torch.cat([torch.full((len(index),), k, dtype=torch.int32)
                                                  for k, (index, _) in enumerate(step_kinks)])
        tensors[f"kinks{step}.index"] = torch.cat([index for index, _ in step_kinks])
        tensors[f"kinks{step}.value"] = torch.cat([value for _, value in step_kinks])
    for name, buf in reference["running"].items():
        tensors["running." + name] = buf.float()
    for name, param in model.named_parameters():
        g = reference["grads"][name]
        tensors["grad_stats." + name] = torch.tensor(
            [float(g.sum()), float(g.norm()), float(g.abs().sum())], dtype=torch.float64)
        tensors["grad_index." + name] = indices[name]
        tensors["grad_value." + name] = g[indices[name]].float()
        if full_grads:
            tensors["grad." + name] = g.float().reshape(param.shape).contiguous()

    state = model.state_dict()
    metadata = {
        "format": "scaat-pytorch-reference-1",
        "model": model_name, "stem": stem,
        "in_channels": str(channels), "num_classes": str(classes), "batch": str(batch),
        "height": str(height), "width": str(width),
        "lr": repr(lr), "momentum": repr(MOMENTUM), "weight_decay": repr(WEIGHT_DECAY),
        "nesterov": "0", "label_smoothing": "0", "sgd_steps": str(SGD_STEPS),
        "bn_momentum": repr(BN_MOMENTUM), "bn_eps": repr(BN_EPS),
        "reference_dtype": "float64", "full_grads": "1" if full_grads else "0",
        "state_dict_names": json.dumps(list(state.keys())),
        "state_dict_shapes": json.dumps([list(t.shape) for t in state.values()]),
        "float32_pytorch_errors": json.dumps(float32_errors),
        "input_stream": str(stream), "kink_band": repr(KINK_BAND), "tie_band": repr(TIE_BAND),
        "torch_version": torch.__version__, "torchvision_version": torchvision.__version__,
    }
    path = os.path.join(FIXTURE_DIR, file_stem + ".safetensors")
    save_file(tensors, path, metadata=metadata)
    sort_header(path)
    size = os.path.getsize(path)
    n_kinks = [len(tensors[f"kinks{step}.index"]) for step in range(len(kinks))]
    print(f"{path}: {size} bytes; input stream {stream}, ReLU kinks per forward {n_kinks}; "
          f"loss {reference['loss']:.6f}, sgd losses "
          f"{[round(v, 6) for v in reference['sgd_losses']]}")
    for layout, worst in float32_errors.items():
        print(f"  float32 PyTorch ({layout}) vs float64: "
              + ", ".join(f"{k} {v:.1e}" for k, v in worst.items()))
    return size


# ---- shared with make_explain_fixtures.py and make_mode_fixtures.py --------------------------

def build_resnet8_gained(dtype, gain):
    """resnet8 with the closed-form parameters, fc.weight and fc.bias multiplied by gain (a power
    of two, so the float32 values are exact): the closed-form fc gives logits within +-0.5, too
    flat for the saliency and KL terms those fixtures check."""
    model = build(resnet8, dtype)
    with torch.no_grad():
        model.fc.weight.mul_(gain)
        model.fc.bias.mul_(gain)
    return model


def resnet8_metadata(fmt, shape, classes, mean, std, gain):
    """The metadata every resnet8 reference fixture has; shape is (batch, channels, height,
    width), mean and std the normalisation of its single channel."""
    batch, channels, height, width = shape
    state = build(resnet8, torch.float64).state_dict()
    return {"format": fmt, "model": "resnet8", "stem": "cifar", "in_channels": str(channels),
            "num_classes": str(classes), "batch": str(batch), "height": str(height),
            "width": str(width), "norm_mean": repr(float(mean)), "norm_std": repr(float(std)),
            "logit_gain": repr(gain), "reference_dtype": "float64",
            "state_dict_names": json.dumps(list(state.keys())),
            "torch_version": torch.__version__, "torchvision_version": torchvision.__version__}


def save_fixture(tensors, path, metadata, max_bytes):
    """Writes the fixture (sorted header); 1 with a message when it takes max_bytes or more."""
    save_file(tensors, path, metadata=metadata)
    sort_header(path)
    size = os.path.getsize(path)
    print(f"{path}: {size} bytes")
    if size >= max_bytes:
        print(f"error: {size} bytes, the limit is {max_bytes}", file=sys.stderr)
        return 1
    return 0


def main():
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    os.makedirs(FIXTURE_DIR, exist_ok=True)
    rng = np.random.default_rng(20240607)
    total = sum(make_case(case, rng) for case in CASES)
    print(f"total {total} bytes")
    if total >= MAX_TOTAL_BYTES:
        print(f"error: fixtures take {total} bytes, the limit is {MAX_TOTAL_BYTES}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
