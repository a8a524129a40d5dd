#!/usr/bin/env python3
"""Captum + Quantus reference of the saliency methods and metrics (tests/test_explain_reference.c).

How to run (from anywhere; CPU only; PyPI packages torch, torchvision, safetensors, numpy,
captum and quantus):

    pip install captum quantus
    python3 tests/make_explain_fixtures.py

It regenerates tests/fixtures/explain_resnet8.safetensors (deterministic, under 300 KB, a minute
or two). The model is the engine's resnet8 (make_fixtures.CifarResNet8) with 1 input channel,
10 classes and 12x12 images, BN in eval mode, the closed-form parameters of make_fixtures.py
(BN running statistics included; tests/common/closed_form_params.c is their C twin) with
fc.weight and fc.bias multiplied by LOGIT_GAIN = 8 (exact), so the predictions are confident and
the deletion curves fall. Images are uint8 pixels p, normalised as the engine's loader does in
float32: x = (p / 255 - 0.286) / 0.353 (Fashion-MNIST), so every x lies in the valid range. The
explained class of image n is its label, LABELS[n]; the deletion metric scores the class
predicted on the clean image (METHOD.md), which is 7 for every image here (two of the labels
differ from it, so the maps of a non-predicted class are covered too).

The reference is float64 throughout (model, Captum, Quantus: torch's default dtype is set to
float64 while Quantus runs, since it builds its inputs with torch.Tensor).

Maps (N, 1, H, W), as the engine defines them (mean over channels of |.|; with one channel the
mean is the identity, so Captum's Saliency(abs=True) is the gradient map as it stands):
  gradient              Saliency(model).attribute(x, target, abs=True)
  input_x_gradient      |InputXGradient(model).attribute(x, target)|
  integrated_gradients  |IntegratedGradients(model).attribute(x, baselines=0, target,
                        n_steps=32, method="gausslegendre", return_convergence_delta=True)|;
                        Captum's convergence delta (sum IG - (f_t(x) - f_t(0))) is the engine's
                        completeness gap. Captum rounds the Gauss-Legendre weights to float32
                        (so does the engine); that moves the map by about 1e-8.
  gradcam               LayerAttribution.interpolate(LayerGradCam(model, model.layer3)
                        .attribute(x, target, relu_attributions=True), (H, W), "bilinear"):
                        layer3's output is the value feeding the global average pool; Captum's
                        interpolate is F.interpolate with align_corners=False, as the engine's.

Metrics per sample, METHOD.md's definitions computed here with numpy on the float64 map (these
are what the C test compares), and the same through Quantus 0.6 (one sample per call, so its
normalisation, which divides by the max over the whole batch it is given, is per sample):
  gini      a = s / max s + 1e-7, sorted ascending, G = sum (2i - n - 1) a_(i) / (n sum a).
            quantus.Sparseness (abs, normalise_by_max, then += 1e-7): the same formula; asserted
            equal to 1e-12.
  entropy   q = a / sum a with the same a (+ 1e-7), H = -sum q ln(q + 1e-12).
            quantus.Complexity normalises by the max but does NOT add 1e-7: q = s' / sum s'.
            The script asserts Quantus equals that variant to 1e-12 and records the difference
            to METHOD.md's (2e-7 to 4e-6 relative on these maps, the most on Grad-CAM maps with
            zeros: below the C test's 1e-5, so that test does not tell the two apart); the C
            test compares the engine to METHOD.md's definition.
  deletion  pixels ranked by the map descending (ties by the lower flat index: a stable
            argsort), steps S (DELETION_STEPS, per method); point k = 0..S sets the first
            k * H * W / S ranked pixels to 0 (the dataset mean, in normalised units), and
            scores the softmax probability of the class predicted on the clean x; AUC =
            trapezoid rule with x on [0, 1] (dx = 1 / S).
            quantus.PixelFlipping(features_in_step = H * W / S, perturb_baseline=0.0) with
            y = that predicted class and softmax=True computes the same perturbed images and
            probabilities but starts after the first step: its curve is points 1..S of ours
            (asserted equal to 1e-12), and its AUC (return_auc_per_sample) is np.trapz with
            dx = 1 over those S points, i.e. S * AUC - (c_0 + c_1) / 2 (asserted). Quantus
            orders by np.argsort(-a), which is not stable: where a step boundary falls inside
            a group of exactly equal Grad-CAM values (robust ties, below) Quantus may remove
            other pixels than the engine's rule; those points (recorded in the metadata,
            quantus_points_not_compared) and then the AUC are not asserted. The gradient maps
            have no such ties at a boundary.

Deletion steps: 36 (4 pixels a step) for the gradient maps; 12 (12 pixels a step) for Grad-CAM:
bilinear upsampling by 4 with align_corners=False clamps the source index at the borders, so
the two outer rows and columns repeat the same value up to rounding (torch and the engine
compute 0.875 a + 0.125 a at the far border), and a step boundary between two such pixels
would be decided by rounding; coarser steps leave enough images where none is.

Images: image n is the first input stream from INPUT_STREAM + n * STREAM_STRIDE on which, in
float64,
  - the predicted class wins by at least PRED_BAND in logits;
  - no map is all zero (Grad-CAM of a class the image has no evidence for);
  - at every deletion step boundary of every map, the last removed and the first kept pixel
    differ by at least RANK_BAND of the map's max (so rank_pixels, in float32, removes the same
    pixels), unless they are a robust tie: exactly equal in every implementation, so the
    lower index goes first everywhere (Grad-CAM zeros, and Grad-CAM pixels that the bilinear
    formula computes from the same sources with the same weights: the first two rows and
    columns); Grad-CAM's 3x3 map before its ReLU is at least RANK_BAND of its max away from 0;
  - ReLU kinks are harmless: every ReLU input within KINK_BAND of its tensor's max |.| (per
    image and path point) of 0, in the forward of x and of every IG path point alpha_i x, is a
    place where a float32 implementation may take the other side (float32 PyTorch moves these
    inputs by up to 5e-7 of that max); flipping it changes the input gradient by
    u_e * dz_e/dx (u_e the gradient at that ReLU's output). The sum of those changes over all
    such elements, carried into each map (|dg|, |x dg|, |x| sum_i w_i |dg_i|), must stay below
    KINK_EFFECT of the map's max (Grad-CAM's gradient reaches layer3 through no ReLU);
and on which float32 PyTorch + Captum reproduces every map within ACCEPT (relative to its max)
and every metric and deletion point within ACCEPT (relative).

Tensors:
  input (N, 1, H, W) f32, the normalised images; pixels (N, 1, H, W) u8; labels (N) i32;
  pred (N) i32 the clean prediction (the deletion metric's class);
  <method>.map (N, 1, H, W) f32;
  <method>.gini, <method>.entropy (N) f64 (METHOD.md);
  <method>.deletion_curve (N, S + 1) f64, <method>.deletion_auc (N) f64 (METHOD.md);
  <method>.quantus_gini, <method>.quantus_entropy (N) f64, <method>.quantus_deletion_curve
      (N, S) f64, <method>.quantus_deletion_auc (N) f64 (Quantus' own numbers, for the record);
  integrated_gradients.captum_delta (N) f64;
  <method> in gradient, input_x_gradient, integrated_gradients, gradcam.
Metadata: format, model, stem, in_channels, num_classes, height, width, batch, norm_mean,
norm_std, logit_gain, methods (JSON), <method>.deletion_steps, ig_steps, bands, the input
streams, the margins found, the float32 errors, and the torch / captum / quantus versions.
"""

import json
import math
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_fixtures as mf  # noqa: E402  (closed-form resnet8, fixture metadata and writing)

import captum  # noqa: E402
import quantus  # noqa: E402

if not hasattr(np, "trapz"):  # Quantus 0.6's AUC calls np.trapz, removed in NumPy 2.4
    np.trapz = np.trapezoid   # the same function under its new name
from captum.attr import (IntegratedGradients, InputXGradient, LayerAttribution,  # noqa: E402
                         LayerGradCam, Saliency)

FIXTURE = os.path.join(mf.FIXTURE_DIR, "explain_resnet8.safetensors")
MAX_BYTES = 300 * 1000
MAP_TOLERANCE, METRIC_TOLERANCE = 1e-4, 1e-5  # what tests/test_explain_reference.c allows
ACCEPT = METRIC_TOLERANCE / 4  # float32 PyTorch + Captum must land this close
RANK_BAND = 1e-5       # relative gap at every deletion step boundary
KINK_BAND = 2e-6       # ReLU inputs this close to 0 (relative to the tensor's max) may flip
KINK_EFFECT = 2e-6     # what flipping all of them may do to a map, relative to its max
PRED_BAND = 1e-2       # logit margin of the predicted class
LOGIT_GAIN = 8.0       # fc.weight and fc.bias are multiplied by this (exact)
IG_STEPS = 32
INPUT_STREAM, STREAM_STRIDE = 5000000, 10000
BATCH, CHANNELS, HEIGHT, WIDTH, CLASSES = 4, 1, 12, 12, 10
HW = HEIGHT * WIDTH
CAM_SIZE = 3           # layer3's output: 12 -> 12 -> 6 -> 3
LABELS = [1, 4, 7, 5]  # explained classes (7 is the prediction; class 0's Grad-CAM is all zero)
F32 = np.float32
MEAN, STD = F32(0.286), F32(0.353)
METHODS = ["gradient", "input_x_gradient", "integrated_gradients", "gradcam"]
DELETION_STEPS = {"gradient": 36, "input_x_gradient": 36, "integrated_gradients": 36,
                  "gradcam": 12}


# ---- model and images ------------------------------------------------------------------------

def build(dtype):
    model = mf.build_resnet8_gained(dtype, LOGIT_GAIN)
    for m in model.modules():
        if isinstance(m, nn.ReLU):
            m.inplace = False  # the kink analysis hooks ReLU inputs and outputs
    return model.eval()


def image_of(stream):
    """uint8 pixels (1, 1, H, W) and the float32 normalised image, as the engine's loader."""
    u = mf.unit(stream, HW)
    pixels = np.clip(np.round((0.5 + 0.75 * u) * 255.0), 0, 255).astype(np.uint8)
    x = (pixels.astype(F32) / F32(255.0) - MEAN) / STD
    return pixels.reshape(1, 1, HEIGHT, WIDTH), x.reshape(1, 1, HEIGHT, WIDTH)


def gl_rule(n):
    nodes, weights = np.polynomial.legendre.leggauss(n)
    return 0.5 * (nodes + 1.0), 0.5 * weights


# ---- Captum maps -----------------------------------------------------------------------------

def captum_maps(model, x, target):
    """The four maps (1, 1, H, W) as numpy arrays in x's dtype, IG's delta, Grad-CAM's 3x3 map
    before the ReLU."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        maps = {"gradient": Saliency(model).attribute(x, target=target, abs=True)}
        maps["input_x_gradient"] = InputXGradient(model).attribute(x, target=target).abs()
        ig, delta = IntegratedGradients(model).attribute(
            x, baselines=0.0, target=target, n_steps=IG_STEPS, method="gausslegendre",
            return_convergence_delta=True)
        maps["integrated_gradients"] = ig.abs()
        layer = LayerGradCam(model, model.layer3)
        cam_raw = layer.attribute(x, target=target, relu_attributions=False)
        cam = layer.attribute(x, target=target, relu_attributions=True)
        maps["gradcam"] = LayerAttribution.interpolate(cam, (HEIGHT, WIDTH), "bilinear")
    out = {k: v.detach().mean(1, keepdim=True).numpy() for k, v in maps.items()}
    return out, float(delta.detach()[0]), cam_raw.detach().numpy()


# ---- METHOD.md's metrics (the engine's definitions) ------------------------------------------

def gini(s):
    v = np.abs(s.reshape(-1)).astype(np.float64)
    a = np.sort(v / v.max() + 1e-7)
    n = a.size
    i = np.arange(1, n + 1, dtype=np.float64)
    return float(((2 * i - n - 1) * a).sum() / (n * a.sum()))


def entropy(s, eps=1e-7):
    """METHOD.md's entropy (eps = 1e-7); eps = 0 is quantus.Complexity's variant."""
    v = np.abs(s.reshape(-1)).astype(np.float64)
    a = v / v.max() + eps
    q = a / a.sum()
    return float(-(q * np.log(q + 1e-12)).sum())


def ranking(s):
    """Pixel order, most salient first, ties by the lower flat index."""
    return np.argsort(-s.reshape(-1), kind="stable")


def deletion(model, x, s, pred, steps):
    """Points k = 0..steps and the trapezoid area on [0, 1]."""
    order = ranking(s)
    flat = x.reshape(-1)
    batch = []
    for k in range(steps + 1):
        xk = flat.clone()
        xk[torch.from_numpy(order[:k * HW // steps])] = 0.0
        batch.append(xk.reshape(1, HEIGHT, WIDTH))
    with torch.no_grad():
        prob = F.softmax(model(torch.stack(batch)), dim=1)[:, pred]
    curve = prob.double().numpy()
    auc = float(((curve[1:] + curve[:-1]) / 2).sum() / steps)
    return curve, auc


def metrics_of(model, x, maps, pred):
    out = {}
    for m in METHODS:
        s = maps[m]
        curve, auc = deletion(model, x, s, pred, DELETION_STEPS[m])
        out[m] = {"gini": gini(s), "entropy": entropy(s), "entropy_no_eps": entropy(s, 0.0),
                  "deletion_curve": curve, "deletion_auc": auc}
    return out


# ---- margins ---------------------------------------------------------------------------------

def bilinear_keys():
    """Per output pixel of the H x W Grad-CAM map, what the engine's (and torch's) float32
    bilinear formula reads: (source rows i0, i1, weight l1, source columns i0, i1, weight l1).
    Two pixels with the same key are computed by the same operations on the same values, so
    they are exactly equal in every implementation (the first two rows and columns, whose
    source position clamps to 0); pixels of different keys may differ by rounding even where
    they are equal in exact arithmetic (the last two rows and columns: 0.875 a + 0.125 a)."""
    def axis(n_in, n_out):
        scale = F32(n_in) / F32(n_out)
        out = []
        for d in range(n_out):
            src = max(F32(scale * (F32(d) + F32(0.5))) - F32(0.5), F32(0.0))
            i0 = min(int(src), n_in - 1)
            i1 = i0 + 1 if i0 < n_in - 1 else i0
            out.append((i0, i1, float(F32(src - F32(i0)))))
        return out
    rows, cols = axis(CAM_SIZE, HEIGHT), axis(CAM_SIZE, WIDTH)
    return [rows[y] + cols[x] for y in range(HEIGHT) for x in range(WIDTH)]


def rank_margin(s, steps, keys=None):
    """Smallest gap between the last removed and the first kept value at any step boundary,
    relative to the map's max. An exact tie counts as a gap of 0 unless it is robust: both
    values exactly 0 (Grad-CAM's ReLU, whose inputs have a margin of their own), or, with
    keys, two pixels of the same bilinear key (see bilinear_keys); a robust tie is broken by
    the lower index everywhere and counts as infinitely wide."""
    v = s.reshape(-1)
    order = ranking(s)
    ranked = v[order]
    worst = math.inf
    for b in np.arange(1, steps) * (HW // steps):
        hi, lo = ranked[b - 1], ranked[b]
        if hi == lo and (hi == 0 or (keys is not None and keys[order[b - 1]] == keys[order[b]])):
            continue
        worst = min(worst, float((hi - lo) / ranked[0]))
    return worst


class ReluTap:
    """Forward hooks keeping every ReLU call's input and output (in the autograd graph)."""

    def __init__(self, model):
        self.inputs, self.outputs = [], []
        self.handles = [m.register_forward_hook(self.hook) for m in model.modules()
                        if isinstance(m, nn.ReLU)]

    def hook(self, module, args, out):
        self.inputs.append(args[0])
        self.outputs.append(out)

    def remove(self):
        for h in self.handles:
            h.remove()


def kink_bound(model, rows, target):
    """Rows (R, 1, H, W) of inputs; returns (R, 1, H, W): the sum over the ReLU inputs within
    KINK_BAND (of their tensor row's max |.|) of 0 of |u_e dz_e/dx|, the most flipping them
    can change the input gradient of f_target, and the smallest relative |ReLU input|."""
    x = rows.clone().requires_grad_(True)
    tap = ReluTap(model)
    logits = model(x)
    tap.remove()
    upstream = torch.autograd.grad(logits[:, target].sum(), tap.outputs, retain_graph=True)
    bound = torch.zeros_like(rows)
    closest = math.inf
    for z, u in zip(tap.inputs, upstream):
        flat, uflat = z.reshape(z.shape[0], -1), u.reshape(u.shape[0], -1)
        rel = flat.detach().abs() / flat.detach().abs().max(1, keepdim=True).values
        closest = min(closest, float(rel.min()))
        for r, e in torch.nonzero(rel < KINK_BAND).tolist():
            if uflat[r, e] == 0:
                continue
            dz, = torch.autograd.grad(flat[r, e], x, retain_graph=True)
            bound += (uflat[r, e].detach() * dz).abs()
    return bound, closest


def kink_effects(model, x, maps, target):
    """Per gradient-based map: the kink bound carried into the map, relative to its max."""
    g_bound, closest_x = kink_bound(model, x, target)
    alphas, weights = gl_rule(IG_STEPS)
    path = torch.cat([a * x for a in alphas])
    p_bound, closest_path = kink_bound(model, path, target)
    ig_bound = x.abs() * (torch.from_numpy(weights).reshape(-1, 1, 1, 1) * p_bound).sum(0)
    effects = {"gradient": g_bound, "input_x_gradient": x.abs() * g_bound,
               "integrated_gradients": ig_bound}
    out = {m: float(e.max()) / float(maps[m].max()) for m, e in effects.items()}
    return out, min(closest_x, closest_path)


# ---- Quantus ---------------------------------------------------------------------------------

def quantus_metrics(model, x, s, pred, steps):
    """quantus.Sparseness, Complexity and PixelFlipping (curve and AUC) on one sample."""
    xb, ab, yb = x.numpy(), s.copy(), np.array([pred])
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # Quantus feeds the model torch.Tensor(x)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kw = {"disable_warnings": True}
            sparse = quantus.Sparseness(**kw)(model=model, x_batch=xb, y_batch=yb,
                                              a_batch=ab.copy(), device="cpu")
            comp = quantus.Complexity(**kw)(model=model, x_batch=xb, y_batch=yb,
                                            a_batch=ab.copy(), device="cpu")
            fis = HW // steps
            curve = quantus.PixelFlipping(features_in_step=fis, perturb_baseline=0.0, **kw)(
                model=model, x_batch=xb, y_batch=yb, a_batch=ab.copy(), device="cpu",
                softmax=True)
            auc = quantus.PixelFlipping(features_in_step=fis, perturb_baseline=0.0,
                                        return_auc_per_sample=True, **kw)(
                model=model, x_batch=xb, y_batch=yb, a_batch=ab.copy(), device="cpu",
                softmax=True)
    finally:
        torch.set_default_dtype(previous)
    return {"gini": float(sparse[0]), "entropy": float(comp[0]),
            "deletion_curve": np.array(curve[0], dtype=np.float64), "deletion_auc": float(auc[0])}


def check_quantus(q, ref, s, steps, name):
    """Quantus against the METHOD.md numbers, with the known differences. PixelFlipping orders
    by np.argsort(-s / max s), which is not stable: inside a group of exactly equal values (only
    Grad-CAM's robust ties) it may remove other pixels than ours, so its curve is compared at
    the points where it removed the same set as ours, and its AUC only when that is all of them.
    Returns the relative difference of Quantus' entropy from METHOD.md's and the number of
    curve points not compared."""
    def close(a, b, what):
        a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
        err = float(np.max(np.abs(a - b) / np.abs(b))) if a.size else 0.0
        if not err <= 1e-12:
            raise SystemExit(f"error: {name}: Quantus {what} differs by {err:.3g}")
    close(q["gini"], ref["gini"], "Sparseness from METHOD.md's Gini")
    close(q["entropy"], ref["entropy_no_eps"], "Complexity from the entropy without the 1e-7")
    fis = HW // steps
    ours = ranking(s)
    theirs = np.argsort(-(s / np.max(np.abs(s))).reshape(-1))
    same = np.array([set(ours[:k * fis]) == set(theirs[:k * fis]) for k in range(1, steps + 1)])
    close(q["deletion_curve"][same], ref["deletion_curve"][1:][same],
          "PixelFlipping curve from points 1..S")
    if same.all():
        c = ref["deletion_curve"]
        close(q["deletion_auc"], steps * ref["deletion_auc"] - (c[0] + c[1]) / 2,
              "PixelFlipping AUC")
    return abs(q["entropy"] - ref["entropy"]) / ref["entropy"], int((~same).sum())


# ---- image selection -------------------------------------------------------------------------

def rel_err(a, b):
    return float(np.max(np.abs(np.asarray(a, np.float64) - b)) / np.max(np.abs(b)))


def try_image(models, stream, target):
    """The reference for one image, or None with the reason when it is refused."""
    m64, m32 = models
    pixels, x32 = image_of(stream)
    x = torch.from_numpy(x32.astype(np.float64))
    with torch.no_grad():
        logits = m64(x)[0]
    top = torch.topk(logits, 2)
    pred, pred_margin = int(top.indices[0]), float(top.values[0] - top.values[1])
    if pred_margin < PRED_BAND:
        return None, "prediction margin"
    maps, delta, cam_raw = captum_maps(m64, x, target)
    if any(not np.max(v) > 0 for v in maps.values()):
        return None, "all-zero map"  # degenerate: the engine reports it, nothing to compare
    margins = {"prediction": pred_margin,
               "gradcam_relu": float(np.abs(cam_raw).min() / np.abs(cam_raw).max())}
    if margins["gradcam_relu"] < RANK_BAND:
        return None, "Grad-CAM ReLU kink"
    for m in METHODS:
        keys = BILINEAR_KEYS if m == "gradcam" else None
        margins["rank." + m] = rank_margin(maps[m], DELETION_STEPS[m], keys)
        if margins["rank." + m] < RANK_BAND:
            return None, f"{m} rank tie"
    effects, closest = kink_effects(m64, x, {k: torch.from_numpy(v) for k, v in maps.items()},
                                    target)
    margins["relu_closest"] = closest
    for m, e in effects.items():
        margins["kink_effect." + m] = e
        if e > KINK_EFFECT:
            return None, f"{m} ReLU kink"
    ref = metrics_of(m64, x, maps, pred)
    # float32 PyTorch + Captum
    xf = torch.from_numpy(x32)
    maps32, delta32, _ = captum_maps(m32, xf, target)
    cand = metrics_of(m32, xf, maps32, pred)
    errors = {}
    for m in METHODS:
        errors[m + ".map"] = rel_err(maps32[m], maps[m])
        for key in ("gini", "entropy", "deletion_auc"):
            errors[f"{m}.{key}"] = abs(cand[m][key] - ref[m][key]) / abs(ref[m][key])
        errors[m + ".deletion_curve"] = float(np.max(np.abs(cand[m]["deletion_curve"] -
                                                            ref[m]["deletion_curve"]) /
                                                     ref[m]["deletion_curve"]))
    errors["ig_delta_abs"] = abs(delta32 - delta)
    if max(v for k, v in errors.items() if k != "ig_delta_abs") > ACCEPT:
        return None, "float32 PyTorch disagrees"
    entropy_diffs, skipped = {}, {}
    for m in METHODS:
        q = quantus_metrics(m64, x, maps[m], pred, DELETION_STEPS[m])
        entropy_diffs[m], skipped[m] = check_quantus(q, ref[m], maps[m], DELETION_STEPS[m],
                                                     f"stream {stream} {m}")
        ref[m]["quantus"] = q
    return {"stream": stream, "pixels": pixels, "x": x32, "pred": pred, "maps": maps,
            "delta": delta, "ref": ref, "margins": margins, "errors": errors,
            "quantus_entropy_vs_method": entropy_diffs, "quantus_points_skipped": skipped}, None


def select_image(models, n):
    refused = {}
    for stream in range(INPUT_STREAM + n * STREAM_STRIDE,
                        INPUT_STREAM + (n + 1) * STREAM_STRIDE):
        result, why = try_image(models, stream, LABELS[n])
        if result is not None:
            result["refused"] = refused
            return result
        refused[why] = refused.get(why, 0) + 1
    raise SystemExit(f"error: image {n}: no input stream clear of the discontinuities "
                     f"({refused})")


BILINEAR_KEYS = bilinear_keys()


def main():
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    models = (build(torch.float64), build(torch.float32))
    images = []
    for n in range(BATCH):
        r = select_image(models, n)
        images.append(r)
        print(f"image {n}: stream {r['stream']} (refused {r['refused']}), label {LABELS[n]}, "
              f"pred {r['pred']}, IG delta {r['delta']:.3g}")
        print("  margins " + ", ".join(f"{k} {v:.2g}" for k, v in r["margins"].items()))
        print(f"  float32 PyTorch worst {max(r['errors'].values()):.2g}; Quantus entropy vs "
              "METHOD.md " + ", ".join(f"{m} {v:.2g}"
                                       for m, v in r["quantus_entropy_vs_method"].items())
              + f"; Quantus curve points not compared {r['quantus_points_skipped']}")
    tensors = {
        "input": torch.from_numpy(np.concatenate([r["x"] for r in images])),
        "pixels": torch.from_numpy(np.concatenate([r["pixels"] for r in images])),
        "labels": torch.tensor(LABELS, dtype=torch.int32),
        "pred": torch.tensor([r["pred"] for r in images], dtype=torch.int32),
        "integrated_gradients.captum_delta": torch.tensor([r["delta"] for r in images],
                                                          dtype=torch.float64),
    }
    for m in METHODS:
        tensors[m + ".map"] = torch.from_numpy(
            np.concatenate([r["maps"][m] for r in images]).astype(np.float32))
        for key in ("gini", "entropy", "deletion_auc"):
            tensors[f"{m}.{key}"] = torch.tensor([r["ref"][m][key] for r in images],
                                                 dtype=torch.float64)
            tensors[f"{m}.quantus_{key}"] = torch.tensor(
                [r["ref"][m]["quantus"][key] for r in images], dtype=torch.float64)
        tensors[m + ".deletion_curve"] = torch.from_numpy(
            np.stack([r["ref"][m]["deletion_curve"] for r in images]))
        tensors[m + ".quantus_deletion_curve"] = torch.from_numpy(
            np.stack([r["ref"][m]["quantus"]["deletion_curve"] for r in images]))
    tensors = {k: v.contiguous() for k, v in tensors.items()}
    metadata = mf.resnet8_metadata("scaat-explain-reference-1", (BATCH, CHANNELS, HEIGHT, WIDTH),
                                   CLASSES, MEAN, STD, LOGIT_GAIN)
    metadata.update({
        "methods": json.dumps(METHODS), "ig_steps": str(IG_STEPS),
        "ig_baseline": "0", "ig_method": "gausslegendre", "rank_band": repr(RANK_BAND),
        "kink_band": repr(KINK_BAND), "kink_effect": repr(KINK_EFFECT),
        "pred_band": repr(PRED_BAND), "accept": repr(ACCEPT),
        "input_streams": json.dumps([r["stream"] for r in images]),
        "margins": json.dumps([r["margins"] for r in images]),
        "float32_pytorch_errors": json.dumps([r["errors"] for r in images]),
        "quantus_entropy_vs_method": json.dumps([r["quantus_entropy_vs_method"]
                                                 for r in images]),
        "quantus_points_not_compared": json.dumps([r["quantus_points_skipped"]
                                                   for r in images]),
        "captum_version": captum.__version__, "quantus_version": quantus.__version__,
        "numpy_version": np.__version__})
    for m in METHODS:
        metadata[m + ".deletion_steps"] = str(DELETION_STEPS[m])
    return mf.save_fixture(tensors, FIXTURE, metadata, MAX_BYTES)

if __name__ == "__main__":
    sys.exit(main())
